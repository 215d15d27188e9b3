"""Connector ports that execute remediation: email, endpoint fleet, URL blocker, identity, notifier.

Every request carries the action id as its idempotency key: repeating a request with the same id
(a worker died after the call, a retry after a timeout) returns the first outcome and changes
nothing more. Adapters raise :class:`~autoir.domain.errors.ConnectorUnavailable` for transient
failures (the service retries) and :class:`~autoir.domain.errors.ConnectorRejected` for
permanent ones (the action fails with that message). Each port has a contract suite in
``tests/contract/`` that every adapter — in-memory now, IMAP/agent later — must pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

ProgressCallback = Callable[[int, int], None]
"""``progress(done, total)`` for bulk work."""


# --- Email system ---------------------------------------------------------------------------


class EmailOperation(StrEnum):
    """What to do with messages in mailboxes."""

    SOFT_DELETE = "softDelete"  # to a recoverable folder (Deleted Items / Recoverable Items)
    HARD_DELETE = "hardDelete"  # expunge, after a sealed copy is kept for the retention period
    MOVE_TO_JUNK = "moveToJunk"
    MOVE_TO_INBOX = "moveToInbox"
    MOVE_BACK = "moveBack"  # undo of a move: each message back to ``MessageRef.restore_to``
    QUARANTINE = "quarantine"  # to the admin-only quarantine store
    RELEASE = "release"  # from quarantine back to ``MessageRef.restore_to``
    QUARANTINE_ATTACHMENT = "quarantineAttachment"  # attachments swapped for a notice
    RESTORE_ATTACHMENT = "restoreAttachment"  # the original message put back


class MessageStatus(StrEnum):
    """Per-message result of an email operation."""

    DONE = "done"
    NOT_FOUND = "notFound"  # already gone: reported, not an error
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class MessageRef:
    """One copy of a message: located by network or Internet message id in one mailbox."""

    mailbox: str
    network_message_id: str | None = None
    internet_message_id: str | None = None
    restore_to: str | None = None
    """For ``moveBack``/``release``/``restoreAttachment``: the folder the copy was in before."""

    def to_json(self) -> dict[str, Any]:
        """Stored with the action (its undo needs it)."""
        return {
            "mailbox": self.mailbox,
            "networkMessageId": self.network_message_id,
            "internetMessageId": self.internet_message_id,
            "restoreTo": self.restore_to,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MessageRef:
        """Read what :meth:`to_json` wrote."""
        return cls(
            mailbox=str(data["mailbox"]),
            network_message_id=data.get("networkMessageId"),
            internet_message_id=data.get("internetMessageId"),
            restore_to=data.get("restoreTo"),
        )


@dataclass(frozen=True, slots=True)
class MessageOutcome:
    """What happened to one copy."""

    ref: MessageRef
    status: MessageStatus
    folder_before: str | None = None
    folder_after: str | None = None
    detail: str = ""
    retained_copy: str | None = None
    """Where a destructive operation kept what it removed (for undo within the retention)."""

    def to_json(self) -> dict[str, Any]:
        """Stored in the action's result."""
        return {
            "message": self.ref.to_json(),
            "status": self.status.value,
            "folderBefore": self.folder_before,
            "folderAfter": self.folder_after,
            "detail": self.detail,
            "retainedCopy": self.retained_copy,
        }


