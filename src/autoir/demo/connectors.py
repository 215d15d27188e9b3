"""The demo tenant's mailboxes, devices and users, put into the stand-in connectors.

Until the IMAP connector (issue 5) and the Linux endpoint agent (issue 6) land, remediation runs
against in-memory adapters (``autoir.connectors.memory``) that start empty, so every email action
on the demo would fail with "No such mailbox". :func:`seed_connectors` fills them with what the
demo's telemetry says exists:

- each message copy in its recipient's mailbox, in the folder its ``deliveryLocation`` names
  (``inbox`` → Inbox, ``junkFolder`` → Junk, ``deletedFolder`` → Deleted Items); quarantined,
  outbound and dropped mail is in no mailbox and is left out. The copy is a short stand-in
  message (headers and a line of text, attachments by name with placeholder bytes), not the
  original, which the demo never had;
- each device enrolled with the files its endpoint events mention (file events and process
  images) at their paths, and every process its events name taken to be still running (a
  stand-in host has no process table of its own), so that the alerts' processes can be stopped
  by process id. The files' bytes are placeholders too; the SHA-256 the telemetry gives each is
  declared to the stand-in fleet, so that actions that look for a file or an image by its hash
  (stop and quarantine, scans with indicators, stopping by image) find it as on a real host. No
  scheduled tasks exist;
- each user as an enabled account.

The adapters are reached through small structural protocols (this package imports nothing of
AutoIR's adapters or ports); a connector that is not a stand-in (no ``deliver``/``enroll``/
``add_user``) is left alone. Seeding twice leaves copies already in a mailbox where they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from autoir.demo.directory import DemoDevice, DemoUser

FOLDERS = {"inbox": "Inbox", "junkFolder": "Junk", "deletedFolder": "Deleted Items"}
"""Mailbox folder of each ``deliveryLocation`` that is in a mailbox."""

Record = Mapping[str, object]


@runtime_checkable
class MailDrop(Protocol):
    """A mail system that messages can be delivered into (the in-memory one)."""

    def deliver(
        self,
        mailbox: str,
        folder: str,
        network_message_id: str,
        internet_message_id: str,
        raw: bytes,
        attachments: list[tuple[str, bytes]] | None = None,
    ) -> None:
        """Put a copy into ``folder`` of ``mailbox``; ValueError when it is there already."""
        ...


@runtime_checkable
class HostEnrolment(Protocol):
    """An endpoint fleet that hosts can be enrolled in (the in-memory one)."""

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
        """Add or replace a host."""
        ...


@runtime_checkable
class AccountDirectory(Protocol):
    """A directory that accounts can be added to (the in-memory one)."""

    def add_user(self, upn: str) -> None:
        """Add or replace an account."""
        ...


@dataclass(frozen=True, slots=True)
class SeedCounts:
    """What :func:`seed_connectors` put in."""

    messages: int = 0
    """Copies delivered now."""
    already_there: int = 0
    """Copies a mailbox held already (an earlier seeding)."""
    not_in_a_mailbox: int = 0
    """Quarantined, outbound, dropped or unknown: left out."""
    mailboxes: int = 0
    devices: int = 0
    files: int = 0
    users: int = 0


def seed_connectors(
    connectors: object,
    telemetry_messages: Iterable[Record],
    devices: Iterable[DemoDevice | str],
    *,
    endpoint_events: Iterable[Record] = (),
    users: Iterable[DemoUser | str] = (),
) -> SeedCounts:
    """Deliver the messages, enroll the devices with their files, add the users.

    ``connectors`` has ``email``, ``endpoints`` and ``identity`` (the remediation wiring's
    ``Connectors``); records are in the ingest formats of docs/telemetry.md (``messages`` and
    ``endpointEvents``), as the demo generator makes them or as stored telemetry reads back.
    """
    email = getattr(connectors, "email", None)
    fleet = getattr(connectors, "endpoints", None)
    identity = getattr(connectors, "identity", None)
    delivered = already = left_out = 0
    mailboxes: set[str] = set()
    if isinstance(email, MailDrop):
        for record in telemetry_messages:
            outcome = _deliver(email, record)
            if outcome is None:
                left_out += 1
                continue
            mailboxes.add(outcome[0])
            if outcome[1]:
                delivered += 1
            else:
                already += 1
    enrolled = files = 0
    if isinstance(fleet, HostEnrolment):
        hosts = hosts_by_device(endpoint_events)
        for device in devices:
            device_id = (device.device_id if isinstance(device, DemoDevice) else device).lower()
            host = hosts.get(device_id, Host())
            fleet.enroll(device_id, files=host.files, processes=host.processes, hashes=host.hashes)
            enrolled += 1
            files += len(host.files)
    accounts = 0
    if isinstance(identity, AccountDirectory):
        for user in users:
            identity.add_user(user.upn if isinstance(user, DemoUser) else user)
            accounts += 1
    return SeedCounts(delivered, already, left_out, len(mailboxes), enrolled, files, accounts)


def _deliver(email: MailDrop, record: Record) -> tuple[str, bool] | None:
    """Deliver one copy: (mailbox, whether it was new), None when it is in no mailbox."""
    folder = FOLDERS.get(str(record.get("deliveryLocation") or ""))
    mailbox = str(record.get("recipientEmailAddress") or "").strip().lower()
    network_id = str(record.get("networkMessageId") or "")
    if folder is None or not mailbox or not network_id:
        return None
    internet_id = str(record.get("internetMessageId") or f"<{network_id}@demo.invalid>")
    attachments = [
        (name, _placeholder(name, str(item.get("sha256") or "")))
        for item in _objects(record.get("attachments"))
        if (name := str(item.get("fileName") or item.get("name") or ""))
    ]
    try:
        email.deliver(
            mailbox, folder, network_id, internet_id, stand_in_message(record), attachments
        )
    except ValueError:  # seeded before: the copy is where remediation left it
        return mailbox, False
    return mailbox, True


def stand_in_message(record: Record) -> bytes:
    """The bytes of a stand-in copy: the record's headers and a line saying what it is."""
    sender = record.get("senderFromAddress") or "unknown@demo.invalid"
    lines = [
        f"From: {sender}",
        f"To: {record.get('recipientEmailAddress')}",
        f"Subject: {_header(record.get('subject'))}",
        f"Message-ID: {record.get('internetMessageId') or ''}",
        f"Date: {record.get('receivedDateTime') or ''}",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "A stand-in copy of a demo message (AutoIR's in-memory mail system).",
        "",
    ]
    return "\r\n".join(lines).encode()


