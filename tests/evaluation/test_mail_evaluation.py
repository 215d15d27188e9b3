"""The real-mail evaluation meets the issue's targets (docs/evaluation.md)."""

from __future__ import annotations

import pytest

from autoir.cli.evaluation import default_datasets_dir, evaluate_mail, format_report

EMAILS = default_datasets_dir() / "emails"


@pytest.mark.slow
@pytest.mark.skipif(
    not (EMAILS / "phish").is_dir() or not (EMAILS / "ham").is_dir(),
    reason=f"labelled mail not found at {EMAILS} (set AUTOIR_DATASETS)",
)
def test_mail_evaluation_meets_the_targets() -> None:
    evaluation = evaluate_mail(EMAILS, labels=("phish", "ham"))
    report = format_report(evaluation)
    print(report)
    assert evaluation.results["phish"].total >= 100, report
    assert evaluation.results["ham"].total >= 100, report
    missed = {name: figures for name, figures in evaluation.targets().items() if not figures[2]}
    assert not missed, report
