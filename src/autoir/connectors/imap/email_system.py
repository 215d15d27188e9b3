r"""``ImapEmailSystem``: the EmailSystem port on a real IMAP4rev1 server with admin access.

Locating a copy: folder by folder, the likeliest first (``INBOX``, then Junk, then the others in
name order from one ``LIST``, made only when the copy is not in the first two),
``UID SEARCH HEADER Message-ID`` when the ref has an Internet message id (then each hit confirmed
by network message id when the ref has one too); a ref with only a network message id is matched
by fetching the folder's messages and deriving their ids (slower: the product's refs carry both).
A move, quarantine or hard delete acts on the first folder that holds the copy; the attachment
operations look at every folder. Never by a stored UID: users file messages and UIDs change with
every move.

A cluster action (one ref per mailbox, hundreds of mailboxes) runs in parallel: the refs are
grouped by mailbox; the first mailbox is done alone, then up to ``pool_size`` mailboxes are
worked on at once (one thread and one session each; a mailbox's refs one after the other on
its session, so its folders are listed and selected once, not once per ref). Outcomes come
back in ref order; ``progress`` is called with a count that only grows, one call at a time,
from the worker threads. When a mailbox fails (the server went away), the other workers finish
the copy in hand and start no new one; the error is raised once they stopped, and the outcomes
recorded so far are kept for the retry. A folder that
does not exist yet is created when the server answers ``[TRYCREATE]``, not before every move.

What each operation does (folder names in AutoIR's vocabulary, see the package docstring):

* soft delete / junk / inbox / move back: ``UID MOVE`` (``COPY`` + ``\\Deleted`` + ``UID
  EXPUNGE`` without MOVE); already in the target folder is ``done`` with a note;
* quarantine: APPEND the copy (envelope + original bytes, flags, date) to ``Quarantine`` of the
  admin store, then expunge it from the mailbox; release: APPEND it back to ``restore_to`` (or
  where it came from) and expunge it from the store;
* hard delete: the same into ``Sealed`` with an expiry (now + retention); :meth:`purge_expired`
  (run by every ``apply``) expunges the expired ones;
* quarantine attachment: the original goes to ``Originals`` (with an expiry), a copy whose
  attachments are notices takes its place in the same folder; restore puts the original back.

Idempotency and resumption: see :mod:`autoir.connectors.imap.journal`. Before changing a copy the
folder it is in is journaled; a resumed action that finds the copy already where it was going
(the server applied the change and the connection dropped before the answer) reports the
journaled folder as ``folder_before``, so its undo still puts it back.
"""

from __future__ import annotations

import re
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote

from autoir.connectors.imap import messages as mime
from autoir.connectors.imap.client import Login, Pool, Security, Session, parse_list, quote
from autoir.connectors.imap.journal import Journal
from autoir.domain.errors import ConnectorRejected
from autoir.ports.remediation import (
    EmailOperation,
    ForwardingChange,
    MessageOutcome,
    MessageRef,
    MessageStatus,
    ProgressCallback,
)

INBOX = "Inbox"
DELETED_ITEMS = "Deleted Items"
JUNK = "Junk"
ARCHIVE = "Archive"
QUARANTINE = "Quarantine"
SEALED = "Sealed"
ORIGINALS = "Originals"
DEFAULT_RETENTION = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """How to reach the server and open mailboxes as an administrator."""

    host: str
    port: int = 993
    security: Security = "tls"
    ssl_context: ssl.SSLContext | None = None
    master_user: str | None = None
    """Dovecot master user: mailboxes are opened as ``mailbox<separator>master_user``."""
    master_password: str | None = None
    master_separator: str = "*"
    passwords: Mapping[str, str] = field(default_factory=dict)
    """Per-mailbox credentials (address → password), used before the master user."""
    store_mailbox: str = "autoir-store"
    """The admin-only store (quarantine, sealed copies, originals): a mailbox no user can open."""
    trash_folder: str = "Trash"
    junk_folder: str = "Junk"
    archive_folder: str = "Archive"
    retention: timedelta = DEFAULT_RETENTION
    timeout: float = 30.0
    pool_size: int = 4


