"""An in-memory endpoint fleet: hosts with files, processes and scheduled tasks.

A command for an offline device waits (``PendingResource``) and runs at the first
:meth:`~InMemoryEndpointFleet.dispatch` or :meth:`~InMemoryEndpointFleet.outcome` call after the
device is back online, as an agent's command runs at its next check-in. Online commands finish
at once (what each does is in :mod:`~autoir.connectors.memory.endpoint_commands`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from autoir.connectors.memory.endpoint_commands import (
    DEFAULT_MAX_SAMPLE_BYTES,
    CommandRunner,
    Host,
    QuarantinedFile,
    check_parameters,
)
from autoir.connectors.memory.faults import FaultInjector
from autoir.domain.errors import ConnectorRejected
from autoir.ports.remediation import CommandOutcome, CommandState, DeviceCommand


@dataclass(slots=True)
class _Command:
    command: DeviceCommand
    outcome: CommandOutcome = field(
        default_factory=lambda: CommandOutcome(CommandState.PENDING_RESOURCE)
    )


class InMemoryEndpointFleet:
    """:class:`~autoir.ports.remediation.EndpointFleet` over dictionaries (thread-safe)."""

    def __init__(
        self,
        *,
        known_bad: Iterable[str] = (),
        max_sample_bytes: int = DEFAULT_MAX_SAMPLE_BYTES,
    ) -> None:
        self._runner = CommandRunner(
            known_bad={sha.lower() for sha in known_bad}, max_sample_bytes=max_sample_bytes
        )
        self._hosts: dict[str, Host] = {}
        self._commands: dict[str, _Command] = {}
        self._pending: list[_Command] = []
        self._faults = FaultInjector()
        self._lock = threading.RLock()

    # --- seeding and inspection (tests, demo) ----------------------------------------------

    def enroll(
        self,
        device_id: str,
        files: Mapping[str, bytes],
        processes: Mapping[int, str],
        scheduled_tasks: Mapping[str, str] | None = None,
        *,
        online: bool = True,
        hashes: Mapping[str, str] | None = None,
    ) -> None:
        """Add a host (path → bytes, pid → image path, task name → definition).

        ``hashes`` declares the SHA-256 of files whose bytes are placeholders (path → hash).
        """
        with self._lock:
            self._hosts[device_id] = Host(
                dict(files),
                dict(processes),
                dict(scheduled_tasks or {}),
                online=online,
                declared={p: h.lower() for p, h in (hashes or {}).items() if p in files},
            )

    def set_online(self, device_id: str, online: bool) -> None:
        """Take the device off or back on line; pending commands run at the next call."""
        with self._lock:
            self._host(device_id).online = online

    def add_indicator(self, sha256: str) -> None:
        """Make antivirus scans report files with this SHA-256."""
        with self._lock:
            self._runner.known_bad.add(sha256.lower())

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None:
        """Make the next ``n`` dispatch/outcome calls raise before acting."""
        with self._lock:
            self._faults.fail_next(n, transient=transient)

    def files(self, device_id: str) -> dict[str, bytes]:
        """The host's files (path → bytes)."""
        with self._lock:
            return dict(self._host(device_id).files)

    def processes(self, device_id: str) -> dict[int, str]:
        """The host's running processes (pid → image path)."""
        with self._lock:
            return dict(self._host(device_id).processes)

    def scheduled_tasks(self, device_id: str) -> dict[str, str]:
        """The host's scheduled tasks (name → definition)."""
        with self._lock:
            return dict(self._host(device_id).scheduled_tasks)

    def quarantine(self, device_id: str) -> list[QuarantinedFile]:
        """The files in the host's quarantine."""
        with self._lock:
            return list(self._host(device_id).quarantine.values())

    def isolation(self, device_id: str) -> str | None:
        """``Full`` or ``Selective`` while isolated, else None."""
        with self._lock:
            return self._host(device_id).isolation

    def is_code_restricted(self, device_id: str) -> bool:
        """Whether only trusted code may run on the host."""
        with self._lock:
            return self._host(device_id).code_restricted

    def is_offboarded(self, device_id: str) -> bool:
        """Whether the host was offboarded."""
        with self._lock:
            return self._host(device_id).offboarded

    def package(self, action_id: str) -> dict[str, bytes] | None:
        """The investigation package a command collected (artifact name → content)."""
        with self._lock:
            found = self._runner.packages.get(action_id)
            return dict(found) if found is not None else None

    # --- EndpointFleet ---------------------------------------------------------------------

    def is_online(self, device_id: str) -> bool:
        """Whether the device would take a command now."""
        with self._lock:
            host = self._hosts.get(device_id)
            return host is not None and host.online and not host.offboarded

    def dispatch(self, command: DeviceCommand) -> CommandOutcome:
        """Run the command now, or keep it for the device's check-in; see the port."""
        with self._lock:
            self._faults.check(f"endpoint {command.operation.value}")
            self._run_pending()
            known = self._commands.get(command.action_id)
            if known is not None:
                return known.outcome
            host = self._hosts.get(command.device_id)
            if host is None:
                raise ConnectorRejected(f"The device {command.device_id!r} is not enrolled.")
            if host.offboarded:
                raise ConnectorRejected(f"The device {command.device_id!r} is offboarded.")
            check_parameters(command)
            entry = _Command(command)
            self._commands[command.action_id] = entry
            if host.online:
                self._execute(entry)
            else:
                self._pending.append(entry)
            return entry.outcome

    def outcome(self, action_id: str) -> CommandOutcome | None:
        """The command's latest outcome (running it if its device came back)."""
        with self._lock:
            self._faults.check("endpoint outcome")
            self._run_pending()
            entry = self._commands.get(action_id)
            return entry.outcome if entry is not None else None

    def cancel(self, action_id: str) -> CommandOutcome | None:
        """Withdraw a waiting command; one that ran keeps its outcome (see the port)."""
        with self._lock:
            self._faults.check("endpoint cancel")
            entry = self._commands.get(action_id)
            if entry is None:
                return None
            if entry in self._pending:
                self._pending.remove(entry)
                entry.outcome = CommandOutcome(
                    CommandState.CANCELLED, error="Cancelled before the device ran it."
                )
            return entry.outcome

    # --- execution -------------------------------------------------------------------------

    def _run_pending(self) -> None:
        """Run, in the order they were dispatched, the waiting commands of online devices."""
        waiting = []
        for entry in self._pending:
            if self._hosts[entry.command.device_id].online:
                self._execute(entry)
            else:
                waiting.append(entry)
        self._pending = waiting

    def _execute(self, entry: _Command) -> None:
        entry.outcome = self._runner.run(self._hosts[entry.command.device_id], entry.command)

    def _host(self, device_id: str) -> Host:
        host = self._hosts.get(device_id)
        if host is None:
            raise KeyError(device_id)
        return host
