"""Investigation enums (reference §2.2, §2.3) and their mapping to ``investigationState``."""

from __future__ import annotations

from enum import StrEnum

from autoir.domain.alerts.enums import InvestigationState


class InvestigationStatus(StrEnum):
    """Status as on the investigations page (reference §2.3)."""

    STARTING = "starting"
    QUEUED = "queued"
    RUNNING = "running"
    PENDING_ACTION = "pendingAction"
    PARTIALLY_INVESTIGATED = "partiallyInvestigated"
    PARTIALLY_REMEDIATED = "partiallyRemediated"
    REMEDIATED = "remediated"
    NO_THREATS_FOUND = "noThreatsFound"
    FAILED = "failed"
    TERMINATED_BY_SYSTEM = "terminatedBySystem"
    TERMINATED_BY_USER = "terminatedByUser"

    @property
    def is_active(self) -> bool:
        """Whether workers still have something to do (the sweeper watches these)."""
        return self in _ACTIVE

    @property
    def is_final(self) -> bool:
        """Whether the investigation can no longer change by itself."""
        return self in _FINAL

    @property
    def alert_state(self) -> InvestigationState:
        """The ``investigationState`` a triggering alert shows for this status."""
        return _ALERT_STATE[self]


_ACTIVE = frozenset(
    {InvestigationStatus.STARTING, InvestigationStatus.QUEUED, InvestigationStatus.RUNNING}
)
_FINAL = frozenset(
    {
        InvestigationStatus.NO_THREATS_FOUND,
        InvestigationStatus.FAILED,
        InvestigationStatus.TERMINATED_BY_SYSTEM,
        InvestigationStatus.TERMINATED_BY_USER,
        InvestigationStatus.REMEDIATED,
    }
)
_ALERT_STATE = {
    InvestigationStatus.STARTING: InvestigationState.QUEUED,
    InvestigationStatus.QUEUED: InvestigationState.QUEUED,
    InvestigationStatus.RUNNING: InvestigationState.RUNNING,
    InvestigationStatus.PENDING_ACTION: InvestigationState.PENDING_APPROVAL,
    InvestigationStatus.PARTIALLY_INVESTIGATED: InvestigationState.PARTIALLY_INVESTIGATED,
    InvestigationStatus.PARTIALLY_REMEDIATED: InvestigationState.PARTIALLY_REMEDIATED,
    InvestigationStatus.REMEDIATED: InvestigationState.SUCCESSFULLY_REMEDIATED,
    InvestigationStatus.NO_THREATS_FOUND: InvestigationState.BENIGN,
    InvestigationStatus.FAILED: InvestigationState.FAILED,
    InvestigationStatus.TERMINATED_BY_SYSTEM: InvestigationState.TERMINATED_BY_SYSTEM,
    InvestigationStatus.TERMINATED_BY_USER: InvestigationState.TERMINATED_BY_USER,
}


class InvestigationType(StrEnum):
    """What started the investigation (reference §2.2 filter values, plus device and user)."""

    USER_REPORTED_MESSAGE = "userReportedMessage"
    URL_CLICK = "urlClick"
    ZAPPED_FILE = "zappedFile"
    ZAPPED_URL = "zappedUrl"
    URL_VERDICT_CHANGE = "urlVerdictChange"
    SUSPICIOUS_EMAIL_SENDING = "suspiciousEmailSending"
    DEVICE_THREAT = "deviceThreat"
    USER_COMPROMISED = "userCompromised"
    MANUAL = "manual"

    @property
    def management_api_name(self) -> str:
        """``InvestigationType`` as the Office 365 Management Activity API spells it (§2.2)."""
        return _MGMT_NAMES.get(self, "Manual Investigation")


_MGMT_NAMES = {
    InvestigationType.USER_REPORTED_MESSAGE: "User-Reported Messages",
    InvestigationType.ZAPPED_FILE: "Zapped Malware",
    InvestigationType.ZAPPED_URL: "Zapped Phish",
    InvestigationType.URL_VERDICT_CHANGE: "Url Verdict Change",
    InvestigationType.URL_CLICK: "Url Verdict Change",
}


class LogKind(StrEnum):
    """Rows of the investigation log (reference §2.4 Log tab)."""

    STEP = "step"
    ANALYZER = "analyzer"
    ACTION = "action"
    SYSTEM = "system"


class LogStatus(StrEnum):
    """Status of one log row."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


class TriggerRole(StrEnum):
    """How an alert relates to an investigation."""

    TRIGGER = "trigger"
    PREEXISTING = "preexisting"
