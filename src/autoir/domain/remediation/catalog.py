"""The action catalogue (reference §2.7, §3.2, §3.3): every remediation AutoIR can take.

Each action type declares what it needs and what it does: the permission that requests or
approves it, the evidence kind it targets, the connector port that executes it, whether it can be
undone and by which action, and whether it destroys something (then the connector keeps what it
removes for the retention period, so that undo never loses data).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from autoir.domain.access.permissions import Permission


class ActionType(StrEnum):
    """Remediation action types. Values are the API's ``actionType``."""

    # Device (reference §3.3 machine actions and Action Center actions)
    COLLECT_INVESTIGATION_PACKAGE = "collectInvestigationPackage"
    ISOLATE_DEVICE = "isolateDevice"
    RELEASE_FROM_ISOLATION = "releaseFromIsolation"
    OFFBOARD_MACHINE = "offboardMachine"
    RESTRICT_CODE_EXECUTION = "restrictCodeExecution"
    RELEASE_CODE_EXECUTION = "releaseCodeExecution"
    RUN_ANTIVIRUS_SCAN = "runAntivirusScan"
    STOP_AND_QUARANTINE_FILE = "stopAndQuarantineFile"
    RELEASE_FROM_QUARANTINE = "releaseFromQuarantine"
    REQUEST_SAMPLE = "requestSample"
    LIVE_RESPONSE_DELETE_FILE = "liveResponseDeleteFile"
    LIVE_RESPONSE_STOP_PROCESS = "liveResponseStopProcess"
    LIVE_RESPONSE_REMOVE_SCHEDULED_TASK = "liveResponseRemoveScheduledTask"
    # Email (reference §2.6, §2.7)
    SOFT_DELETE_EMAIL = "softDeleteEmail"
    MOVE_BACK_EMAIL = "moveBackEmail"
    HARD_DELETE_EMAIL = "hardDeleteEmail"
    MOVE_TO_JUNK = "moveToJunk"
    MOVE_TO_INBOX = "moveToInbox"
    QUARANTINE_EMAIL = "quarantineEmail"
    RELEASE_EMAIL = "releaseEmail"
    QUARANTINE_ATTACHMENT = "quarantineAttachment"
    RESTORE_ATTACHMENT = "restoreAttachment"
    BLOCK_URL = "blockUrl"
    UNBLOCK_URL = "unblockUrl"
    TURN_OFF_EXTERNAL_FORWARDING = "turnOffExternalForwarding"
    RESTORE_FORWARDING = "restoreForwarding"
    # User
    DISABLE_USER = "disableUser"
    ENABLE_USER = "enableUser"
    RESET_PASSWORD = "resetPassword"  # noqa: S105 - an action name, not a password
    REVOKE_SESSIONS = "revokeSessions"
    CONFIRM_USER_COMPROMISED = "confirmUserCompromised"
    DISMISS_USER_COMPROMISED = "dismissUserCompromised"


class Connector(StrEnum):
    """The port that executes an action type."""

    EMAIL = "emailSystem"
    ENDPOINT = "endpointFleet"
    URL_BLOCKER = "urlBlocker"
    IDENTITY = "identity"


class TargetKind(StrEnum):
    """What an action acts on (the evidence kind of its target)."""

    DEVICE = "device"
    FILE = "file"
    PROCESS = "process"
    SCHEDULED_TASK = "scheduledTask"
    MESSAGE = "analyzedMessage"
    CLUSTER = "mailCluster"
    URL = "url"
    MAILBOX = "mailbox"
    USER = "user"

    @property
    def is_email(self) -> bool:
        """Messages and clusters (several messages, possibly in many mailboxes)."""
        return self in {TargetKind.MESSAGE, TargetKind.CLUSTER}


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """What one action type declares."""

    type: ActionType
    connector: Connector
    permission: Permission
    targets: frozenset[TargetKind]
    undo: ActionType | None = None
    destructive: bool = False
    undoes: ActionType | None = None
    """For an undo action: the action type it reverses."""

    @property
    def is_reversible(self) -> bool:
        """Whether an executed action of this type can be undone."""
        return self.undo is not None

    @property
    def is_device_action(self) -> bool:
        """Executed on a device by the endpoint fleet."""
        return self.connector is Connector.ENDPOINT

    @property
    def is_email_action(self) -> bool:
        """Executed in mailboxes (or on the URL blocker for email threats)."""
        return self.connector in {Connector.EMAIL, Connector.URL_BLOCKER}


T = ActionType
K = TargetKind
_DEVICE = frozenset({K.DEVICE})
_FILE = frozenset({K.FILE, K.PROCESS})
_MAIL = frozenset({K.MESSAGE, K.CLUSTER})
_R = Permission.RESPONSE_ACTIONS
_LIVE = Permission.LIVE_RESPONSE
_MAIL_ADV = Permission.EMAIL_ADVANCED_ACTIONS
_QUAR = Permission.EMAIL_QUARANTINE


def _spec(
    action: ActionType,
    connector: Connector,
    permission: Permission,
    targets: frozenset[TargetKind],
    *,
    undo: ActionType | None = None,
    destructive: bool = False,
    undoes: ActionType | None = None,
) -> ActionSpec:
    return ActionSpec(action, connector, permission, targets, undo, destructive, undoes)


