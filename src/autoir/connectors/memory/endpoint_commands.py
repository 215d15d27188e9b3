"""What an in-memory endpoint agent does for each machine action, on one host's state.

Every file a command removes (stop and quarantine, live-response delete) goes to the host's
quarantine with its path and bytes, so that release restores it exactly.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autoir.domain.errors import ConnectorRejected
from autoir.ports.remediation import CommandOutcome, CommandState, DeviceCommand, DeviceOperation

Op = DeviceOperation
QUICK_SCAN_ROOTS = (
    "/tmp/",  # noqa: S108 - a directory a quick scan reads, not a file this module writes
    "/var/tmp/",  # noqa: S108 - as above
    "/dev/shm/",  # noqa: S108 - as above
    "/etc/cron",
    "/etc/systemd/",
)
"""Besides the images of running processes, where a quick scan looks (staging and persistence)."""
DEFAULT_MAX_SAMPLE_BYTES = 4 * 1024 * 1024

_REQUIRED: dict[DeviceOperation, tuple[str, ...]] = {
    Op.STOP_AND_QUARANTINE_FILE: ("sha256",),
    Op.REQUEST_SAMPLE: ("sha256",),
    Op.DELETE_FILE: ("sha256", "path"),
    Op.STOP_PROCESS: ("pid", "sha256"),
    Op.REMOVE_SCHEDULED_TASK: ("name",),
    Op.RELEASE_FROM_QUARANTINE: ("quarantineIds", "sha256"),
}
"""Parameters an operation needs (any one of them)."""
_CHOICES: dict[DeviceOperation, tuple[str, tuple[str, ...]]] = {
    Op.ISOLATE: ("isolationType", ("Full", "Selective")),
    Op.RUN_ANTIVIRUS_SCAN: ("scanType", ("Quick", "Full")),
}
"""Enumerated parameters: name and allowed values, the first being the default."""


@dataclass(frozen=True, slots=True)
class QuarantinedFile:
    """A file held in a host's quarantine: where it was and its exact bytes."""

    quarantine_id: str
    path: str
    data: bytes
    sha256: str

    def to_json(self) -> dict[str, Any]:
        """Metadata as reported in command details (without the bytes)."""
        return {
            "quarantineId": self.quarantine_id,
            "path": self.path,
            "size": len(self.data),
            "sha256": self.sha256,
        }


@dataclass(slots=True)
class Host:
    """One enrolled device's state: what the agent sees and changes."""

    files: dict[str, bytes]
    processes: dict[int, str]
    scheduled_tasks: dict[str, str]
    online: bool = True
    isolation: str | None = None
    code_restricted: bool = False
    offboarded: bool = False
    quarantine: dict[str, QuarantinedFile] = field(default_factory=dict)
    declared: dict[str, str] = field(default_factory=dict)
    """SHA-256 of files whose bytes are placeholders (path → hash): the demo's stand-in hosts
    hold files that telemetry names by hash but whose real contents AutoIR never had."""

    def digest(self, path: str) -> str:
        """The SHA-256 of the file at ``path`` (declared, or of its bytes)."""
        return self.declared.get(path) or _sha256(self.files[path])

    def paths_with(self, sha256: str) -> list[str]:
        """The paths of every file with this SHA-256."""
        return sorted(path for path in self.files if self.digest(path) == sha256)

    def hold(self, path: str, quarantine_id: str) -> QuarantinedFile:
        """Move the file at ``path`` into the quarantine."""
        digest = self.digest(path)
        data = self.files.pop(path)
        self.declared.pop(path, None)
        entry = QuarantinedFile(quarantine_id, path, data, digest)
        self.quarantine[quarantine_id] = entry
        return entry

    def restore(self, entry: QuarantinedFile) -> None:
        """Put a quarantined file back where it was, byte for byte."""
        self.files[entry.path] = entry.data
        if entry.sha256 != _sha256(entry.data):
            self.declared[entry.path] = entry.sha256

    def instances(
        self, command: DeviceCommand, sha256: str | None, *, required: bool = False
    ) -> list[str]:
        """The files a command targets: its ``path`` (checked) or every copy of the hash."""
        path = command.parameters.get("path")
        if path is not None:
            path = str(path)
            if path not in self.files:
                raise CommandFailedError(f"{path} does not exist.")
            if sha256 is not None and self.digest(path) != sha256:
                raise CommandFailedError(f"{path} does not have the SHA-256 {sha256}.")
            return [path]
        paths = self.paths_with(sha256) if sha256 is not None else []
        if required and not paths:
            raise CommandFailedError(f"No file with the SHA-256 {sha256} is on the device.")
        return paths

    def pids_running(self, sha256: str) -> list[int]:
        """The processes whose image has this SHA-256."""
        return sorted(
            pid
            for pid, image in self.processes.items()
            if image in self.files and self.digest(image) == sha256
        )