@dataclass(frozen=True, slots=True)
class ForwardingChange:
    """What turning off external forwarding removed from one mailbox (kept for undo)."""

    mailbox: str
    removed: tuple[str, ...]
    """The external destinations that no longer receive copies."""
    previous: Mapping[str, str] = field(default_factory=dict)
    """The mailbox's rules before the change (script name → text), restored by undo."""

    def to_json(self) -> dict[str, Any]:
        """Stored in the action's result."""
        return {
            "mailbox": self.mailbox,
            "removed": list(self.removed),
            "previous": dict(self.previous),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ForwardingChange:
        """Read what :meth:`to_json` wrote."""
        return cls(
            mailbox=str(data["mailbox"]),
            removed=tuple(str(r) for r in data.get("removed", ())),
            previous={str(k): str(v) for k, v in dict(data.get("previous") or {}).items()},
        )


@dataclass(frozen=True, slots=True)
class AutoReply:
    """A mailbox's automatic reply (out of office)."""

    active: bool
    subject: str | None = None
    days: int | None = None
    """How often one sender gets the reply; None when the server's default applies."""

    def to_json(self) -> dict[str, Any]:
        """As enrichment on mailbox evidence."""
        return {"active": self.active, "subject": self.subject, "days": self.days}


@dataclass(frozen=True, slots=True)
class MailboxRules:
    """What a mailbox's own rules do with its mail: external forwarding, automatic reply."""

    mailbox: str
    external_forwarding: tuple[str, ...] = ()
    """Addresses outside the organisation that the mailbox's running rules redirect mail to."""
    out_of_office: AutoReply = AutoReply(active=False)

    def to_json(self) -> dict[str, Any]:
        """As enrichment on mailbox evidence (``externalForwarding``, ``outOfOffice``)."""
        return {
            "externalForwarding": list(self.external_forwarding),
            "outOfOffice": self.out_of_office.to_json(),
        }


class MailboxInspector(Protocol):
    """Reads a mailbox's rules (ManageSieve in ``autoir.connectors.sieve``): enrichment."""

    def mailbox_rules(self, mailbox: str, internal_domains: Sequence[str]) -> MailboxRules:
        """The mailbox's external forwarding and automatic reply, as its rules stand now."""
        ...


class EmailSystem(Protocol):
    """The organisation's mail system (IMAP + ManageSieve in issue 5)."""

    def apply(
        self,
        action_id: str,
        operation: EmailOperation,
        messages: Sequence[MessageRef],
        progress: ProgressCallback | None = None,
    ) -> list[MessageOutcome]:
        """Apply ``operation`` to every copy; one outcome per ref, in order.

        A copy that is no longer in the mailbox is ``notFound``. Repeating the same
        ``action_id`` returns the first outcomes without acting again.
        """
        ...

    def turn_off_external_forwarding(
        self, action_id: str, mailbox: str, internal_domains: Sequence[str]
    ) -> ForwardingChange:
        """Remove redirects to domains outside ``internal_domains``; keep every other rule."""
        ...

    def restore_forwarding(self, action_id: str, change: ForwardingChange) -> None:
        """Put back the rules ``change`` removed."""
        ...


# --- Endpoint fleet -------------------------------------------------------------------------


class DeviceOperation(StrEnum):
    """Machine actions (reference §3.3 ``type``, plus the live-response commands)."""

    ISOLATE = "Isolate"
    UNISOLATE = "Unisolate"
    RESTRICT_CODE_EXECUTION = "RestrictCodeExecution"
    UNRESTRICT_CODE_EXECUTION = "UnrestrictCodeExecution"
    RUN_ANTIVIRUS_SCAN = "RunAntiVirusScan"
    STOP_AND_QUARANTINE_FILE = "StopAndQuarantineFile"
    RELEASE_FROM_QUARANTINE = "ReleaseFromQuarantine"
    COLLECT_INVESTIGATION_PACKAGE = "CollectInvestigationPackage"
    REQUEST_SAMPLE = "RequestSample"
    OFFBOARD = "Offboard"
    DELETE_FILE = "LiveResponseDeleteFile"
    STOP_PROCESS = "LiveResponseStopProcess"
    REMOVE_SCHEDULED_TASK = "LiveResponseRemoveScheduledTask"


class CommandState(StrEnum):
    """Machine-action ``status`` (reference §3.3) plus waiting for an offline device."""

    PENDING_RESOURCE = "PendingResource"
    IN_PROGRESS = "InProgress"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELLED = "Cancelled"


@dataclass(frozen=True, slots=True)
class DeviceCommand:
    """One machine action for one device.

    ``parameters`` by operation: isolate ``isolationType`` (``Full``/``Selective``); scan
    ``scanType`` (``Quick``/``Full``); file operations ``sha256`` and optional ``path``;
    stop process ``pid`` or ``sha256``; remove scheduled task ``name``; release from quarantine
    ``quarantineIds`` (from the stop-and-quarantine outcome).
    """

    action_id: str
    device_id: str
    operation: DeviceOperation
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """Where a machine action is; ``details`` is what it did (quarantined paths, scan hits…)."""

    state: CommandState
    details: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None


class EndpointFleet(Protocol):
    """Enrolled devices that execute machine actions (the AutoIR agent in issue 6)."""

    def is_online(self, device_id: str) -> bool:
        """Whether the device has checked in recently enough to take a command now."""
        ...

    def dispatch(self, command: DeviceCommand) -> CommandOutcome:
        """Hand the command to its device; repeating ``action_id`` returns its current outcome.

        An offline device gives ``PendingResource`` (the command waits for its check-in); a
        device that takes time gives ``InProgress`` (poll :meth:`outcome`).
        """
        ...

    def outcome(self, action_id: str) -> CommandOutcome | None:
        """The latest outcome of a dispatched command, None if never dispatched."""
        ...

    def cancel(self, action_id: str) -> CommandOutcome | None:
        """Withdraw a command its device has not started (``Cancelled`` from then on).

        A command that already ran, or is running, keeps its outcome, which is returned: the
        caller records what really happened. None if never dispatched.
        """
        ...


# --- URL blocker ----------------------------------------------------------------------------


class UrlBlocker(Protocol):
    """The click-time URL block list (served to proxies and resolvers, enforced at ``/l``)."""

    def block(self, action_id: str, url: str, reason: str) -> None:
        """Block ``url`` (idempotent per action id and URL)."""
        ...

    def unblock(self, action_id: str, url: str) -> None:
        """Lift a block made by any action (idempotent)."""
        ...

    def is_blocked(self, url: str) -> bool:
        """Whether a click on ``url`` is blocked now."""
        ...


# --- Identity -------------------------------------------------------------------------------


class IdentityOperation(StrEnum):
    """User actions (reference §2.7 XDR user actions)."""

    DISABLE = "disableUser"
    ENABLE = "enableUser"
    RESET_PASSWORD = "resetPassword"  # noqa: S105 - an operation name, not a password
    REVOKE_SESSIONS = "revokeSessions"
    CONFIRM_COMPROMISED = "confirmCompromised"
    DISMISS_COMPROMISED = "dismissCompromised"


class IdentityProvider(Protocol):
    """The directory that holds user accounts."""

    def supports(self, operation: IdentityOperation) -> bool:
        """Whether this directory can do ``operation`` (the UI offers only those)."""
        ...

    def apply(self, action_id: str, operation: IdentityOperation, user: str) -> Mapping[str, Any]:
        """Do ``operation`` for ``user`` (a UPN); returns details; idempotent per action id."""
        ...


# --- Notifier -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notification:
    """A mail to people (affected users, analysts)."""

    recipients: tuple[str, ...]
    subject: str
    body: str
    sender: str | None = None


class Notifier(Protocol):
    """Sends notifications (SMTP submission in issue 5)."""

    def send(self, notification: Notification) -> str:
        """Send; returns the message id."""
        ...