class ForwardingDelegate(Protocol):
    """The forwarding half of the port (ManageSieve, ``autoir.connectors.sieve``)."""

    def turn_off_external_forwarding(
        self, action_id: str, mailbox: str, internal_domains: Sequence[str]
    ) -> ForwardingChange:
        """As :meth:`~autoir.ports.remediation.EmailSystem.turn_off_external_forwarding`."""
        ...

    def restore_forwarding(self, action_id: str, change: ForwardingChange) -> None:
        """As :meth:`~autoir.ports.remediation.EmailSystem.restore_forwarding`."""
        ...


@dataclass(frozen=True, slots=True)
class _Copy:
    folder: str  # IMAP name
    uid: str
    raw: bytes
    flags: str
    internaldate: str | None


@dataclass(frozen=True, slots=True)
class _Stored:
    uid: str
    fields: dict[str, str]
    raw: bytes


class _CopyFailed(Exception):
    """A per-copy refusal (the server said NO to a command on it)."""


@dataclass(slots=True)
class _Mailbox:
    """One mailbox's session while an apply works on its refs: its folders listed at most once."""

    session: Session
    listed: list[str] | None = None

    def folders(self) -> list[str]:
        """The selectable folders (one ``LIST`` per apply), INBOX first, then by name."""
        if self.listed is None:
            listed = parse_list(self.session.command("LIST", '""', '"*"'))
            if listed:
                self.session.delimiter = listed[0][1] or "/"
            names = [
                name
                for name, _, flags in listed
                if "\\noselect" not in flags and "\\nonexistent" not in flags
            ]
            self.listed = sorted(names, key=lambda n: (n.upper() != "INBOX", n))
        return self.listed

    def delimiter(self) -> str:
        """The server's hierarchy separator (from the ``LIST``)."""
        self.folders()
        return self.session.delimiter


class _Run:
    """One apply's shared state: the outcomes by position, progress, the first error."""

    def __init__(self, total: int, progress: ProgressCallback | None) -> None:
        self.outcomes: list[MessageOutcome | None] = [None] * total
        self.total = total
        self.error: BaseException | None = None
        self._progress = progress
        self._done = 0
        self._lock = threading.Lock()

    @property
    def stopped(self) -> bool:
        return self.error is not None

    def report(self, count: int = 1) -> None:
        """``count`` more copies have their outcome: tell ``progress`` (one call at a time)."""
        with self._lock:
            self._done += count
            if self._progress is not None:
                self._progress(self._done, self.total)

    def fail(self, error: BaseException) -> None:
        with self._lock:
            if self.error is None:
                self.error = error