@dataclass(slots=True)
class Host:
    """What a stand-in host holds: files (path → placeholder bytes), processes (pid → image)."""

    files: dict[str, bytes] = field(default_factory=dict)
    processes: dict[int, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    """The telemetry's SHA-256 of each placeholder file, declared to the stand-in fleet."""


def hosts_by_device(events: Iterable[Record]) -> dict[str, Host]:
    """Device id → the files its events mention and the processes they name (by process id)."""
    found: dict[str, Host] = {}
    for event in events:
        device_id = str(event.get("deviceId") or "").lower()
        if not device_id:
            continue
        host = found.setdefault(device_id, Host())
        for name in ("file", "process"):
            detail = event.get(name)
            if not isinstance(detail, Mapping):
                continue
            path = _path(detail.get("folderPath"), detail.get("fileName"))
            if path is None:
                continue
            sha256 = str(detail.get("sha256") or "")
            host.files[path] = _placeholder(path, sha256)
            if sha256:
                host.hashes[path] = sha256
            pid = detail.get("processId")
            if name == "process" and isinstance(pid, int) and not isinstance(pid, bool):
                host.processes[pid] = path
    return found


def _path(folder: object, name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return None
    if not isinstance(folder, str) or not folder:
        return name
    separator = "\\" if "\\" in folder or (len(folder) > 1 and folder[1] == ":") else "/"
    return folder.rstrip("\\/") + separator + name


def _placeholder(name: str, sha256: str) -> bytes:
    """Bytes standing in for a file the demo only knows by name and hash."""
    return f"AutoIR demo stand-in for {name} (telemetry SHA-256 {sha256 or 'unknown'})\n".encode()


def _objects(value: object) -> Sequence[Mapping[str, object]]:
    if not isinstance(value, list | tuple):
        return ()
    return [item for item in value if isinstance(item, Mapping)]


def _header(value: object) -> str:
    return " ".join(str(value or "").split())
