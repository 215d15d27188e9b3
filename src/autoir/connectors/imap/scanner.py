r"""``ImapMailboxScanner``: the MailboxSource port on a real IMAP4rev1 server with admin access.

One scan of one mailbox: a pooled session (the master user, or the mailbox's own password),
``LIST "" "*"`` (``\Noselect``/``\NonExistent`` skipped), then per folder ``EXAMINE`` (read-only:
scanning never sets ``\Seen`` or changes anything), its ``UIDVALIDITY`` and ``UIDNEXT``, ``UID
SEARCH UID <last+1>:*`` and ``UID FETCH (UID FLAGS INTERNALDATE BODY.PEEK[])`` of ``batch_size``
UIDs at a time (its response read off the wire: imaplib's parser would cost more than the
server). Each batch goes to the sink; the cursor (:mod:`autoir.connectors.imap.cursors`) moves
after the sink returned. A changed UIDVALIDITY re-reads the folder from UID 1.

Failures, per mailbox (the others go on): the sink raising stops that mailbox; a connection
failure (network, ``BYE``, the server restarting) retries it once on a fresh connection, from
its cursors, so nothing accepted is read again and nothing is skipped; a refused login or a
mailbox without credentials is reported at once. Each lands in ``ScanReport.failed`` with a
message naming the mailbox (never a password).

Folder names: ``INBOX`` is ``Inbox``, the configured trash, junk and archive folders are
``Deleted Items``, ``Junk`` and ``Archive`` (as :class:`ImapEmailSystem` names them); other
folders are decoded from modified UTF-7 with ``/`` as the separator. The admin store
(``store_mailbox``) is never scanned, even when asked for.

With ``concurrency`` > 1 mailboxes are scanned in that many threads, each with its own session;
the sink is then called from several threads at once and must be thread-safe.
"""

from __future__ import annotations

import imaplib
import itertools
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from autoir.connectors.imap import utf7
from autoir.connectors.imap.client import Login, Pool, Session, parse_list, quote
from autoir.connectors.imap.cursors import Cursor, CursorStore
from autoir.connectors.imap.email_system import (
    ARCHIVE,
    DELETED_ITEMS,
    INBOX,
    JUNK,
    ImapSettings,
)
from autoir.connectors.imap.idle import idle
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.ports.mailboxes import MessageSink, ScannedMessage, ScanProgress, ScanReport

