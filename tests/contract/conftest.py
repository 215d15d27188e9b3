"""Harnesses: each adapter of a port comes with one that seeds and inspects its world.

A suite talks to the port (``harness.system``, ``.fleet``, ``.provider``, ``.notifier``) and
checks real state through the harness, never through the adapter's internals, so that the IMAP
connector and the endpoint agent can be plugged in by adding a harness to the tables below.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Protocol

import pytest

from autoir.connectors.imap import ImapEmailSystem, ImapSettings
from autoir.connectors.memory import (
    DirectoryUser,
    InMemoryEmailSystem,
    InMemoryEndpointFleet,
    InMemoryIdentityProvider,
    InMemoryNotifier,
)
from autoir.mime.identity import derive_network_message_id
from autoir.ports.remediation import (
    CommandOutcome,
    CommandState,
    EmailSystem,
    EndpointFleet,
    IdentityOperation,
    IdentityProvider,
    Notification,
    Notifier,
)
from tests.support.clock import FakeClock
from tests.support.dovecot import DovecotServer, FaultProxy
from tests.support.smtp import SmtpNotifierHarness

# --- Email system ----------------------------------------------------------------------------


class EmailHarness(Protocol):
    """Seeds and inspects the mail system behind ``system``."""

    system: EmailSystem
    retention: timedelta
    """How long a hard-deleted copy is kept sealed."""
    supports_forwarding: bool
    """Whether ``system`` has a forwarding backend (else both forwarding calls are refused)."""

    def deliver(
        self,
        mailbox: str,
        folder: str,
        network_message_id: str,
        internet_message_id: str,
        raw: bytes,
        attachments: list[tuple[str, bytes]] | None = None,
    ) -> None: ...

    def folder_of(self, mailbox: str, network_message_id: str) -> str | None:
        """The folder of the copy; None when it is not in the mailbox (gone or quarantined)."""
        ...

    def raw(self, mailbox: str, network_message_id: str) -> bytes | None: ...

    def attachments(self, mailbox: str, network_message_id: str) -> list[tuple[str, bytes]]: ...

    def messages(self, mailbox: str, folder: str) -> list[str]:
        """Network message ids of the copies in ``folder``."""
        ...

    def is_quarantined(self, mailbox: str, network_message_id: str) -> bool: ...

    def sealed(self, mailbox: str) -> list[bytes]:
        """The bytes of the mailbox's hard-deleted copies still kept."""
        ...

    def set_rules(self, mailbox: str, scripts: Mapping[str, str]) -> None: ...

    def rules(self, mailbox: str) -> dict[str, str]: ...

    def advance(self, delta: timedelta) -> None:
        """Move the mail system's clock forward."""
        ...

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None: ...


class InMemoryEmailHarness:
    """:class:`EmailHarness` for :class:`InMemoryEmailSystem`."""

    retention = timedelta(days=30)
    supports_forwarding = True

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.memory = InMemoryEmailSystem(retention=self.retention, clock=self.clock.now)
        self.system: EmailSystem = self.memory
        self.deliver = self.memory.deliver
        self.folder_of = self.memory.folder_of
        self.set_rules = self.memory.set_rules
        self.rules = self.memory.rules
        self.fail_next = self.memory.fail_next

    def raw(self, mailbox: str, network_message_id: str) -> bytes | None:
        message = self.memory.message(mailbox, network_message_id)
        return message.raw if message is not None else None

    def attachments(self, mailbox: str, network_message_id: str) -> list[tuple[str, bytes]]:
        message = self.memory.message(mailbox, network_message_id)
        return list(message.attachments) if message is not None else []

    def messages(self, mailbox: str, folder: str) -> list[str]:
        return [m.network_message_id for m in self.memory.messages(mailbox, folder)]

    def is_quarantined(self, mailbox: str, network_message_id: str) -> bool:
        held = self.memory.quarantined(mailbox)
        return any(m.network_message_id == network_message_id for m in held)

    def sealed(self, mailbox: str) -> list[bytes]:
        return [m.raw for m in self.memory.sealed_copies(mailbox)]

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(seconds=delta.total_seconds())


