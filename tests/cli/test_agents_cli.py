"""``autoir agents token`` and ``autoir devices``, and TLS for ``autoir serve``, as real processes."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from autoir.bootstrap import build
from autoir.settings import Settings
from tests.cli.test_cli import autoir
from tests.support.certificates import write_self_signed


def _enroll(data_dir: Path, token: str, machine_id: str) -> str:
    container = build(Settings(data_dir=data_dir))
    try:
        enrolled = container.agents.enroll(
            {
                "token": token,
                "hostname": f"host-{machine_id[:4]}.fabrikam.example",
                "osPlatform": "Linux",
                "osVersion": "Debian GNU/Linux 12 (bookworm)",
                "agentVersion": "1.0.0",
                "machineId": machine_id,
            }
        )
    finally:
        container.close()
    return str(enrolled["deviceId"])


def test_a_token_is_printed_once_and_enrols_the_hosts_it_allows(tmp_path: Path) -> None:
    created = autoir(
        tmp_path, "agents", "token", "create", "--expires-in-hours", "2", "--uses", "2"
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("aet_")
    assert "not shown again" in created.stderr
    listed = autoir(tmp_path, "agents", "token", "list")
    assert listed.returncode == 0, listed.stderr
    assert token[:10] in listed.stdout
    assert token not in listed.stdout
    assert "0/2" in listed.stdout
    assert "active" in listed.stdout

    first = _enroll(tmp_path, token, "a" * 32)
    second = _enroll(tmp_path, token, "b" * 32)
    devices = autoir(tmp_path, "devices", "list")
    assert devices.returncode == 0, devices.stderr
    assert first in devices.stdout
    assert second in devices.stdout
    assert "host-aaaa.fabrikam.example" in devices.stdout
    assert "active" in devices.stdout
    assert "2 of 2 devices" in devices.stderr
    assert "usedUp" in autoir(tmp_path, "agents", "token", "list").stdout


def test_bad_token_options_exit_2_naming_the_field(tmp_path: Path) -> None:
    result = autoir(tmp_path, "agents", "token", "create", "--expires-in-hours", "1000")
    assert result.returncode == 2
    assert "expiresInHours" in result.stderr
    assert "aet_" not in result.stdout
    revoked = autoir(tmp_path, "agents", "token", "revoke", "no-such-token")
    assert revoked.returncode == 2
    assert "was not found" in revoked.stderr


def _self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key_file = directory / "server.pem", directory / "server.key"
    write_self_signed(cert, key_file)
    return cert, key_file


def _serve(data_dir: Path, port: int, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autoir.cli.main",
            "serve",
            "--no-worker",
            *("--port", str(port), "--data-dir", str(data_dir)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_refuses_half_a_tls_configuration(tmp_path: Path) -> None:
    cert, _key = _self_signed(tmp_path)
    server = _serve(tmp_path, _free_port(), AUTOIR_TLS_CERT_FILE=str(cert))
    _out, err = server.communicate(timeout=60)
    assert server.returncode == 2
    assert "AUTOIR_TLS_KEY_FILE" in err


def test_serve_listens_with_tls_when_both_files_are_set(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    port = _free_port()
    server = _serve(
        tmp_path / "data", port, AUTOIR_TLS_CERT_FILE=str(cert), AUTOIR_TLS_KEY_FILE=str(key)
    )
    context = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"https://127.0.0.1:{port}/healthz", context=context, timeout=2
                ) as response:
                    assert json.loads(response.read()) == {"status": "ok"}
                    break
            except OSError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "autoir serve did not answer over TLS"
                time.sleep(0.3)
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=30)
    assert f"https://127.0.0.1:{port}/" in err
