"""An in-memory mail system: mailboxes with folders, a quarantine store, sealed copies, Sieve rules.

Mailbox addresses are compared case-insensitively. A message is located in its mailbox by network
message id when the reference has one, else by Internet message id, across every folder (a
folder hint would go stale as soon as the user files the message). The quarantine is an
admin-only store outside the mailboxes; hard deletion keeps a sealed copy for the retention
period, and attachment quarantine keeps the original message as long.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from autoir.connectors.memory.attachments import (
    Attachment,
    StoredMessage,
    attachments_in,
    without_attachments,
)
from autoir.connectors.memory.faults import FaultInjector
from autoir.connectors.memory.forwarding import (
    is_internal,
    redirect_targets,
    without_external_redirects,
)
from autoir.domain.errors import ConnectorRejected
from autoir.ports.remediation import (
    AutoReply,
    EmailOperation,
    ForwardingChange,
    MailboxRules,
    MessageOutcome,
    MessageRef,
    MessageStatus,
    ProgressCallback,
)

INBOX = "Inbox"
JUNK = "Junk"
DELETED_ITEMS = "Deleted Items"
ARCHIVE = "Archive"
STANDARD_FOLDERS = (INBOX, JUNK, DELETED_ITEMS, ARCHIVE)
QUARANTINE = "Quarantine"
"""``folder_after`` of a quarantined copy: the admin-only store, not a folder of the mailbox."""

DEFAULT_RETENTION = timedelta(days=30)


@dataclass(slots=True)
class _Mailbox:
    folders: dict[str, list[StoredMessage]] = field(
        default_factory=lambda: {name: [] for name in STANDARD_FOLDERS}
    )
    rules: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Kept:
    """A copy held outside the mailbox: where it was, and until when it is kept."""

    message: StoredMessage
    folder: str
    expires_at: datetime | None = None


_Handler = Callable[[str, MessageRef], MessageOutcome]
_VACATION = re.compile(r"(?:^|[\s{;])vacation\b(?P<args>[^;]*);", re.MULTILINE)
_SUBJECT = re.compile(r':subject\s+"(?P<subject>(?:[^"\\]|\\.)*)"')
_DAYS = re.compile(r":days\s+(?P<days>\d+)")


class InMemoryEmailSystem:
    """:class:`~autoir.ports.remediation.EmailSystem` over dictionaries (thread-safe)."""

    def __init__(
        self,
        *,
        retention: timedelta = DEFAULT_RETENTION,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._retention = retention
        self._clock = clock or (lambda: datetime.now(UTC))
        self._mailboxes: dict[str, _Mailbox] = {}
        self._quarantine: dict[str, list[_Kept]] = {}
        self._originals: dict[tuple[str, str], _Kept] = {}
        self._sealed: dict[str, tuple[str, _Kept]] = {}
        self._seals = itertools.count(1)
        self._applied: dict[str, list[MessageOutcome]] = {}
        self._forwarding: dict[str, ForwardingChange] = {}
        self._restored: set[str] = set()
        self._faults = FaultInjector()
        self._lock = threading.RLock()
        self._handlers: dict[EmailOperation, _Handler] = {
            EmailOperation.SOFT_DELETE: lambda key, ref: self._move(key, ref, DELETED_ITEMS),
            EmailOperation.MOVE_TO_JUNK: lambda key, ref: self._move(key, ref, JUNK),
            EmailOperation.MOVE_TO_INBOX: lambda key, ref: self._move(key, ref, INBOX),
            EmailOperation.MOVE_BACK: lambda key, ref: self._move(key, ref, ref.restore_to),
            EmailOperation.HARD_DELETE: self._hard_delete,
            EmailOperation.QUARANTINE: self._quarantine_message,
            EmailOperation.RELEASE: self._release,
            EmailOperation.QUARANTINE_ATTACHMENT: self._quarantine_attachments,
            EmailOperation.RESTORE_ATTACHMENT: self._restore_attachments,
        }

    # --- seeding and inspection (tests, demo) ----------------------------------------------

    def deliver(
        self,
        mailbox: str,
        folder: str,
        network_message_id: str,
        internet_message_id: str,
        raw: bytes,
        attachments: list[Attachment] | None = None,
    ) -> None:
        """Put a message into ``folder`` of ``mailbox`` (both created when missing).

        Without ``attachments`` they are read from the MIME parts of ``raw``.
        """
        with self._lock:
            key = _key(mailbox)
            if self._locate(key, network_message_id) is not None:
                raise ValueError(f"{network_message_id} is already in {mailbox}")
            found = attachments_in(raw) if attachments is None else tuple(attachments)
            message = StoredMessage(network_message_id, internet_message_id, raw, found)
            self._box(key).folders.setdefault(folder, []).append(message)

    def set_rules(self, mailbox: str, scripts: Mapping[str, str]) -> None:
        """Replace the mailbox's Sieve scripts (script name → text)."""
        with self._lock:
            self._box(_key(mailbox)).rules = dict(scripts)

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None:
        """Make the next ``n`` port calls raise before acting (see :class:`FaultInjector`)."""
        with self._lock:
            self._faults.fail_next(n, transient=transient)

    def folder_of(self, mailbox: str, network_message_id: str) -> str | None:
        """The folder holding the copy, None when it is not in the mailbox."""
        with self._lock:
            found = self._locate(_key(mailbox), network_message_id)
            return found[0] if found is not None and found[0] != QUARANTINE else None

    def message(self, mailbox: str, network_message_id: str) -> StoredMessage | None:
        """The copy in the mailbox (any folder), None when it is not there."""
        with self._lock:
            found = self._locate(_key(mailbox), network_message_id)
            return found[1] if found is not None and found[0] != QUARANTINE else None

    def messages(self, mailbox: str, folder: str) -> list[StoredMessage]:
        """The copies in one folder, oldest first."""
        with self._lock:
            box = self._mailboxes.get(_key(mailbox))
            return list(box.folders.get(folder, [])) if box is not None else []

    def folders(self, mailbox: str) -> list[str]:
        """The mailbox's folder names."""
        with self._lock:
            box = self._mailboxes.get(_key(mailbox))
            return list(box.folders) if box is not None else []

    def quarantined(self, mailbox: str) -> list[StoredMessage]:
        """The mailbox's copies in the admin-only quarantine."""
        with self._lock:
            return [kept.message for kept in self._quarantine.get(_key(mailbox), [])]

    def sealed_copies(self, mailbox: str) -> list[StoredMessage]:
        """Hard-deleted copies of the mailbox still within the retention period."""
        with self._lock:
            self._purge_expired()
            return [kept.message for key, kept in self._sealed.values() if key == _key(mailbox)]

    def rules(self, mailbox: str) -> dict[str, str]:
        """The mailbox's Sieve scripts (script name → text)."""
        with self._lock:
            box = self._mailboxes.get(_key(mailbox))
            return dict(box.rules) if box is not None else {}

    # --- EmailSystem -----------------------------------------------------------------------

    def apply(
        self,
        action_id: str,
        operation: EmailOperation,
        messages: Sequence[MessageRef],
        progress: ProgressCallback | None = None,
    ) -> list[MessageOutcome]:
        """Apply ``operation`` to every copy; see the port."""
        with self._lock:
            self._faults.check(f"email {operation.value}")
            self._purge_expired()
            done = self._applied.get(action_id)
            if done is None:
                done = []
                handler = self._handlers[operation]
                for index, ref in enumerate(messages, start=1):
                    done.append(self._apply_one(handler, ref))
                    if progress is not None:
                        progress(index, len(messages))
                self._applied[action_id] = done
            elif progress is not None:
                progress(len(done), len(done))
            return list(done)

    def turn_off_external_forwarding(
        self, action_id: str, mailbox: str, internal_domains: Sequence[str]
    ) -> ForwardingChange:
        """Remove redirects outside ``internal_domains``; keep every other rule."""
        with self._lock:
            self._faults.check("email turnOffExternalForwarding")
            change = self._forwarding.get(action_id)
            if change is not None:
                return change
            box = self._existing(mailbox)
            previous = dict(box.rules)
            removed: list[str] = []
            for name, text in previous.items():
                box.rules[name], gone = without_external_redirects(text, internal_domains)
                removed.extend(gone)
            change = ForwardingChange(mailbox, tuple(dict.fromkeys(removed)), previous)
            self._forwarding[action_id] = change
            return change

    def restore_forwarding(self, action_id: str, change: ForwardingChange) -> None:
        """Put back the scripts as they were before ``change``."""
        with self._lock:
            self._faults.check("email restoreForwarding")
            if action_id in self._restored:
                return
            self._existing(change.mailbox).rules.update(change.previous)
            self._restored.add(action_id)

    def mailbox_rules(self, mailbox: str, internal_domains: Sequence[str]) -> MailboxRules:
        """:class:`~autoir.ports.remediation.MailboxInspector` over the stored rules."""
        with self._lock:
            box = self._mailboxes.get(_key(mailbox))
            scripts = list(box.rules.values()) if box is not None else []
        external = [
            target
            for text in scripts
            for target in redirect_targets(text)
            if not is_internal(target, internal_domains)
        ]
        away = next((m.group("args") for t in scripts if (m := _VACATION.search(t))), None)
        subject = _SUBJECT.search(away) if away is not None else None
        days = _DAYS.search(away) if away is not None else None
        reply = AutoReply(
            active=away is not None,
            subject=subject.group("subject") if subject else None,
            days=int(days.group("days")) if days else None,
        )
        return MailboxRules(mailbox.lower(), tuple(dict.fromkeys(external)), reply)

    # --- operations ------------------------------------------------------------------------

    def _apply_one(self, handler: _Handler, ref: MessageRef) -> MessageOutcome:
        if not ref.network_message_id and not ref.internet_message_id:
            return MessageOutcome(ref, MessageStatus.FAILED, detail="The reference has no id.")
        key = _key(ref.mailbox)
        if key not in self._mailboxes:
            return MessageOutcome(ref, MessageStatus.FAILED, detail="No such mailbox.")
        return handler(key, ref)

    def _move(self, key: str, ref: MessageRef, target: str | None) -> MessageOutcome:
        if not target:
            return MessageOutcome(ref, MessageStatus.FAILED, detail="No folder to restore to.")
        box = self._mailboxes[key]
        found = _find(box, ref)
        if found is None:
            return _not_found(ref)
        folder, index = found
        if folder == target:
            return MessageOutcome(ref, MessageStatus.DONE, folder, target, f"Already in {target}.")
        box.folders.setdefault(target, []).append(box.folders[folder].pop(index))
        return MessageOutcome(ref, MessageStatus.DONE, folder, target)

    def _hard_delete(self, key: str, ref: MessageRef) -> MessageOutcome:
        box = self._mailboxes[key]
        found = _find(box, ref)
        if found is None:
            return _not_found(ref)
        folder, index = found
        message = box.folders[folder].pop(index)
        seal = f"sealed:{key}/{message.network_message_id}/{next(self._seals)}"
        self._sealed[seal] = (key, _Kept(message, folder, self._clock() + self._retention))
        return MessageOutcome(ref, MessageStatus.DONE, folder, None, retained_copy=seal)

    def _quarantine_message(self, key: str, ref: MessageRef) -> MessageOutcome:
        box = self._mailboxes[key]
        found = _find(box, ref)
        if found is None:
            return _not_found(ref)
        folder, index = found
        message = box.folders[folder].pop(index)
        self._quarantine.setdefault(key, []).append(_Kept(message, folder))
        held = f"quarantine:{key}/{message.network_message_id}"
        return MessageOutcome(ref, MessageStatus.DONE, folder, QUARANTINE, retained_copy=held)

    def _release(self, key: str, ref: MessageRef) -> MessageOutcome:
        box = self._mailboxes[key]
        held = self._quarantine.get(key, [])
        for index, kept in enumerate(held):
            if _matches(kept.message, ref):
                target = ref.restore_to or kept.folder
                box.folders.setdefault(target, []).append(held.pop(index).message)
                return MessageOutcome(ref, MessageStatus.DONE, QUARANTINE, target)
        return _not_found(ref)

    def _quarantine_attachments(self, key: str, ref: MessageRef) -> MessageOutcome:
        box = self._mailboxes[key]
        found = _find(box, ref)
        if found is None:
            return _not_found(ref)
        folder, index = found
        message = box.folders[folder][index]
        original = (key, message.network_message_id)
        if not message.attachments or original in self._originals:
            detail = "Already quarantined." if message.attachments else "No attachments."
            return MessageOutcome(ref, MessageStatus.DONE, folder, folder, detail)
        box.folders[folder][index] = without_attachments(message)
        self._originals[original] = _Kept(message, folder, self._clock() + self._retention)
        return MessageOutcome(
            ref,
            MessageStatus.DONE,
            folder,
            folder,
            f"{len(message.attachments)} attachment(s) replaced by a notice.",
            f"attachments:{key}/{message.network_message_id}",
        )

    def _restore_attachments(self, key: str, ref: MessageRef) -> MessageOutcome:
        box = self._mailboxes[key]
        found = _find(box, ref)
        if found is None:
            return _not_found(ref)
        folder, index = found
        kept = self._originals.pop((key, box.folders[folder][index].network_message_id), None)
        if kept is None:
            return _not_found(ref, "No quarantined attachments are kept for this copy.")
        target = ref.restore_to or folder
        if target == folder:
            box.folders[folder][index] = kept.message
        else:
            del box.folders[folder][index]
            box.folders.setdefault(target, []).append(kept.message)
        return MessageOutcome(ref, MessageStatus.DONE, folder, target)

    # --- storage ---------------------------------------------------------------------------

    def _box(self, key: str) -> _Mailbox:
        return self._mailboxes.setdefault(key, _Mailbox())

    def _existing(self, mailbox: str) -> _Mailbox:
        box = self._mailboxes.get(_key(mailbox))
        if box is None:
            raise ConnectorRejected(f"The mailbox {mailbox!r} does not exist.")
        return box

    def _locate(self, key: str, network_message_id: str) -> tuple[str, StoredMessage] | None:
        ref = MessageRef(key, network_message_id=network_message_id)
        box = self._mailboxes.get(key)
        found = _find(box, ref) if box is not None else None
        if box is not None and found is not None:
            return found[0], box.folders[found[0]][found[1]]
        for kept in self._quarantine.get(key, []):
            if _matches(kept.message, ref):
                return QUARANTINE, kept.message
        return None

    def _purge_expired(self) -> None:
        now = self._clock()
        for seal, (_, kept) in list(self._sealed.items()):
            if kept.expires_at is not None and kept.expires_at <= now:
                del self._sealed[seal]
        for original, kept in list(self._originals.items()):
            if kept.expires_at is not None and kept.expires_at <= now:
                del self._originals[original]


def _key(mailbox: str) -> str:
    return mailbox.strip().lower()


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>")


def _matches(message: StoredMessage, ref: MessageRef) -> bool:
    if ref.network_message_id:
        return message.network_message_id == ref.network_message_id
    return ref.internet_message_id is not None and _bare(message.internet_message_id) == _bare(
        ref.internet_message_id
    )


def _find(box: _Mailbox, ref: MessageRef) -> tuple[str, int] | None:
    for folder, items in box.folders.items():
        for index, message in enumerate(items):
            if _matches(message, ref):
                return folder, index
    return None


def _not_found(
    ref: MessageRef, detail: str = "The copy is no longer in the mailbox."
) -> MessageOutcome:
    return MessageOutcome(ref, MessageStatus.NOT_FOUND, detail=detail)