# AutoIR's folder names → the IMAP connector's defaults (its package docstring).
IMAP_FOLDERS = {"Inbox": "INBOX", "Deleted Items": "Trash", "Junk": "Junk", "Archive": "Archive"}
AUTOIR_FOLDERS = {imap: autoir for autoir, imap in IMAP_FOLDERS.items()}
_STORE_FIRST = re.compile(rb"^X-AutoIR-Store: 1; lines=(\d+)\r\n")


def _imap_identity(raw: bytes) -> str:
    """A copy's network message id as the IMAP connector documents it."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    found = re.search(rb"^X-AutoIR-Network-Message-Id: *(\S+)", head, re.IGNORECASE | re.MULTILINE)
    return found.group(1).decode() if found else derive_network_message_id(raw)


def _unwrap(stored: bytes) -> tuple[dict[str, str], bytes]:
    """Fields and original bytes of a copy in the admin store (the documented envelope)."""
    first = _STORE_FIRST.match(stored)
    assert first is not None, stored[:80]
    lines = stored.split(b"\r\n", int(first.group(1)) + 1)
    fields = {}
    for line in lines[1:-1]:
        name, _, value = line.decode().partition(": ")
        fields[name.removeprefix("X-AutoIR-")] = value
    return fields, lines[-1]


class DovecotEmailHarness:
    """:class:`EmailHarness` for :class:`ImapEmailSystem` on a real Dovecot.

    The connector reaches Dovecot through a :class:`FaultProxy`, so ``fail_next`` makes real
    network faults (cut connections) or a real misconfiguration (a port that is not IMAP).
    Forwarding is ManageSieve's (another connector): without its delegate the connector refuses
    both forwarding calls, which the contract checks.
    """

    retention = timedelta(days=30)
    supports_forwarding = False

    def __init__(self, server: DovecotServer, state_dir: Path) -> None:
        self.server = server
        self.clock = FakeClock()
        self.proxy = FaultProxy(server.host, server.imap_port, server.sieve_port)
        settings = ImapSettings(
            host=server.host,
            port=self.proxy.port,
            security="plain",
            master_user=server.master_user,
            master_password=server.master_password,
            store_mailbox=server.store_mailbox,
            retention=self.retention,
            timeout=5.0,
        )
        self.imap = ImapEmailSystem(settings, state_dir, clock=self.clock.now)
        self.system: EmailSystem = self.imap

    def close(self) -> None:
        self.imap.close()
        self.proxy.close()

    def deliver(
        self,
        mailbox: str,
        folder: str,
        network_message_id: str,
        internet_message_id: str,
        raw: bytes,
        attachments: list[tuple[str, bytes]] | None = None,
    ) -> None:
        del internet_message_id  # read from the Message-ID header by the server
        assert network_message_id == derive_network_message_id(raw), "IMAP derives the id"
        assert attachments is None, "IMAP reads attachments from the MIME parts"
        self.server.deliver(mailbox, IMAP_FOLDERS.get(folder, folder), raw)

    def _copy(self, mailbox: str, network_message_id: str) -> tuple[str, bytes] | None:
        found = self.server.find(mailbox, lambda raw: _imap_identity(raw) == network_message_id)
        return found[0] if found else None

    def folder_of(self, mailbox: str, network_message_id: str) -> str | None:
        found = self._copy(mailbox, network_message_id)
        return AUTOIR_FOLDERS.get(found[0], found[0]) if found else None

    def raw(self, mailbox: str, network_message_id: str) -> bytes | None:
        found = self._copy(mailbox, network_message_id)
        return found[1] if found else None

    def attachments(self, mailbox: str, network_message_id: str) -> list[tuple[str, bytes]]:
        found = self._copy(mailbox, network_message_id)
        if found is None:
            return []
        parsed = message_from_bytes(found[1], policy=policy.default)
        return [
            (part.get_filename() or "attachment", part.get_payload(decode=True))
            for part in parsed.walk()
            if not part.is_multipart()
            and (part.get_content_disposition() == "attachment" or part.get_filename())
        ]

    def messages(self, mailbox: str, folder: str) -> list[str]:
        raws = self.server.messages(mailbox, IMAP_FOLDERS.get(folder, folder))
        return [_imap_identity(raw) for raw in raws]

    def _stored(self, folder: str, mailbox: str) -> list[tuple[dict[str, str], bytes]]:
        kept = [_unwrap(raw) for raw in self.server.messages(self.server.store_mailbox, folder)]
        return [(fields, raw) for fields, raw in kept if fields["Mailbox"] == mailbox.lower()]

    def is_quarantined(self, mailbox: str, network_message_id: str) -> bool:
        held = self._stored("Quarantine", mailbox)
        return any(fields["Network-Message-Id"] == network_message_id for fields, _ in held)

    def sealed(self, mailbox: str) -> list[bytes]:
        return [raw for _, raw in self._stored("Sealed", mailbox)]

    def set_rules(self, mailbox: str, scripts: Mapping[str, str]) -> None:  # noqa: ARG002
        raise AssertionError("forwarding is not configured for this harness")

    def rules(self, mailbox: str) -> dict[str, str]:  # noqa: ARG002
        raise AssertionError("forwarding is not configured for this harness")

    def advance(self, delta: timedelta) -> None:
        """Move the connector's clock; its retention sweep (run by every apply) runs now."""
        self.clock.advance(seconds=delta.total_seconds())
        self.imap.purge_expired()

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None:
        self.proxy.fail_next(n, transient=transient)