_HEAD_AND_BODY = 2
_FETCH_HEAD = re.compile(rb"UID (\d+)")
_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
_DATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class ImapEmailSystem:
    """:class:`~autoir.ports.remediation.EmailSystem` over IMAP.

    Thread-safe: one apply at a time, each on up to ``pool_size`` mailboxes at once.
    """

    def __init__(
        self,
        settings: ImapSettings,
        state_dir: Path,
        *,
        forwarding: ForwardingDelegate | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._settings = settings
        self._forwarding = forwarding
        self._clock = clock or (lambda: datetime.now(UTC))
        self._login = Login(
            settings.master_user,
            settings.master_password,
            settings.master_separator,
            {k.lower(): v for k, v in settings.passwords.items()},
        )
        self._pool = Pool(
            settings.host,
            settings.port,
            self._login,
            security=settings.security,
            ssl_context=settings.ssl_context,
            timeout=settings.timeout,
            size=settings.pool_size,
        )
        self._journal = Journal(state_dir)
        self._lock = threading.RLock()
        self._folder_names = {
            INBOX.lower(): "INBOX",
            DELETED_ITEMS.lower(): settings.trash_folder,
            JUNK.lower(): settings.junk_folder,
            ARCHIVE.lower(): settings.archive_folder,
        }

    def close(self) -> None:
        """Log out of the pooled sessions and close the journal."""
        self._pool.close()
        self._journal.close()

    # --- EmailSystem -----------------------------------------------------------------------

    def apply(
        self,
        action_id: str,
        operation: EmailOperation,
        messages: Sequence[MessageRef],
        progress: ProgressCallback | None = None,
    ) -> list[MessageOutcome]:
        """Apply ``operation`` to every copy; see the port and the module docstring."""
        with self._lock:
            finished = self._journal.finished(action_id)
            if finished is not None:
                if progress is not None:
                    progress(len(finished), len(finished))
                return finished
            self._purge_expired()
            self._journal.start(action_id, operation.value)
            run = _Run(len(messages), progress)
            recorded = self._journal.outcomes(action_id)
            resumed = 0
            for position, outcome in recorded.items():
                if position < len(messages):
                    run.outcomes[position] = outcome
                    resumed += 1
            if resumed:
                run.report(resumed)
            groups: dict[str, list[int]] = {}
            for position, ref in enumerate(messages):
                if run.outcomes[position] is not None:
                    continue
                if not ref.network_message_id and not ref.internet_message_id:
                    failed = MessageOutcome(
                        ref, MessageStatus.FAILED, detail="The reference has no id."
                    )
                    self._finish_one(run, action_id, position, failed)
                    continue
                groups.setdefault(ref.mailbox.lower(), []).append(position)
            self._run_groups(run, action_id, operation, messages, list(groups.values()))
            if run.error is not None:
                raise run.error
            self._journal.finish(action_id)
            return [outcome for outcome in run.outcomes if outcome is not None]

    def turn_off_external_forwarding(
        self, action_id: str, mailbox: str, internal_domains: Sequence[str]
    ) -> ForwardingChange:
        """Delegated to ManageSieve; refused when it is not configured."""
        if self._forwarding is None:
            raise ConnectorRejected("ManageSieve is not configured")
        return self._forwarding.turn_off_external_forwarding(action_id, mailbox, internal_domains)

    def restore_forwarding(self, action_id: str, change: ForwardingChange) -> None:
        """Delegated to ManageSieve; refused when it is not configured."""
        if self._forwarding is None:
            raise ConnectorRejected("ManageSieve is not configured")
        self._forwarding.restore_forwarding(action_id, change)

    def purge_expired(self) -> int:
        """Expunge the sealed copies and kept originals past their retention; how many."""
        with self._lock:
            return self._purge_expired()

    # --- mailboxes in parallel, the copies of one mailbox in turn ---------------------------

    def _run_groups(
        self,
        run: _Run,
        action_id: str,
        operation: EmailOperation,
        messages: Sequence[MessageRef],
        groups: list[list[int]],
    ) -> None:
        """Work on each mailbox's refs; up to ``pool_size`` mailboxes at once.

        The first mailbox goes alone: a failure that would hit every mailbox (a refused login,
        a server that went away) stops the action after one mailbox, not after ``pool_size``.
        """
        if not groups:
            return
        first, rest = groups[0], groups[1:]
        self._apply_mailbox(run, action_id, operation, messages, first)
        workers = min(max(self._settings.pool_size, 1), len(rest))
        if workers <= 1 or run.stopped:
            for positions in rest:
                self._apply_mailbox(run, action_id, operation, messages, positions)
            return
        with ThreadPoolExecutor(workers, thread_name_prefix="imap-apply") as executor:
            for positions in rest:
                executor.submit(self._apply_mailbox, run, action_id, operation, messages, positions)

    def _apply_mailbox(
        self,
        run: _Run,
        action_id: str,
        operation: EmailOperation,
        messages: Sequence[MessageRef],
        positions: list[int],
    ) -> None:
        """The refs of one mailbox, in order, on one session; the first error stops the run."""
        if run.stopped:
            return
        try:
            with self._pool.session(messages[positions[0]].mailbox) as session:
                box = _Mailbox(session)
                for position in positions:
                    if run.stopped:
                        return
                    ref = messages[position]
                    try:
                        outcome = self._dispatch(box, action_id, position, operation, ref)
                    except _CopyFailed as error:
                        outcome = MessageOutcome(ref, MessageStatus.FAILED, detail=str(error))
                    self._finish_one(run, action_id, position, outcome)
        except Exception as error:  # noqa: BLE001 - raised by apply, after the workers stopped
            run.fail(error)

    def _finish_one(
        self, run: _Run, action_id: str, position: int, outcome: MessageOutcome
    ) -> None:
        self._journal.record(action_id, position, outcome)
        run.outcomes[position] = outcome
        run.report()

    # --- one copy --------------------------------------------------------------------------

    def _dispatch(  # noqa: PLR0911 - one branch per operation
        self,
        box: _Mailbox,
        action_id: str,
        position: int,
        operation: EmailOperation,
        ref: MessageRef,
    ) -> MessageOutcome:
        if operation is EmailOperation.SOFT_DELETE:
            return self._move(box, action_id, position, ref, DELETED_ITEMS)
        if operation is EmailOperation.MOVE_TO_JUNK:
            return self._move(box, action_id, position, ref, JUNK)
        if operation is EmailOperation.MOVE_TO_INBOX:
            return self._move(box, action_id, position, ref, INBOX)
        if operation is EmailOperation.MOVE_BACK:
            return self._move(box, action_id, position, ref, ref.restore_to)
        if operation is EmailOperation.HARD_DELETE:
            return self._keep_and_remove(box, action_id, position, ref, SEALED)
        if operation is EmailOperation.QUARANTINE:
            return self._keep_and_remove(box, action_id, position, ref, QUARANTINE)
        if operation is EmailOperation.RELEASE:
            return self._release(box, action_id, position, ref)
        if operation is EmailOperation.QUARANTINE_ATTACHMENT:
            return self._quarantine_attachments(box, action_id, position, ref)
        return self._restore_attachments(box, action_id, position, ref)

    def _move(
        self, box: _Mailbox, action_id: str, position: int, ref: MessageRef, target: str | None
    ) -> MessageOutcome:
        if not target:
            return MessageOutcome(ref, MessageStatus.FAILED, detail="No folder to restore to.")
        found = self._find(box, ref)
        if not found:
            return _not_found(ref)
        copy = found[0]
        before = self._autoir_name(copy.folder)
        target_imap = self._imap_name(target, box)
        if copy.folder == target_imap:
            journaled = self._journal.intent(action_id, position)
            if journaled is not None and journaled != target:  # this action moved it already
                return MessageOutcome(ref, MessageStatus.DONE, journaled, target)
            return MessageOutcome(ref, MessageStatus.DONE, before, target, f"Already in {target}.")
        self._journal.intend(action_id, position, before)
        self._move_uid(box.session, copy, target_imap)
        return MessageOutcome(ref, MessageStatus.DONE, before, target)

    def _keep_and_remove(
        self, box: _Mailbox, action_id: str, position: int, ref: MessageRef, store: str
    ) -> MessageOutcome:
        found = self._find(box, ref)
        if not found:
            return self._resumed_keep(action_id, position, ref, store)
        copy = found[0]
        before = self._autoir_name(copy.folder)
        self._journal.intend(action_id, position, before)
        network_id = ref.network_message_id or mime.copy_id(copy.raw, ref.mailbox)
        key = f"{ref.mailbox.lower()}/{network_id}"
        expires = self._clock() + self._settings.retention if store != QUARANTINE else None
        fields = {
            "Key": key,
            "Action": action_id,
            "Mailbox": ref.mailbox.lower(),
            "Folder": before,
            "Network-Message-Id": network_id,
            "Internet-Message-Id": mime.internet_message_id(copy.raw) or "",
            "Flags": copy.flags,
            "Date": copy.internaldate or "",
            "Expires": expires.isoformat() if expires else "",
        }
        with self._pool.session(self._settings.store_mailbox) as keeper:
            if not self._stored(keeper, store, ref.mailbox, key=key, action_id=action_id):
                self._append(keeper, store, mime.wrap(fields, copy.raw), "", None)
        self._remove(box.session, copy)
        after = QUARANTINE if store == QUARANTINE else None
        retained = f"imap:{self._settings.store_mailbox}/{store}/{key}"
        return MessageOutcome(ref, MessageStatus.DONE, before, after, retained_copy=retained)

    def _resumed_keep(
        self, action_id: str, position: int, ref: MessageRef, store: str
    ) -> MessageOutcome:
        """The copy is gone: done if this action kept it (a resumed call), else notFound."""
        journaled = self._journal.intent(action_id, position)
        if journaled is None:
            return _not_found(ref)
        with self._pool.session(self._settings.store_mailbox) as keeper:
            kept = self._stored(keeper, store, ref.mailbox, ref=ref, action_id=action_id)
        if not kept:
            return _not_found(ref)
        after = QUARANTINE if store == QUARANTINE else None
        retained = f"imap:{self._settings.store_mailbox}/{store}/{kept[0].fields['Key']}"
        return MessageOutcome(ref, MessageStatus.DONE, journaled, after, retained_copy=retained)

    def _release(
        self, box: _Mailbox, action_id: str, position: int, ref: MessageRef
    ) -> MessageOutcome:
        with self._pool.session(self._settings.store_mailbox) as keeper:
            held = self._stored(keeper, QUARANTINE, ref.mailbox, ref=ref)
            if not held:
                return _not_found(ref)
            entry = held[0]
            target = ref.restore_to or entry.fields.get("Folder") or INBOX
            resumed = self._journal.intent(action_id, position) is not None
            if not (resumed and self._find(box, ref)):
                self._journal.intend(action_id, position, QUARANTINE)
                self._append(
                    box.session,
                    self._imap_name(target, box),
                    entry.raw,
                    entry.fields.get("Flags", ""),
                    entry.fields.get("Date") or None,
                )
            self._remove(keeper, _Copy(QUARANTINE, entry.uid, b"", "", None))
        return MessageOutcome(ref, MessageStatus.DONE, QUARANTINE, target)

    def _quarantine_attachments(
        self, box: _Mailbox, action_id: str, position: int, ref: MessageRef
    ) -> MessageOutcome:
        found = self._find(box, ref, every=True)
        if not found:
            return _not_found(ref)
        stripped = [c for c in found if mime.is_stripped(c.raw)]
        copy = stripped[0] if stripped else found[0]
        folder = self._autoir_name(copy.folder)
        if stripped:
            for original in found:  # a resumed call: the original may still be beside it
                if not mime.is_stripped(original.raw):
                    self._remove(box.session, original)
            return MessageOutcome(ref, MessageStatus.DONE, folder, folder, "Already quarantined.")
        network_id = ref.network_message_id or mime.copy_id(copy.raw, ref.mailbox)
        replacement, count = mime.strip_attachments(copy.raw, network_id, action_id)
        if not count:
            return MessageOutcome(ref, MessageStatus.DONE, folder, folder, "No attachments.")
        self._journal.intend(action_id, position, folder)
        key = f"{ref.mailbox.lower()}/{network_id}"
        fields = {
            "Key": key,
            "Action": action_id,
            "Mailbox": ref.mailbox.lower(),
            "Folder": folder,
            "Network-Message-Id": network_id,
            "Internet-Message-Id": mime.internet_message_id(copy.raw) or "",
            "Flags": copy.flags,
            "Date": copy.internaldate or "",
            "Expires": (self._clock() + self._settings.retention).isoformat(),
        }
        with self._pool.session(self._settings.store_mailbox) as keeper:
            if not self._stored(keeper, ORIGINALS, ref.mailbox, key=key):
                self._append(keeper, ORIGINALS, mime.wrap(fields, copy.raw), "", None)
        self._append(box.session, copy.folder, replacement, copy.flags, copy.internaldate)
        self._remove(box.session, copy)
        return MessageOutcome(
            ref,
            MessageStatus.DONE,
            folder,
            folder,
            f"{count} attachment(s) replaced by a notice.",
            f"imap:{self._settings.store_mailbox}/{ORIGINALS}/{key}",
        )

    def _restore_attachments(
        self, box: _Mailbox, action_id: str, position: int, ref: MessageRef
    ) -> MessageOutcome:
        found = [c for c in self._find(box, ref, every=True) if mime.is_stripped(c.raw)]
        if not found:
            return _not_found(ref, "No quarantined attachments are kept for this copy.")
        copy = found[0]
        folder = self._autoir_name(copy.folder)
        key = f"{ref.mailbox.lower()}/{mime.network_message_id(copy.raw)}"
        with self._pool.session(self._settings.store_mailbox) as keeper:
            kept = self._stored(keeper, ORIGINALS, ref.mailbox, key=key)
            if not kept:
                return _not_found(ref, "No quarantined attachments are kept for this copy.")
            target = ref.restore_to or folder
            self._journal.intend(action_id, position, folder)
            self._append(
                box.session,
                self._imap_name(target, box),
                kept[0].raw,
                copy.flags,
                copy.internaldate,
            )
            self._remove(box.session, copy)
            self._remove(keeper, _Copy(ORIGINALS, kept[0].uid, b"", "", None))
        return MessageOutcome(ref, MessageStatus.DONE, folder, target)

    # --- the admin store -------------------------------------------------------------------

    def _stored(
        self,
        keeper: Session,
        folder: str,
        mailbox: str,
        *,
        key: str | None = None,
        ref: MessageRef | None = None,
        action_id: str | None = None,
    ) -> list[_Stored]:
        """The store's copies of ``mailbox`` in ``folder`` matching ``key`` or ``ref``."""
        if not keeper.select(folder):
            return []
        uids = self._search(keeper, "HEADER", "X-AutoIR-Mailbox", quote(mailbox.lower()))
        found: list[_Stored] = []
        for copy in self._fetch(keeper, folder, uids):
            unwrapped = mime.unwrap(copy.raw)
            if unwrapped is None:
                continue
            fields, raw = unwrapped
            if fields.get("Mailbox") != mailbox.lower():
                continue
            if key is not None and fields.get("Key") != key:
                continue
            if ref is not None and not _matches_fields(fields, ref):
                continue
            if action_id is not None and fields.get("Action") != action_id and ref is not None:
                continue
            found.append(_Stored(copy.uid, fields, raw))
        return found

    def _purge_expired(self) -> int:
        now = self._clock()
        purged = 0
        with self._pool.session(self._settings.store_mailbox) as keeper:
            for folder in (SEALED, ORIGINALS):
                if not keeper.select(folder):
                    continue
                data = keeper.command(
                    "UID", "FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (X-AutoIR-Expires)])"
                )
                for head, body in _fetch_parts(data):
                    match = _FETCH_HEAD.search(head)
                    value = mime.header(body + b"\r\n\r\n", "X-AutoIR-Expires")
                    if match is None or not value:
                        continue
                    if datetime.fromisoformat(unquote(value)) <= now:
                        self._remove(keeper, _Copy(folder, match.group(1).decode(), b"", "", None))
                        purged += 1
        return purged

    # --- IMAP primitives -------------------------------------------------------------------

    def _search_order(self, box: _Mailbox) -> Iterator[str]:
        """INBOX, Junk, then the other folders: the ``LIST`` only once the first two missed."""
        first = ("INBOX", self._settings.junk_folder)
        yield from first
        yield from (f for f in box.folders() if f.upper() != "INBOX" and f not in first)

    def _find(self, box: _Mailbox, ref: MessageRef, *, every: bool = False) -> list[_Copy]:
        """The copies the ref designates in the first folder that has one (``every``: all)."""
        session = box.session
        found: list[_Copy] = []
        for folder in self._search_order(box):
            if not session.select(folder):
                continue
            if ref.internet_message_id:
                wanted = mime.bare(ref.internet_message_id)
                uids = self._search(session, "HEADER", "Message-ID", quote(wanted))
            else:
                uids = self._search(session, "ALL")
            found += [c for c in self._fetch(session, folder, uids) if _matches(c.raw, ref)]
            if found and not every:
                break
        return found

    def _search(self, session: Session, *criteria: str) -> list[str]:
        data = session.command("UID", "SEARCH", *criteria)
        return [uid.decode() for item in data if isinstance(item, bytes) for uid in item.split()]

    def _fetch(self, session: Session, folder: str, uids: list[str]) -> list[_Copy]:
        if not uids:
            return []
        data = session.command(
            "UID", "FETCH", ",".join(uids), "(UID FLAGS INTERNALDATE BODY.PEEK[])"
        )
        copies: list[_Copy] = []
        for head, body in _fetch_parts(data):
            uid = _FETCH_HEAD.search(head)
            if uid is None:
                continue
            flags = _FLAGS.search(head)
            date = _DATE.search(head)
            kept_flags = " ".join(
                f for f in (flags.group(1).decode().split() if flags else []) if f != "\\Recent"
            )
            copies.append(
                _Copy(
                    folder,
                    uid.group(1).decode(),
                    body,
                    kept_flags,
                    f'"{date.group(1).decode()}"' if date else None,
                )
            )
        return copies

    def _append(
        self, session: Session, folder: str, raw: bytes, flags: str, internaldate: str | None
    ) -> None:
        def append() -> tuple[str, list[object]]:
            return session.append(quote(folder), f"({flags})" if flags else "", internaldate, raw)

        typ, data = append()
        if typ != "OK" and _try_create(session, folder, data):
            typ, data = append()
        if typ != "OK":
            raise _CopyFailed(f"APPEND to {folder} refused: {data!r}")

    def _move_uid(self, session: Session, copy: _Copy, target: str) -> None:
        if not session.select(copy.folder):
            raise _CopyFailed(f"The folder {copy.folder} is gone.")
        verb = "MOVE" if "MOVE" in session.capabilities else "COPY"
        typ, data = session.try_command("UID", verb, copy.uid, quote(target))
        if typ != "OK" and _try_create(session, target, data):
            typ, data = session.try_command("UID", verb, copy.uid, quote(target))
        if typ != "OK":
            raise _CopyFailed(f"{verb} to {target} refused: {data!r}")
        if verb == "COPY":
            self._remove(session, copy)

    def _remove(self, session: Session, copy: _Copy) -> None:
        if not session.select(copy.folder):
            return
        session.command("UID", "STORE", copy.uid, "+FLAGS.SILENT", "(\\Deleted)")
        if "UIDPLUS" in session.capabilities:
            session.command("UID", "EXPUNGE", copy.uid)
        else:  # pragma: no cover - every server this was run against has UIDPLUS
            session.command("EXPUNGE")

    # --- folder names ----------------------------------------------------------------------

    def _imap_name(self, name: str, box: _Mailbox) -> str:
        mapped = self._folder_names.get(name.lower())
        if mapped is not None:
            return mapped
        if "/" not in name:
            return name
        delimiter = box.delimiter()
        return name.replace("/", delimiter) if delimiter else name

    def _autoir_name(self, imap_name: str) -> str:
        if imap_name.upper() == "INBOX":
            return INBOX
        for autoir, mapped in self._folder_names.items():
            if mapped == imap_name:
                return {n.lower(): n for n in (DELETED_ITEMS, JUNK, ARCHIVE)}[autoir]
        return imap_name


def _try_create(session: Session, folder: str, refusal: list[object]) -> bool:
    """After a ``NO [TRYCREATE]``, create the folder: whether to try the command once more.

    The ``CREATE`` may say ``NO`` because someone else made the folder meanwhile: retried too.
    """
    text = b" ".join(item for item in refusal if isinstance(item, bytes))
    if b"[TRYCREATE]" not in text.upper() or folder.upper() == "INBOX":
        return False
    session.try_command("CREATE", quote(folder))
    return True


def _fetch_parts(data: list[object]) -> list[tuple[bytes, bytes]]:
    return [
        (bytes(item[0]), bytes(item[1]))
        for item in data
        if isinstance(item, tuple) and len(item) == _HEAD_AND_BODY
    ]


def _matches(raw: bytes, ref: MessageRef) -> bool:
    if ref.network_message_id and ref.network_message_id not in mime.identities(raw, ref.mailbox):
        return False
    if ref.internet_message_id:
        found = mime.internet_message_id(raw)
        return found is not None and found == mime.bare(ref.internet_message_id)
    return bool(ref.network_message_id)


def _matches_fields(fields: Mapping[str, str], ref: MessageRef) -> bool:
    if ref.network_message_id:
        return fields.get("Network-Message-Id") == ref.network_message_id
    wanted = mime.bare(ref.internet_message_id or "")
    return bool(wanted) and mime.bare(fields.get("Internet-Message-Id", "")) == wanted


def _not_found(
    ref: MessageRef, detail: str = "The copy is no longer in the mailbox."
) -> MessageOutcome:
    return MessageOutcome(ref, MessageStatus.NOT_FOUND, detail=detail)