class CommandFailedError(Exception):
    """The device ran the command and it failed (the outcome is ``Failed``)."""


_Executor = Callable[[Host, DeviceCommand], Mapping[str, Any]]


class CommandRunner:
    """Carries out machine actions on hosts, as an endpoint agent would."""

    def __init__(self, *, known_bad: set[str], max_sample_bytes: int) -> None:
        self.known_bad = known_bad
        self.packages: dict[str, dict[str, bytes]] = {}
        self._max_sample_bytes = max_sample_bytes
        self._quarantine_ids = itertools.count(1)
        self._executors: dict[DeviceOperation, _Executor] = {
            Op.ISOLATE: self._isolate,
            Op.UNISOLATE: self._unisolate,
            Op.RESTRICT_CODE_EXECUTION: lambda host, _: _restrict(host, restricted=True),
            Op.UNRESTRICT_CODE_EXECUTION: lambda host, _: _restrict(host, restricted=False),
            Op.RUN_ANTIVIRUS_SCAN: self._scan,
            Op.STOP_AND_QUARANTINE_FILE: self._stop_and_quarantine,
            Op.RELEASE_FROM_QUARANTINE: self._release,
            Op.COLLECT_INVESTIGATION_PACKAGE: self._collect_package,
            Op.REQUEST_SAMPLE: self._sample,
            Op.OFFBOARD: self._offboard,
            Op.DELETE_FILE: self._delete_file,
            Op.STOP_PROCESS: self._stop_process,
            Op.REMOVE_SCHEDULED_TASK: self._remove_task,
        }

    def run(self, host: Host, command: DeviceCommand) -> CommandOutcome:
        """Carry out ``command`` on ``host``: ``Succeeded`` with details, or ``Failed``."""
        if host.offboarded:
            error = "The device was offboarded before the command ran."
            return CommandOutcome(CommandState.FAILED, error=error)
        try:
            details = self._executors[command.operation](host, command)
        except CommandFailedError as failure:
            return CommandOutcome(CommandState.FAILED, error=str(failure))
        return CommandOutcome(CommandState.SUCCEEDED, dict(details))

    def _new_quarantine_id(self) -> str:
        return f"q{next(self._quarantine_ids)}"

    def _isolate(self, host: Host, command: DeviceCommand) -> Mapping[str, Any]:
        host.isolation = _choice(command)
        return {"isolationType": host.isolation}

    def _unisolate(self, host: Host, _: DeviceCommand) -> Mapping[str, Any]:
        previous, host.isolation = host.isolation, None
        return {"previousIsolationType": previous}

    def _scan(self, host: Host, command: DeviceCommand) -> Mapping[str, Any]:
        scan_type = _choice(command)
        paths = sorted(host.files)
        if scan_type == "Quick":
            images = set(host.processes.values())
            paths = [p for p in paths if p in images or p.startswith(QUICK_SCAN_ROOTS)]
        threats = [
            {"path": path, "sha256": digest}
            for path in paths
            if (digest := host.digest(path)) in self.known_bad
        ]
        return {"scanType": scan_type, "scannedFiles": len(paths), "threats": threats}

    def _stop_and_quarantine(self, host: Host, command: DeviceCommand) -> Mapping[str, Any]:
        sha256 = _sha(command)
        paths = host.instances(command, sha256)
        stopped = host.pids_running(sha256)
        for pid in stopped:
            del host.processes[pid]
        held = [host.hold(path, self._new_quarantine_id()) for path in paths]
        return {
            "sha256": sha256,
            "stoppedProcesses": stopped,
            "quarantined": [entry.to_json() for entry in held],
            "quarantineIds": [entry.quarantine_id for entry in held],
        }

    def _release(self, host: Host, command: DeviceCommand) -> Mapping[str, Any]:
        wanted = command.parameters.get("quarantineIds")
        if wanted:
            ids = [str(i) for i in wanted]
        else:
            sha256 = _sha(command)
            ids = [q.quarantine_id for q in host.quarantine.values() if q.sha256 == sha256]
        released, missing = [], []
        for quarantine_id in ids:
            entry = host.quarantine.pop(quarantine_id, None)
            if entry is None:
                missing.append(quarantine_id)
                continue
            host.restore(entry)
            released.append(entry.to_json())
        return {"released": released, "notFound": missing}

    def _collect_package(self, host: Host, command: DeviceCommand) -> Mapping[str, Any]:
        listing = [
            {"path": path, "size": len(data), "sha256": host.digest(path)}
            for path, data in sorted(host.files.items())
        ]
        contents = {
            "processes.json": {str(pid): image for pid, image in sorted(host.processes.items())},
            "files.json": listing,
            "scheduled_tasks.json": dict(sorted(host.scheduled_tasks.items())),
            "state.json": {"isolation": host.isolation, "codeRestricted": host.code_restricted},
        }
        package = {name: json.dumps(value, indent=2).encode() for name, value in contents.items()}
        self.packages[command.action_id] = package
        artifacts = [
            {"name": name, "size": len(data), "sha256": _sha256(data)}
            for name, data in package.items()
        ]
        return {"packageId": command.action_id, "artifacts": artifacts}

    def _sample(self, host: Host, command: DeviceCommand) -> Mapping[str, Any]:
        sha256 = _sha(command)
        path = host.instances(command, sha256, required=True)[0]
        data = host.files[path]
        details: dict[str, Any] = {"sha256": sha256, "path": path, "size": len(data)}
        if len(data) <= self._max_sample_bytes:
            details["contentBase64"] = base64.b64encode(data).decode("ascii")
        return details

    def _offboard(self, host: Host, _: DeviceCommand) -> Mapping[str, Any]:
        host.offboarded = True
        host.online = False
        return {"offboarded": True}

    def _delete_file(self, host: Host, command: DeviceCommand) -> Mapping[str, Any]:
        sha256 = _sha(command) if command.parameters.get("sha256") else None
        paths = host.instances(command, sha256, required=True)
        held = [host.hold(path, self._new_quarantine_id()) for path in paths]
        return {"deleted": paths, "quarantineIds": [entry.quarantine_id for entry in held]}

    def _stop_process(self, host: Host, command: DeviceCommand) -> Mapping[str, Any]:
        pid = command.parameters.get("pid")
        pids = [int(pid)] if pid is not None else host.pids_running(_sha(command))
        if not pids or any(p not in host.processes for p in pids):
            raise CommandFailedError("No such process is running.")
        for p in pids:
            del host.processes[p]
        return {"stoppedProcesses": pids}

    def _remove_task(self, host: Host, command: DeviceCommand) -> Mapping[str, Any]:
        name = str(command.parameters["name"])
        if name not in host.scheduled_tasks:
            raise CommandFailedError(f"No scheduled task named {name!r}.")
        return {"removed": name, "definition": host.scheduled_tasks.pop(name)}


