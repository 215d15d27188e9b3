"""The command line against a scripted loopback server: exit codes and the state it leaves."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from autoir_agent import cli
from autoir_agent.heartbeat import FIRST_BACKOFF, Heartbeats, Outcome
from autoir_agent.state import AgentState, load
from autoir_agent.transport import Refused, Unavailable
from tests.unit.agent.fake_server import Answer, fake_server

AGENT_SRC = Path(cli.__file__).parent
DEVICE = "ab" * 20
ENROLLED = {"deviceId": DEVICE, "credential": "cred", "heartbeatSeconds": 45, "protocolVersion": 1}


def test_enrol_keeps_the_device_and_run_once_sends_a_heartbeat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_server(Answer(201, ENROLLED), Answer(200, {"heartbeatSeconds": 45})) as server:
        code = cli.main(
            ["enroll", "--server", server.url, "--token", " tok ", "--state-dir", str(tmp_path)]
        )
        assert code == 0
        assert capsys.readouterr().out == f"{DEVICE}\n"
        assert cli.main(["run", "--once", "--state-dir", str(tmp_path)]) == 0
    enrol, beat = server.seen
    assert enrol.path == "/agent/v1/enroll"
    assert enrol.body["token"] == "tok"
    assert {"hostname", "osPlatform", "osVersion", "agentVersion", "machineId"} <= set(enrol.body)
    assert "Authorization" not in enrol.headers
    assert beat.headers["Authorization"] == "Bearer cred"
    assert beat.body["deviceId"] == DEVICE
    state = load(tmp_path)
    assert (state.device_id, state.credential, state.heartbeat_seconds) == (DEVICE, "cred", 45)
    assert cli.main(["status", "--state-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert DEVICE in out
    assert "cred" not in out


def test_a_refused_token_is_exit_2_and_an_unreachable_server_exit_1(tmp_path: Path) -> None:
    refused = Answer(401, {"error": {"code": "invalidToken", "message": "Invalid token."}})
    with fake_server(refused) as server:
        assert (
            cli.main(
                ["enroll", "--server", server.url, "--token", "t", "--state-dir", str(tmp_path)]
            )
            == 2
        )
    assert (
        cli.main(["enroll", "--server", server.url, "--token", "t", "--state-dir", str(tmp_path)])
        == 1
    )
    assert not (tmp_path / "agent.json").exists()


def test_bad_input_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = ["--state-dir", str(tmp_path)]
    assert cli.main(["enroll", "--server", "http://10.231.0.1:8000", "--token", "t", *state]) == 2
    assert "refusing plain http://" in capsys.readouterr().err
    assert cli.main(["enroll", "--server", "https://10.231.0.1", "--token", "  ", *state]) == 2
    assert cli.main(["run", *state]) == 2
    assert "not enrolled" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        cli.main(["enroll", "--server", "https://x"])
    assert caught.value.code == 2


def test_status_of_a_host_not_enrolled_is_exit_1(tmp_path: Path) -> None:
    assert cli.main(["status", "--state-dir", str(tmp_path)]) == 1


def test_run_once_with_a_refused_credential_is_exit_3(tmp_path: Path) -> None:
    refused = Answer(401, {"error": {"code": "invalidCredential", "message": "Offboarded."}})
    with fake_server(Answer(201, ENROLLED), refused) as server:
        assert (
            cli.main(
                ["enroll", "--server", server.url, "--token", "t", "--state-dir", str(tmp_path)]
            )
            == 0
        )
        assert cli.main(["run", "--once", "--state-dir", str(tmp_path)]) == 3


class _Client:
    """Answers heartbeats from a script of results or exceptions."""

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.calls = 0

    def post(self, _path: str, _body: dict[str, Any], *, credential: str | None = None) -> Any:
        assert credential == "cred"
        self.calls += 1
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


class _Stop(threading.Event):
    """Records the waits instead of waiting; sets itself after ``limit`` waits."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.waits: list[float] = []
        self.limit = limit

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.waits.append(timeout)
        if len(self.waits) >= self.limit:
            self.set()
        return self.is_set()


def _heartbeats(client: _Client, stop: _Stop, lines: list[str]) -> Heartbeats:
    state = AgentState("https://s", None, DEVICE, "cred", "m", heartbeat_seconds=20)
    return Heartbeats(
        client=client,  # type: ignore[arg-type]
        state=state,
        say=lines.append,
        facts=lambda device: {"deviceId": device},
        stop=stop,
    )


def test_the_loop_backs_off_while_unreachable_and_keeps_the_servers_interval() -> None:
    down = Unavailable("cannot reach https://s: Connection refused")
    client = _Client({"heartbeatSeconds": 10}, down, down, down, down, {"heartbeatSeconds": 10}, {})
    stop, lines = _Stop(limit=7), []
    assert _heartbeats(client, stop, lines).run() is Outcome.STOPPED
    assert stop.waits == [10, FIRST_BACKOFF, 4, 8, 10, 10, 10]
    assert any("reachable again" in line for line in lines)


def test_the_loop_stops_with_exit_3_on_a_refused_credential() -> None:
    client = _Client({}, Refused("invalidCredential", "Offboarded."))
    lines: list[str] = []
    assert _heartbeats(client, _Stop(limit=99), lines).run() is Outcome.REFUSED
    assert client.calls == 2
    assert "invalidCredential" in lines[-1]
    assert "enroll" in lines[-1]


def test_the_agent_imports_only_the_standard_library() -> None:
    foreign: dict[str, set[str]] = {}
    for path in AGENT_SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "autoir_agent":
                    foreign.setdefault(path.name, set()).add(top)
    assert foreign == {}


def test_run_sends_a_heartbeat_at_start_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    beat = Answer(200, {"heartbeatSeconds": 3600})
    with fake_server(Answer(201, ENROLLED), beat, beat) as server:
        assert (
            cli.main(
                ["enroll", "--server", server.url, "--token", "t", "--state-dir", str(tmp_path)]
            )
            == 0
        )
        src = AGENT_SRC.parent
        process = subprocess.Popen(
            [sys.executable, "-m", "autoir_agent", "run", "--state-dir", str(tmp_path)],
            env={**os.environ, "PYTHONPATH": str(src)},
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 20
        while len(server.seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    assert len(server.seen) == 2
    assert process.returncode == 0, err
    assert "stopped" in err
