"""Port for reading mailboxes: the telemetry half of the organisation's mail system.

A :class:`MailboxSource` hands every message it has not handed before to a sink, folder by
folder in UID order, in batches. It keeps a cursor per (mailbox, folder): the folder's
UIDVALIDITY and the highest UID whose batch the sink accepted. A cursor moves only after the
sink returned, so a crash, a dropped connection or a sink that raises re-delivers that batch on
the next scan: delivery is at least once, and the sink must be idempotent (telemetry is keyed by
network message id, so storing a batch twice stores it once). A changed UIDVALIDITY re-reads
the folder from the start.

Folder names are in AutoIR's vocabulary: ``Inbox``, ``Deleted Items``, ``Junk``, ``Archive``
(the server's trash, junk and archive folders, whatever they are called there) and every other
folder by its path with ``/`` as the separator, decoded from IMAP's modified UTF-7.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from autoir.domain.mailflow.reports import Report
from autoir.domain.messages.message import EmailMessage


@dataclass(frozen=True, slots=True)
class ScannedMessage:
    """One message as found in one folder of one mailbox."""

    mailbox: str
    """The mailbox's address, lower-case."""
    folder: str
    uid: int
    uid_validity: int
    raw: bytes = field(repr=False)
    internal_date: datetime | None = None
    """When the server received it (IMAP INTERNALDATE), timezone-aware."""
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """Where a scan is: mailboxes finished of those asked for, and messages handed so far."""

    mailboxes_done: int
    mailboxes_total: int
    messages: int


@dataclass(frozen=True, slots=True)
class ScanReport:
    """What one scan did. ``failed`` maps a mailbox to why it could not be (fully) read."""

    mailboxes: int
    folders: int
    messages: int
    failed: dict[str, str] = field(default_factory=dict)


MessageSink = Callable[[Sequence[ScannedMessage]], None]
"""Receives one batch (one folder of one mailbox, UID order); raising keeps the cursor."""


class MailboxSource(Protocol):
    """Incremental reading of mailboxes (IMAP in ``autoir.connectors.imap``)."""

    def scan(
        self,
        mailboxes: Sequence[str],
        sink: MessageSink,
        *,
        folders: Sequence[str] | None = None,
        progress: Callable[[ScanProgress], None] | None = None,
    ) -> ScanReport:
        """Hand every message of ``mailboxes`` not yet handed to ``sink``, in batches.

        Args:
            mailboxes: addresses to read.
            sink: called once per batch; see the module docstring.
            folders: only these folders (AutoIR names) when given, else every selectable one.
            progress: called after each mailbox.

        Returns:
            Counts; a mailbox that could not be read is in ``failed`` and the others go on.
        """
        ...

    def wait_for_change(self, mailbox: str, folder: str, timeout: float) -> bool:
        """Block until ``folder`` of ``mailbox`` changes (IMAP IDLE) or ``timeout`` seconds pass.

        Returns True when the server reported a change, False on timeout or when the server
        cannot IDLE (the caller then polls).
        """
        ...


class MessageReader(Protocol):
    """Raw messages to records (``autoir.mime``): what the mailbox ingest parses with."""

    def parse(
        self,
        raw: bytes,
        *,
        received_at: datetime | None,
        organisation_domains: frozenset[str],
        mailbox: str | None = None,
    ) -> EmailMessage:
        """One message; never raises (what cannot be read is in ``parse_errors``).

        ``mailbox``: the mailbox the copy was read from, part of its network message id (the
        same bytes in two mailboxes are two copies).
        """
        ...

    def read_report(self, raw: bytes) -> Report:
        """The reporter and the reported messages of a report mail; never raises."""
        ...


class MailboxDirectory(Protocol):
    """Which mailboxes exist (the mail server's user database): "read every mailbox"."""

    def mailboxes(self) -> list[str]:
        """Every mailbox's address, lower-case.

        Raises:
            ConnectorUnavailable: the directory cannot be reached now.
            ConnectorRejected: it refused (credentials) or answered nonsense.
        """
        ...