def _restrict(host: Host, *, restricted: bool) -> Mapping[str, Any]:
    host.code_restricted = restricted
    return {"codeRestricted": restricted}


def check_parameters(command: DeviceCommand) -> None:
    """Raise :class:`ConnectorRejected` when the command's parameters cannot work."""
    parameters = command.parameters
    needed = _REQUIRED.get(command.operation, ())
    if needed and not any(parameters.get(name) not in (None, "", [], ()) for name in needed):
        raise ConnectorRejected(f"{command.operation.value} needs {' or '.join(needed)}.")
    if command.operation in _CHOICES:
        name, allowed = _CHOICES[command.operation]
        if parameters.get(name, allowed[0]) not in allowed:
            raise ConnectorRejected(f"{name} must be one of {', '.join(allowed)}.")
    pid = parameters.get("pid")
    if pid is not None and (isinstance(pid, bool) or not str(pid).isdigit()):
        raise ConnectorRejected("pid must be a process id.")
    ids = parameters.get("quarantineIds")
    if ids is not None and (isinstance(ids, str) or not isinstance(ids, list | tuple)):
        raise ConnectorRejected("quarantineIds must be a list.")


def _choice(command: DeviceCommand) -> str:
    name, allowed = _CHOICES[command.operation]
    return str(command.parameters.get(name, allowed[0]))


def _sha(command: DeviceCommand) -> str:
    return str(command.parameters["sha256"]).strip().lower()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
