"""The agent's state file: ``agent.json`` in the state directory (0700), written 0600.

It holds the server's URL, the CA file to verify it with, the device id and its credential (a
secret), and the machine id sent at enrolment when the host has no ``/etc/machine-id``. Writes
are atomic (a temp file in the same directory, fsync, rename), so a crash never leaves half a
file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_STATE_DIR = Path("/var/lib/autoir-agent")
STATE_FILE = "agent.json"
_DEVICE_ID = re.compile(r"[0-9a-f]{40}")


class StateError(Exception):
    """The state file is missing, unreadable or malformed."""


@dataclass(frozen=True, slots=True)
class AgentState:
    """What ``enroll`` learnt and ``run`` needs."""

    server: str
    ca_file: str | None
    device_id: str
    credential: str
    machine_id: str
    heartbeat_seconds: int = 60

    def to_json(self) -> dict[str, object]:
        """The on-disk form (camelCase keys, like the protocol)."""
        data = asdict(self)
        return {
            "server": data["server"],
            "caFile": data["ca_file"],
            "deviceId": data["device_id"],
            "credential": data["credential"],
            "machineId": data["machine_id"],
            "heartbeatSeconds": data["heartbeat_seconds"],
        }

    @classmethod
    def from_json(cls, data: object) -> AgentState:
        """Parse the on-disk form; :class:`StateError` names the first bad field."""
        if not isinstance(data, dict):
            raise StateError("the state file does not hold a JSON object")
        strings = {}
        for key in ("server", "deviceId", "credential", "machineId"):
            value = data.get(key)
            if not isinstance(value, str) or not value:
                raise StateError(f"the state file has no valid {key!r}")
            strings[key] = value
        if not _DEVICE_ID.fullmatch(strings["deviceId"]):
            raise StateError("the state file's 'deviceId' is not 40 lower-case hex digits")
        ca_file = data.get("caFile")
        if ca_file is not None and not isinstance(ca_file, str):
            raise StateError("the state file's 'caFile' is not a path")
        interval = data.get("heartbeatSeconds", 60)
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
            raise StateError("the state file's 'heartbeatSeconds' is not a positive integer")
        return cls(
            server=strings["server"],
            ca_file=ca_file,
            device_id=strings["deviceId"],
            credential=strings["credential"],
            machine_id=strings["machineId"],
            heartbeat_seconds=interval,
        )


def state_path(state_dir: Path) -> Path:
    """Where the state file lives."""
    return state_dir / STATE_FILE


def load(state_dir: Path) -> AgentState:
    """Read the state; :class:`StateError` when the host is not enrolled or the file is bad."""
    path = state_path(state_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StateError(
            f"not enrolled: {path} does not exist (run `autoir-agent enroll` first)"
        ) from None
    except OSError as exc:
        raise StateError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateError(f"{path} is not valid JSON ({exc.msg})") from None
    return AgentState.from_json(data)


def load_machine_id(state_dir: Path) -> str | None:
    """The machine id kept by an earlier enrolment, if any (re-enrolment keeps the device id)."""
    try:
        data = json.loads(state_path(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("machineId") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def save(state_dir: Path, state: AgentState) -> Path:
    """Write the state atomically: directory 0700, file 0600 (it holds the credential)."""
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    state_dir.chmod(0o700)
    path = state_path(state_dir)
    tmp = state_dir / f".{STATE_FILE}.{os.getpid()}.tmp"
    payload = json.dumps(state.to_json(), indent=2, sort_keys=True).encode() + b"\n"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o600)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    directory = os.open(state_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return path