def _dovecot_harness(request: pytest.FixtureRequest) -> EmailHarness:
    server: DovecotServer = request.getfixturevalue("dovecot")
    harness = DovecotEmailHarness(server, Path(tempfile.mkdtemp(prefix="autoir-imap-state-")))
    request.addfinalizer(harness.close)
    return harness


EMAIL_HARNESSES: dict[str, Callable[[pytest.FixtureRequest], EmailHarness]] = {
    "memory": lambda _: InMemoryEmailHarness(),
    "dovecot": _dovecot_harness,
}
EMAIL_HARNESS_MARKS = {"dovecot": [pytest.mark.dovecot]}


@pytest.fixture(
    params=[
        pytest.param(name, marks=EMAIL_HARNESS_MARKS.get(name, []))
        for name in sorted(EMAIL_HARNESSES)
    ]
)
def mailboxes(request: pytest.FixtureRequest) -> EmailHarness:
    """A fresh, empty mail system behind each adapter."""
    return EMAIL_HARNESSES[request.param](request)


# --- Endpoint fleet --------------------------------------------------------------------------


class FleetHarness(Protocol):
    """Enrols and inspects the devices behind ``fleet``."""

    fleet: EndpointFleet

    def enroll(
        self,
        device_id: str,
        files: Mapping[str, bytes],
        processes: Mapping[int, str],
        scheduled_tasks: Mapping[str, str] | None = None,
        *,
        online: bool = True,
    ) -> None: ...

    def set_online(self, device_id: str, online: bool) -> None:
        """Stop the device's check-ins, or let it check in again."""
        ...

    def add_indicator(self, sha256: str) -> None:
        """A SHA-256 antivirus scans detect."""
        ...

    def files(self, device_id: str) -> dict[str, bytes]: ...

    def processes(self, device_id: str) -> dict[int, str]: ...

    def scheduled_tasks(self, device_id: str) -> dict[str, str]: ...

    def isolation(self, device_id: str) -> str | None: ...

    def is_code_restricted(self, device_id: str) -> bool: ...

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None: ...


class InMemoryFleetHarness:
    """:class:`FleetHarness` for :class:`InMemoryEndpointFleet`."""

    def __init__(self) -> None:
        self.memory = InMemoryEndpointFleet()
        self.fleet: EndpointFleet = self.memory
        self.enroll = self.memory.enroll
        self.set_online = self.memory.set_online
        self.add_indicator = self.memory.add_indicator
        self.files = self.memory.files
        self.processes = self.memory.processes
        self.scheduled_tasks = self.memory.scheduled_tasks
        self.isolation = self.memory.isolation
        self.is_code_restricted = self.memory.is_code_restricted
        self.fail_next = self.memory.fail_next