_E, _M, _U, _I = Connector.ENDPOINT, Connector.EMAIL, Connector.URL_BLOCKER, Connector.IDENTITY
_SPECS = (
    _spec(T.COLLECT_INVESTIGATION_PACKAGE, _E, _R, _DEVICE),
    _spec(T.ISOLATE_DEVICE, _E, _R, _DEVICE, undo=T.RELEASE_FROM_ISOLATION),
    _spec(T.RELEASE_FROM_ISOLATION, _E, _R, _DEVICE, undoes=T.ISOLATE_DEVICE),
    _spec(T.OFFBOARD_MACHINE, _E, _R, _DEVICE),
    _spec(T.RESTRICT_CODE_EXECUTION, _E, _R, _DEVICE, undo=T.RELEASE_CODE_EXECUTION),
    _spec(T.RELEASE_CODE_EXECUTION, _E, _R, _DEVICE, undoes=T.RESTRICT_CODE_EXECUTION),
    _spec(T.RUN_ANTIVIRUS_SCAN, _E, _R, _DEVICE),
    _spec(
        T.STOP_AND_QUARANTINE_FILE,
        _E,
        _R,
        _FILE,
        undo=T.RELEASE_FROM_QUARANTINE,
        destructive=True,
    ),
    _spec(T.RELEASE_FROM_QUARANTINE, _E, _R, _FILE, undoes=T.STOP_AND_QUARANTINE_FILE),
    _spec(T.REQUEST_SAMPLE, _E, _LIVE, _FILE),
    _spec(T.LIVE_RESPONSE_DELETE_FILE, _E, _LIVE, frozenset({K.FILE}), destructive=True),
    _spec(T.LIVE_RESPONSE_STOP_PROCESS, _E, _LIVE, frozenset({K.PROCESS})),
    _spec(
        T.LIVE_RESPONSE_REMOVE_SCHEDULED_TASK,
        _E,
        _LIVE,
        frozenset({K.SCHEDULED_TASK}),
        destructive=True,
    ),
    _spec(T.SOFT_DELETE_EMAIL, _M, _MAIL_ADV, _MAIL, undo=T.MOVE_BACK_EMAIL),
    _spec(T.MOVE_BACK_EMAIL, _M, _MAIL_ADV, _MAIL, undoes=T.SOFT_DELETE_EMAIL),
    _spec(T.HARD_DELETE_EMAIL, _M, _MAIL_ADV, _MAIL, destructive=True),
    _spec(T.MOVE_TO_JUNK, _M, _MAIL_ADV, _MAIL, undo=T.MOVE_BACK_EMAIL),
    _spec(T.MOVE_TO_INBOX, _M, _MAIL_ADV, _MAIL, undo=T.MOVE_BACK_EMAIL),
    _spec(T.QUARANTINE_EMAIL, _M, _QUAR, _MAIL, undo=T.RELEASE_EMAIL),
    _spec(T.RELEASE_EMAIL, _M, _QUAR, _MAIL, undoes=T.QUARANTINE_EMAIL),
    _spec(
        T.QUARANTINE_ATTACHMENT,
        _M,
        _QUAR,
        _MAIL,
        undo=T.RESTORE_ATTACHMENT,
        destructive=True,
    ),
    _spec(T.RESTORE_ATTACHMENT, _M, _QUAR, _MAIL, undoes=T.QUARANTINE_ATTACHMENT),
    _spec(T.BLOCK_URL, _U, _MAIL_ADV, frozenset({K.URL}), undo=T.UNBLOCK_URL),
    _spec(T.UNBLOCK_URL, _U, _MAIL_ADV, frozenset({K.URL}), undoes=T.BLOCK_URL),
    _spec(
        T.TURN_OFF_EXTERNAL_FORWARDING,
        _M,
        _MAIL_ADV,
        frozenset({K.MAILBOX}),
        undo=T.RESTORE_FORWARDING,
    ),
    _spec(
        T.RESTORE_FORWARDING,
        _M,
        _MAIL_ADV,
        frozenset({K.MAILBOX}),
        undoes=T.TURN_OFF_EXTERNAL_FORWARDING,
    ),
    _spec(T.DISABLE_USER, _I, _R, frozenset({K.USER}), undo=T.ENABLE_USER),
    _spec(T.ENABLE_USER, _I, _R, frozenset({K.USER}), undoes=T.DISABLE_USER),
    _spec(T.RESET_PASSWORD, _I, _R, frozenset({K.USER})),
    _spec(T.REVOKE_SESSIONS, _I, _R, frozenset({K.USER})),
    _spec(
        T.CONFIRM_USER_COMPROMISED,
        _I,
        _R,
        frozenset({K.USER}),
        undo=T.DISMISS_USER_COMPROMISED,
    ),
    _spec(
        T.DISMISS_USER_COMPROMISED,
        _I,
        _R,
        frozenset({K.USER}),
        undoes=T.CONFIRM_USER_COMPROMISED,
    ),
)

CATALOGUE: dict[ActionType, ActionSpec] = {spec.type: spec for spec in _SPECS}
"""Every action type's declaration."""


def spec_of(action: ActionType) -> ActionSpec:
    """The declaration of ``action``."""
    return CATALOGUE[action]