_UID = re.compile(rb"\bUID (\d+)")
_FLAGS = re.compile(rb"\bFLAGS \(([^)]*)\)")
_DATE = re.compile(
    rb'\bINTERNALDATE "\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([-+])(\d\d)(\d\d)"'
)
_MONTHS = {
    month: number
    for number, month in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_FETCH_ITEMS = "(UID FLAGS INTERNALDATE BODY.PEEK[])"
_LITERAL = re.compile(rb"\{(\d+)\}\r\n$")
_TAGS = itertools.count(1)
_TRANSIENT_CODES = ("[UNAVAILABLE]", "[SERVERBUG]", "[INUSE]", "[LIMIT]")
_RETRY_DELAY = 1.0


@dataclass(frozen=True, slots=True)
class _Folder:
    imap_name: str
    name: str  # AutoIR's


@dataclass(slots=True)
class _Tally:
    """One mailbox's counts, kept across its retry."""

    folders: set[str] = field(default_factory=set)
    messages: int = 0


class _SinkFailed(Exception):
    """The sink raised: the mailbox stops, the cursor stays."""


class ImapMailboxScanner:
    """:class:`~autoir.ports.mailboxes.MailboxSource` over IMAP (thread-safe)."""

    def __init__(
        self,
        settings: ImapSettings,
        state_dir: Path,
        *,
        concurrency: int = 1,
        batch_size: int = 200,
    ) -> None:
        if concurrency < 1 or batch_size < 1:
            raise ValueError("concurrency and batch_size must be at least 1")
        self._settings = settings
        self._concurrency = concurrency
        self._batch_size = batch_size
        self._pool = Pool(
            settings.host,
            settings.port,
            Login(
                settings.master_user,
                settings.master_password,
                settings.master_separator,
                {k.lower(): v for k, v in settings.passwords.items()},
            ),
            security=settings.security,
            # One context for every login (loading the CA store costs ~50 ms each time).
            ssl_context=settings.ssl_context or ssl.create_default_context(),
            timeout=settings.timeout,
            size=max(settings.pool_size, concurrency),
        )
        self._cursors = CursorStore(state_dir)
        self._special = {
            "INBOX": INBOX,
            settings.trash_folder: DELETED_ITEMS,
            settings.junk_folder: JUNK,
            settings.archive_folder: ARCHIVE,
        }

    def close(self) -> None:
        """Log out of the pooled sessions and close the cursor store."""
        self._pool.close()
        self._cursors.close()

    # --- MailboxSource ---------------------------------------------------------------------

    def scan(
        self,
        mailboxes: Sequence[str],
        sink: MessageSink,
        *,
        folders: Sequence[str] | None = None,
        progress: Callable[[ScanProgress], None] | None = None,
    ) -> ScanReport:
        """Hand every message not yet handed to ``sink``; see the port and the module docstring."""
        wanted = self._mailboxes(mailboxes)
        only = {f.casefold() for f in folders} if folders is not None else None
        lock = threading.Lock()
        done = [0, 0, 0]  # mailboxes, folders, messages
        failed: dict[str, str] = {}

        def one(mailbox: str) -> None:
            tally = _Tally()
            error = self._scan_with_retry(mailbox, sink, only, tally)
            with lock:
                done[0] += 1
                done[1] += len(tally.folders)
                done[2] += tally.messages
                if error is not None:
                    failed[mailbox.lower()] = error
                if progress is not None:
                    progress(ScanProgress(done[0], len(wanted), done[2]))

        if self._concurrency == 1 or len(wanted) <= 1:
            for mailbox in wanted:
                one(mailbox)
        else:
            with ThreadPoolExecutor(self._concurrency, thread_name_prefix="imap-scan") as pool:
                list(pool.map(one, wanted))
        return ScanReport(len(wanted), done[1], done[2], failed)

    def wait_for_change(self, mailbox: str, folder: str, timeout: float) -> bool:
        """IDLE on ``folder`` (AutoIR name) of ``mailbox``; see the port.

        Returns True at once when the folder has mail the last scan did not reach (a new
        UIDVALIDITY, or UIDNEXT past the cursor), so a change between a scan and this call is
        not missed.

        Raises:
            ConnectorRejected: the store mailbox, a refused login or an unknown folder.
            ConnectorUnavailable: the connection failed.
        """
        if mailbox.lower() == self._settings.store_mailbox.lower():
            raise ConnectorRejected(f"{mailbox} is AutoIR's store; it is never scanned.")
        with self._pool.session(mailbox) as session:
            match = [f for f in self._folders(session) if f.name.casefold() == folder.casefold()]
            if not match:
                raise ConnectorRejected(f"The mailbox {mailbox} has no folder {folder!r}.")
            uid_validity, uid_next = _examine(session, match[0].imap_name)
            cursor = self._cursors.get(mailbox, match[0].imap_name)
            if cursor is not None and (
                cursor.uid_validity != uid_validity or uid_next > cursor.last_uid + 1
            ):
                return True
            return idle(session.connection, session.capabilities, timeout)

    # --- one mailbox -----------------------------------------------------------------------

    def _mailboxes(self, mailboxes: Sequence[str]) -> list[str]:
        """Distinct addresses (case-insensitive), in order, without the store."""
        store = self._settings.store_mailbox.lower()
        seen: dict[str, str] = {}
        for mailbox in mailboxes:
            key = mailbox.strip().lower()
            if key and key != store:
                seen.setdefault(key, mailbox.strip())
        return list(seen.values())

    def _scan_with_retry(
        self, mailbox: str, sink: MessageSink, only: set[str] | None, tally: _Tally
    ) -> str | None:
        """Scan one mailbox; the reason it failed, or None."""
        for attempt in (1, 2):
            try:
                self._scan_mailbox(mailbox, sink, only, tally)
            except _SinkFailed as error:
                return f"{mailbox}: the sink refused a batch: {error}"
            except ConnectorRejected as error:
                return f"{mailbox}: {error}"
            except ConnectorUnavailable as error:
                if attempt == 2:  # noqa: PLR2004 - the retry
                    return f"{mailbox}: {error} (after one retry on a new connection)"
                time.sleep(_RETRY_DELAY)
            else:
                return None
        return None  # pragma: no cover - the loop always returns

    def _scan_mailbox(
        self, mailbox: str, sink: MessageSink, only: set[str] | None, tally: _Tally
    ) -> None:
        with self._pool.session(mailbox) as session:
            for folder in self._folders(session):
                if only is not None and folder.name.casefold() not in only:
                    continue
                self._scan_folder(session, mailbox, folder, sink, tally)
                tally.folders.add(folder.imap_name)

    def _scan_folder(
        self, session: Session, mailbox: str, folder: _Folder, sink: MessageSink, tally: _Tally
    ) -> None:
        uid_validity, uid_next = _examine(session, folder.imap_name)
        cursor = self._cursors.get(mailbox, folder.imap_name)
        last = cursor.last_uid if cursor is not None and cursor.uid_validity == uid_validity else 0
        if uid_next == 0 or uid_next > last + 1:
            for uids in _chunks(_search(session, last), self._batch_size):
                batch = self._fetch(session, mailbox, folder, uid_validity, uids)
                if batch:
                    try:
                        sink(batch)
                    except Exception as error:
                        raise _SinkFailed(f"{folder.name}: {error!r}") from error
                    tally.messages += len(batch)
                last = uids[-1]
                cursor = Cursor(uid_validity, last)
                self._cursors.put(mailbox, folder.imap_name, cursor)
        # Read to the end: UIDs below UIDNEXT that were never handed were expunged meanwhile.
        final = Cursor(uid_validity, max(last, uid_next - 1))
        if final != cursor:
            self._cursors.put(mailbox, folder.imap_name, final)

    def _fetch(
        self, session: Session, mailbox: str, folder: _Folder, uid_validity: int, uids: list[int]
    ) -> list[ScannedMessage]:
        found: dict[int, ScannedMessage] = {}
        for head, raw in _uid_fetch(session, f"{uids[0]}:{uids[-1]}"):
            uid = _UID.search(head)
            if uid is None or not uids[0] <= int(uid.group(1)) <= uids[-1]:
                continue  # ``n:*`` gives the last message even when n is past it
            flags = _FLAGS.search(head)
            found[int(uid.group(1))] = ScannedMessage(
                mailbox=mailbox.lower(),
                folder=folder.name,
                uid=int(uid.group(1)),
                uid_validity=uid_validity,
                raw=raw,
                internal_date=_internal_date(head),
                flags=frozenset(flags.group(1).decode().split()) if flags else frozenset(),
            )
        return [found[uid] for uid in sorted(found)]

    # --- folders ---------------------------------------------------------------------------

    def _folders(self, session: Session) -> list[_Folder]:
        listed = parse_list(session.command("LIST", '""', '"*"'))
        folders = [
            _Folder(name, self._autoir_name(name, delimiter))
            for name, delimiter, flags in listed
            if "\\noselect" not in flags and "\\nonexistent" not in flags
        ]
        return sorted(folders, key=lambda f: (f.imap_name.upper() != "INBOX", f.imap_name))

    def _autoir_name(self, imap_name: str, delimiter: str) -> str:
        if imap_name.upper() == "INBOX":
            return INBOX
        special = self._special.get(imap_name)
        if special is not None:
            return special
        name = utf7.decode(imap_name)
        return name.replace(delimiter, "/") if delimiter and delimiter != "/" else name


def _examine(session: Session, imap_name: str) -> tuple[int, int]:
    """EXAMINE the folder (read-only); its UIDVALIDITY and UIDNEXT (0 when not sent)."""
    connection = session.connection
    session.selected = None  # no longer what Session.select left selected
    try:
        typ, data = connection.select(quote(imap_name), readonly=True)
    except imaplib.IMAP4.abort as error:
        raise ConnectorUnavailable(f"IMAP EXAMINE: {error}") from error
    except imaplib.IMAP4.error as error:
        raise ConnectorRejected(f"IMAP EXAMINE {imap_name!r} failed: {error}") from error
    except (OSError, EOFError) as error:
        raise ConnectorUnavailable(f"IMAP EXAMINE: {error}") from error
    if typ != "OK":
        raise ConnectorRejected(f"IMAP EXAMINE {imap_name!r}: {data!r}")
    return _code(connection, "UIDVALIDITY"), _code(connection, "UIDNEXT")


def _code(connection: imaplib.IMAP4, name: str) -> int:
    values = connection.untagged_responses.get(name) or []
    value = values[-1] if values else b"0"
    text = value.decode() if isinstance(value, bytes) else "0"
    return int(text) if text.isdigit() else 0


def _uid_fetch(session: Session, uid_set: str) -> list[tuple[bytes, bytes]]:
    """``UID FETCH`` read off the wire: (the response's text around the body, the body).

    imaplib's response parser costs more than Dovecot takes to send the messages; this reads
    the lines and literals itself (the session is synchronous: nothing else is in flight).
    Untagged responses without a body (``EXISTS``, another session's flag change) are skipped.
    """
    connection = session.connection
    tag = f"ZSCAN{next(_TAGS)}".encode()
    found: list[tuple[bytes, bytes]] = []
    try:
        connection.send(tag + f" UID FETCH {uid_set} {_FETCH_ITEMS}\r\n".encode())
        while True:
            line = _readline(connection)
            if line.startswith(tag + b" "):
                break
            if line.startswith(b"* BYE"):
                raise ConnectorUnavailable(f"IMAP FETCH: {line.decode(errors='replace')}")
            literal = _LITERAL.search(line)
            if literal is not None:
                raw = connection.read(int(literal.group(1)))
                found.append((line + _readline(connection), raw))
    except (OSError, EOFError, imaplib.IMAP4.error) as error:
        raise ConnectorUnavailable(f"IMAP FETCH: {error}") from error
    status = line[len(tag) + 1 :].decode(errors="replace").strip()
    if not status.upper().startswith("OK"):
        if any(code in status for code in _TRANSIENT_CODES):
            raise ConnectorUnavailable(f"IMAP UID FETCH: {status}")
        raise ConnectorRejected(f"IMAP UID FETCH {uid_set}: {status}")
    return found


def _readline(connection: imaplib.IMAP4) -> bytes:
    line = connection.readline()
    if not line:
        raise EOFError("the server closed the connection")
    return line


def _search(session: Session, last: int) -> list[int]:
    data = session.command("UID", "SEARCH", "UID", f"{last + 1}:*")
    uids = {int(uid) for item in data if isinstance(item, bytes) for uid in item.split()}
    return sorted(uid for uid in uids if uid > last)


def _chunks(uids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(uids), size):
        yield uids[start : start + size]


def _internal_date(head: bytes) -> datetime | None:
    match = _DATE.search(head)
    if match is None:
        return None
    day, month, year, hour, minute, second, sign, zone_h, zone_m = match.groups()
    month_number = _MONTHS.get(month.decode().upper())
    if month_number is None:
        return None
    offset = timedelta(hours=int(zone_h), minutes=int(zone_m))
    return datetime(
        int(year),
        month_number,
        int(day),
        int(hour),
        int(minute),
        int(second),
        tzinfo=timezone(-offset if sign == b"-" else offset),
    )
