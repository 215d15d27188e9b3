"""The state file: atomic, private (0600 in a 0700 directory), validated on load."""

from __future__ import annotations

import dataclasses
import json
import stat
from pathlib import Path

import pytest

from autoir_agent.state import AgentState, StateError, load, load_machine_id, save

STATE = AgentState(
    server="https://10.231.0.1:8443",
    ca_file="/etc/autoir-agent/ca.pem",
    device_id="0" * 40,
    credential="c" * 43,
    machine_id="m" * 32,
    heartbeat_seconds=30,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_is_written_0600_in_a_0700_directory_and_reads_back(tmp_path: Path) -> None:
    state_dir = tmp_path / "var" / "agent"
    path = save(state_dir, STATE)
    assert path == state_dir / "agent.json"
    assert _mode(state_dir) == 0o700
    assert _mode(path) == 0o600
    assert load(state_dir) == STATE
    assert [p.name for p in state_dir.iterdir()] == ["agent.json"]  # no temp file left
    assert json.loads(path.read_text())["deviceId"] == "0" * 40


def test_an_existing_open_directory_is_closed_and_a_rewrite_replaces_the_file(
    tmp_path: Path,
) -> None:
    state_dir = tmp_path / "agent"
    state_dir.mkdir(mode=0o755)
    save(state_dir, STATE)
    (state_dir / "agent.json").chmod(0o644)
    save(state_dir, dataclasses.replace(STATE, device_id="1" * 40))
    assert _mode(state_dir) == 0o700
    assert _mode(state_dir / "agent.json") == 0o600
    assert load(state_dir).device_id == "1" * 40


def test_missing_state_says_not_enrolled(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="not enrolled"):
        load(tmp_path)
    assert load_machine_id(tmp_path) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"server": "https://x", "credential": "c", "machineId": "m"}', "deviceId"),
        (
            '{"server": "https://x", "deviceId": "XYZ", "credential": "c", "machineId": "m"}',
            "40 lower-case hex",
        ),
    ],
)
def test_a_bad_state_file_is_reported(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "agent.json").write_text(content)
    with pytest.raises(StateError, match=message):
        load(tmp_path)


def test_the_machine_id_of_an_earlier_enrolment_is_kept(tmp_path: Path) -> None:
    save(tmp_path, STATE)
    assert load_machine_id(tmp_path) == "m" * 32
