"""The `autoir` command line, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def autoir(
    data_dir: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}  # rich tables must not wrap the values we look for
    return subprocess.run(
        [sys.executable, "-m", "autoir.cli.main", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli")
    assert autoir(path, "db", "upgrade").returncode == 0
    return path


def test_token_create_prints_the_token_alone_on_the_last_line(data_dir: Path) -> None:
    result = autoir(
        data_dir,
        "token",
        "create",
        "--name",
        "siem",
        "--role",
        "Security reader",
        "--expires-in",
        "30",
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("air_")
    assert len(token) > 40
    listed = autoir(data_dir, "token", "list")
    assert "siem" in listed.stdout
    assert token not in listed.stdout


def test_bad_role_is_a_clear_error(data_dir: Path) -> None:
    result = autoir(data_dir, "token", "create", "--name", "x", "--role", "Wizard")
    assert result.returncode == 2
    assert "unknown role 'Wizard'" in result.stderr


def test_user_create_with_password_on_stdin(data_dir: Path) -> None:
    result = autoir(
        data_dir,
        "user",
        "create",
        "--username",
        "cli@fabrikam.example",
        "--role",
        "Security operator",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert result.returncode == 0, result.stderr
    assert "cli@fabrikam.example" in autoir(data_dir, "user", "list").stdout
    short = autoir(
        data_dir,
        "user",
        "create",
        "--username",
        "b@x",
        "--role",
        "Security operator",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.returncode == 2
    assert "password" in short.stderr


def test_custom_role_and_ingest_with_progress(data_dir: Path, tmp_path: Path) -> None:
    created = autoir(
        data_dir,
        "role",
        "create",
        "--name",
        "Triage",
        "--permission",
        "read_security_data",
        "--permission",
        "manage_alerts",
    )
    assert created.returncode == 0, created.stderr
    bad = autoir(data_dir, "role", "create", "--name", "Bad", "--permission", "fly")
    assert bad.returncode == 2
    assert "unknown permission 'fly'" in bad.stderr
    feed = tmp_path / "alerts.ndjson"
    feed.write_text(
        '{"title": "a", "serviceSource": "microsoftDefenderForEndpoint"}\n'
        '{"title": "b", "serviceSource": "dataLossPrevention"}\n',
        encoding="utf-8",
    )
    result = autoir(data_dir, "alerts", "ingest", str(feed))
    assert result.returncode == 0, result.stderr
    assert "2 alerts processed, 2 new" in result.stderr
    feed.write_text('{"title": "c", "serviceSource": "nope"}', encoding="utf-8")
    rejected = autoir(data_dir, "alerts", "ingest", str(feed))
    assert rejected.returncode == 2
    assert "value[0].serviceSource" in rejected.stderr
