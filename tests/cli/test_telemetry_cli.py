"""`autoir ingest eml|events` and `autoir telemetry purge`, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autoir.bootstrap import build
from autoir.domain.telemetry.clusters import ClusterKey
from autoir.settings import Settings
from tests.support import telemetry as T
from tests.support.alerts import DATASETS

NOW = datetime.now(UTC)


def autoir(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autoir.cli.main", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


def _eml(subject: str, sender: str = "billing@evil.example", ip: str = "93.184.216.34") -> bytes:
    date = NOW - timedelta(hours=1)
    return (
        f"Received: from mx.evil.example ([{ip}]) by mx.fabrikam.example; "
        f"{date.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
        f"From: Billing <{sender}>\r\n"
        "To: alice@fabrikam.example\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '-')}@evil.example>\r\n"
        f"Date: {date.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Pay at https://pay.evil.example/now\r\n"
    ).encode()


def _stored(data_dir: Path):
    return build(Settings(data_dir=data_dir))


def test_ingest_eml_stores_files_folders_and_mbox_and_survives_bad_input(tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    (mail / "nested").mkdir(parents=True)
    (mail / "one.eml").write_bytes(_eml("Invoice 1"))
    (mail / "nested" / "two.eml").write_bytes(_eml("Invoice 2"))
    (mail / "garbage.eml").write_bytes(b"\x00\x01\x02 not a message at all \xff\xfe")
    (mail / "notes.txt").write_text("not mail", encoding="utf-8")
    mbox = tmp_path / "archive.mbox"
    mbox.write_bytes(
        b"From a@b Sat Jan  1 00:00:00 2026\n"
        + _eml("Invoice 3").replace(b"\r\n", b"\n")
        + b"\nFrom a@b Sat Jan  1 00:00:00 2026\n"
        + _eml("Hello", sender="ceo@fabrikam.example").replace(b"\r\n", b"\n")
    )
    data = tmp_path / "data"
    result = autoir(data, "ingest", "eml", str(mail), str(mbox), str(tmp_path / "missing.eml"))
    assert result.returncode == 1, result.stderr  # the missing file; everything else stored
    assert "missing.eml: no such file or directory" in result.stderr
    assert "Messages: 5 new, 0 updated, 0 unchanged; 1 left out." in result.stderr
    assert "1 messages were stored with parse errors" in result.stderr

    container = _stored(data)
    try:
        cluster = container.telemetry.cluster(ClusterKey.SENDER_IP, "93.184.216.34")
        assert cluster.email_count == 4
        by_url = container.telemetry.cluster(ClusterKey.URL_DOMAIN, "pay.evil.example")
        assert by_url.email_count == 4
        subject = container.telemetry.cluster(ClusterKey.SENDER, "billing@evil.example")
        assert subject.email_count == 3
    finally:
        container.close()

    again = autoir(data, "ingest", "eml", str(mail))
    assert again.returncode == 0, again.stderr
    assert "Messages: 0 new, 0 updated, 3 unchanged." in again.stderr


def test_ingest_events_reads_json_lines_of_every_kind(tmp_path: Path) -> None:
    now = NOW.isoformat()
    lines = [
        json.dumps({"telemetryKind": "messages", **T.message(receivedDateTime=now)}),
        json.dumps({"telemetryKind": "urlClicks", **T.click(timeOfClick=now)}),
        "",
        "{not json",
        json.dumps({"telemetryKind": "signIns", **T.sign_in(createdDateTime=now)}),
        json.dumps({"telemetryKind": "endpointEvents", **T.endpoint_process(when=now)}),
        json.dumps({"telemetryKind": "signIns", "userPrincipalName": "x@y"}),
        json.dumps({"telemetryKind": "registry"}),
        json.dumps(T.endpoint_process(pid=5, when=now)),  # no kind: needs --kind
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = tmp_path / "data"
    result = autoir(data, "ingest", "events", str(feed), "--batch", "2")
    assert result.returncode == 1
    assert "line 4: not JSON" in result.stderr
    assert "line 7: createdDateTime: is required" in result.stderr
    assert "line 8: telemetryKind: unknown kind 'registry'" in result.stderr
    assert "line 9: telemetryKind: is required (or give --kind)" in result.stderr
    assert "Records of feed.jsonl: 4 new, 0 updated, 0 unchanged; 4 left out." in result.stderr

    only_events = tmp_path / "events.jsonl"
    only_events.write_text(lines[-1] + "\n" + lines[5] + "\n", encoding="utf-8")
    typed = autoir(data, "ingest", "events", str(only_events), "--kind", "endpointEvents")
    assert typed.returncode == 0, typed.stderr
    assert "1 new, 0 updated, 1 unchanged" in typed.stderr
    bad_kind = autoir(data, "ingest", "events", str(only_events), "--kind", "nope")
    assert bad_kind.returncode == 2


def test_two_ingests_at_once_on_the_embedded_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert autoir(data, "db", "upgrade").returncode == 0
    feeds = []
    for n in range(2):
        feed = tmp_path / f"feed{n}.jsonl"
        feed.write_text(
            "\n".join(
                json.dumps(
                    T.message(networkMessageId=f"p{n}-{i}", receivedDateTime=NOW.isoformat())
                )
                for i in range(3000)
            ),
            encoding="utf-8",
        )
        feeds.append(feed)
    env = {**os.environ, "COLUMNS": "200"}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "autoir.cli.main",
                "ingest",
                "events",
                str(feed),
                "--kind",
                "messages",
                "--batch",
                "100",
                "--data-dir",
                str(data),
            ],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for feed in feeds
    ]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "3000 new" in err
    container = _stored(data)
    try:
        assert (
            container.telemetry.cluster(ClusterKey.SENDER_IP, "198.51.100.20", limit=0).email_count
            == 6000
        )
    finally:
        container.close()


def test_telemetry_purge_uses_the_retention_setting(tmp_path: Path) -> None:
    data = tmp_path / "data"
    feed = tmp_path / "old.jsonl"
    old = (NOW - timedelta(days=10)).isoformat()
    feed.write_text(
        json.dumps(T.message(receivedDateTime=old))
        + "\n"
        + json.dumps(T.message(receivedDateTime=NOW.isoformat()))
        + "\n",
        encoding="utf-8",
    )
    assert autoir(data, "ingest", "events", str(feed), "--kind", "messages").returncode == 0
    kept = autoir(data, "telemetry", "purge")
    assert kept.returncode == 0, kept.stderr
    assert "0 messages" in kept.stderr
    shorter = subprocess.run(
        [sys.executable, "-m", "autoir.cli.main", "telemetry", "purge", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "200", "AUTOIR_TELEMETRY_RETENTION_DAYS": "7"},
    )
    assert shorter.returncode == 0, shorter.stderr
    assert "1 messages" in shorter.stderr


PHISH = DATASETS / "emails" / "phish"


@pytest.mark.skipif(not PHISH.is_dir(), reason="shared datasets are not available")
def test_ingest_real_phishing_mail(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = autoir(data, "ingest", "eml", str(PHISH))
    assert result.returncode == 0, result.stderr
    count = sum(1 for _ in PHISH.glob("*.eml"))
    assert f"Messages: {count} new" in result.stderr
    container = _stored(data)
    try:
        everything = container.telemetry.cluster(
            ClusterKey.RECIPIENT, "phishing@pot", since=datetime(2000, 1, 1, tzinfo=UTC), limit=5
        )
        assert everything.email_count > count // 2  # the honeypot's anonymised address
        stored = container.telemetry.messages(list(everything.network_message_ids))
        assert len(stored) == 5
        assert all(m.body_text == "" for m in stored)  # bodies are never stored
    finally:
        container.close()