FLEET_HARNESSES: dict[str, Callable[[], FleetHarness]] = {"memory": InMemoryFleetHarness}


@pytest.fixture(params=sorted(FLEET_HARNESSES))
def fleet(request: pytest.FixtureRequest) -> FleetHarness:
    """A fresh fleet with no device behind each adapter."""
    return FLEET_HARNESSES[request.param]()


def settle(fleet: EndpointFleet, action_id: str, timeout: float = 10.0) -> CommandOutcome:
    """Poll a dispatched command until it is no longer ``InProgress``."""
    deadline = time.monotonic() + timeout
    while True:
        outcome = fleet.outcome(action_id)
        assert outcome is not None, f"{action_id} was never dispatched"
        if outcome.state is not CommandState.IN_PROGRESS or time.monotonic() > deadline:
            return outcome
        time.sleep(0.05)


# --- Identity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserState:
    """An account as the directory holds it."""

    enabled: bool
    sessions: int
    password_version: int
    compromised: bool


class IdentityHarness(Protocol):
    """Seeds and inspects the directory behind ``provider``."""

    provider: IdentityProvider

    def add_user(self, upn: str, *, enabled: bool = True, sessions: int = 0) -> None: ...

    def state(self, upn: str) -> UserState: ...

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None: ...


class InMemoryIdentityHarness:
    """:class:`IdentityHarness` for :class:`InMemoryIdentityProvider`."""

    def __init__(self, supports: frozenset[IdentityOperation] | None = None) -> None:
        self.memory = InMemoryIdentityProvider(supports=supports)
        self.provider: IdentityProvider = self.memory
        self.fail_next = self.memory.fail_next

    def add_user(self, upn: str, *, enabled: bool = True, sessions: int = 0) -> None:
        self.memory.add_user(upn, DirectoryUser(enabled=enabled, sessions=sessions))

    def state(self, upn: str) -> UserState:
        user = self.memory.user(upn)
        assert user is not None, upn
        return UserState(user.enabled, user.sessions, user.password_version, user.compromised)


IDENTITY_HARNESSES: dict[str, Callable[[], IdentityHarness]] = {
    "memory": InMemoryIdentityHarness,
    # A directory without a risk engine or password write-back (what ``supports`` is for).
    "memory-limited": lambda: InMemoryIdentityHarness(
        frozenset({IdentityOperation.DISABLE, IdentityOperation.ENABLE})
    ),
}


@pytest.fixture(params=sorted(IDENTITY_HARNESSES))
def identity(request: pytest.FixtureRequest) -> IdentityHarness:
    """A fresh, empty directory behind each adapter."""
    return IDENTITY_HARNESSES[request.param]()


# --- Notifier --------------------------------------------------------------------------------


class NotifierHarness(Protocol):
    """Reads what ``notifier`` sent."""

    notifier: Notifier

    def sent(self) -> list[tuple[str, Notification]]:
        """Message id and notification of everything delivered, oldest first."""
        ...

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None: ...


class InMemoryNotifierHarness:
    """:class:`NotifierHarness` for :class:`InMemoryNotifier`."""

    def __init__(self) -> None:
        self.memory = InMemoryNotifier()
        self.notifier: Notifier = self.memory
        self.fail_next = self.memory.fail_next

    def sent(self) -> list[tuple[str, Notification]]:
        return [(s.message_id, s.notification) for s in self.memory.outbox]


NOTIFIER_HARNESSES: dict[str, Callable[[], NotifierHarness]] = {
    "memory": InMemoryNotifierHarness,
    "smtp": SmtpNotifierHarness,  # aiosmtpd on loopback: STARTTLS, AUTH PLAIN
}


@pytest.fixture(params=sorted(NOTIFIER_HARNESSES))
def notifier(request: pytest.FixtureRequest) -> NotifierHarness:
    """A fresh notifier with an empty outbox behind each adapter."""
    return NOTIFIER_HARNESSES[request.param]()
