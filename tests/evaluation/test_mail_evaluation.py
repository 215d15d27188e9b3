"""The real-mail evaluation against the issue's targets (docs/evaluation.md).

The false-positive targets hold and are asserted. The detection target (90 % of phishing judged
suspicious or malicious) is not reached yet: that test is an expected failure with the measured
gap in its reason, and turns into a pass (reported as XPASS) once the analyzers reach it.
"""

from __future__ import annotations

import pytest

from autoir.cli.evaluation import (
    MailEvaluation,
    default_datasets_dir,
    evaluate_mail,
    format_report,
)

EMAILS = default_datasets_dir() / "emails"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (EMAILS / "phish").is_dir() or not (EMAILS / "ham").is_dir(),
        reason=f"labelled mail not found at {EMAILS} (set AUTOIR_DATASETS)",
    ),
]


@pytest.fixture(scope="module")
def evaluation() -> MailEvaluation:
    return evaluate_mail(EMAILS, labels=("phish", "ham"))


def test_mail_evaluation_covers_the_corpus(evaluation: MailEvaluation) -> None:
    assert evaluation.results["phish"].total >= 100, format_report(evaluation)
    assert evaluation.results["ham"].total >= 100, format_report(evaluation)


def test_legitimate_mail_stays_within_the_false_positive_targets(
    evaluation: MailEvaluation,
) -> None:
    targets = evaluation.targets()
    report = format_report(evaluation)
    assert targets["ham judged malicious"][2], report
    assert targets["ham judged suspicious"][2], report


def test_phishing_detection_does_not_fall_below_the_measured_level(
    evaluation: MailEvaluation,
) -> None:
    """Regression guard, not the goal: the issue's target is 90 % and is NOT met yet.

    Measured 64.2 % on 2026-11-22 (docs/evaluation.md); the open issue tracks the gap. This test
    fails if detection drops below 60 %; the evaluation command reports the real target.
    """
    measured, _target, _met = evaluation.targets()["phish judged suspicious or malicious"]
    assert measured >= 0.60, format_report(evaluation)
