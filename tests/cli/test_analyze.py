"""`autoir analyze eml` as a real process: JSON lines, errors as lines, clean stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PHISH = (
    b'From: "PayPal Service" <service@secure-paypal-check.example>\r\n'
    b"To: bob@contoso.com\r\n"
    b"Subject: Action required: verify your account\r\n"
    b"Date: Tue, 5 Mar 2024 10:00:00 +0000\r\n"
    b"Authentication-Results: mx.contoso.com; spf=fail smtp.mailfrom=x.example; dmarc=fail\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b'<p>Your account will be suspended within 24 hours. <a href="http://198.51.100.7/login">'
    b"https://www.paypal.com/signin</a></p>"
)
HAM = (
    b"From: Alice <alice@fabrikam.com>\r\nTo: bob@contoso.com\r\nSubject: Lunch\r\n"
    b"Date: Tue, 5 Mar 2024 10:00:00 +0000\r\n\r\nShall we have lunch on Thursday?\r\n"
)


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOIR_")}
    return subprocess.run(
        [sys.executable, "-m", "autoir.cli.main", "analyze", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_analyze_eml_prints_one_json_line_per_message(tmp_path: Path) -> None:
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "a-phish.eml").write_bytes(PHISH)
    (tmp_path / "mail" / "b-ham.eml").write_bytes(HAM)
    (tmp_path / "mail" / "c-garbage.eml").write_bytes(b"\x00\x01\x02\xff garbage")
    (tmp_path / "mail" / "notes.csv").write_text("not mail")
    result = analyze("eml", str(tmp_path / "mail"), str(tmp_path / "missing.eml"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(line["path"]).name for line in lines] == [
        "a-phish.eml",
        "b-ham.eml",
        "c-garbage.eml",
        "missing.eml",
    ]
    phish, ham, garbage, missing = lines
    assert phish["verdict"] in {"suspicious", "malicious"}
    codes = {reason["code"] for reason in phish["reasons"]}
    assert {"url.display_mismatch", "url.ip_literal_host", "email.dmarc_fail"} <= codes
    assert set(phish["reasons"][0]) == {"code", "text", "verdict"}
    assert ham["verdict"] == "noThreatsFound"
    assert ham["reasons"] == []
    assert 0 <= ham["confidence"] <= 1
    assert "no header fields" in garbage["error"]
    assert missing["error"] == "no such file or directory"


def test_analyze_eml_without_paths_is_a_usage_error() -> None:
    result = analyze("eml")
    assert result.returncode == 2
    assert result.stdout == ""
