"""The evaluation command on a small synthetic corpus: figures, misses and --show-misses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from autoir.cli.evaluation import evaluate_mail, format_misses

PHISH = (
    b'From: "PayPal Service" <service@secure-paypal-check.example>\r\n'
    b"To: bob@contoso.com\r\nSubject: Action required: verify your account\r\n"
    b"Message-ID: <1@secure-paypal-check.example>\r\n"
    b"Date: Tue, 5 Mar 2024 10:00:00 +0000\r\n"
    b"Authentication-Results: mx.contoso.com; spf=fail smtp.mailfrom=x.example; dmarc=fail\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b'<p>Your account will be suspended within 24 hours. <a href="http://198.51.100.7/login">'
    b"https://www.paypal.com/signin</a></p>"
)
QUIET_PHISH = (
    b"From: Alice <alice@fabrikam.com>\r\nTo: bob@contoso.com\r\nSubject: Invoice\r\n"
    b"Message-ID: <2@fabrikam.com>\r\nDate: Tue, 5 Mar 2024 10:00:00 +0000\r\n\r\n"
    b"Please find the invoice for March.\r\n"
)
HAM = (
    b"From: Alice <alice@fabrikam.com>\r\nTo: bob@contoso.com\r\nSubject: Lunch\r\n"
    b"Message-ID: <3@fabrikam.com>\r\nDate: Tue, 5 Mar 2024 10:00:00 +0000\r\n\r\n"
    b"Shall we have lunch on Thursday?\r\n"
)


def corpus(root: Path) -> Path:
    emails = root / "emails"
    for label, messages in {"phish": [PHISH, QUIET_PHISH], "ham": [HAM]}.items():
        (emails / label).mkdir(parents=True)
        for index, raw in enumerate(messages):
            (emails / label / f"{index}.eml").write_bytes(raw)
    return emails


def test_misses_name_the_phish_judged_harmless(tmp_path: Path) -> None:
    evaluation = evaluate_mail(corpus(tmp_path), labels=("phish", "ham"))
    assert evaluation.results["phish"].total == 2
    misses = evaluation.results["phish"].misses
    assert [Path(m.path).name for m in misses] == ["1.eml"]
    assert misses[0].verdict == "noThreatsFound"
    assert evaluation.results["ham"].misses == []
    listing = format_misses(evaluation)
    assert "1.eml" in listing
    assert "subject: Invoice" in listing
    assert evaluation.as_dict()["misses"][0]["path"].endswith("1.eml")


def evaluate(datasets: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOIR_")}
    command = [sys.executable, "-m", "autoir.cli.main", "analyze", "evaluate"]
    return subprocess.run(
        [*command, "--datasets", str(datasets), *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_cli_lists_misses_on_request(tmp_path: Path) -> None:
    corpus(tmp_path)
    result = evaluate(tmp_path, "--show-misses")
    assert result.returncode == 0, result.stderr
    assert "misses:" in result.stdout
    assert "1.eml" in result.stdout
    assert "misses:" not in evaluate(tmp_path).stdout
    as_json = evaluate(tmp_path, "--json")
    assert json.loads(as_json.stdout)["misses"][0]["label"] == "phish"
