"""Alert enums with the Graph spelling (reference §1.3), parsed case-insensitively.

Values stay camelCase because they are what Graph clients send and expect back; parsing accepts
any case (documentation examples send PascalCase) and the older aliases listed in reference §1.3.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar, cast

E = TypeVar("E", bound=StrEnum)


class AlertSeverity(StrEnum):
    """``alertSeverity``."""

    UNKNOWN = "unknown"
    INFORMATIONAL = "informational"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"

    @property
    def rank(self) -> int:
        """Order for "maximum severity": unknown < informational < low < medium < high."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    AlertSeverity.UNKNOWN: 0,
    AlertSeverity.UNKNOWN_FUTURE_VALUE: 0,
    AlertSeverity.INFORMATIONAL: 1,
    AlertSeverity.LOW: 2,
    AlertSeverity.MEDIUM: 3,
    AlertSeverity.HIGH: 4,
}


class AlertStatus(StrEnum):
    """``alertStatus``."""

    UNKNOWN = "unknown"
    NEW = "new"
    IN_PROGRESS = "inProgress"
    RESOLVED = "resolved"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class AlertClassification(StrEnum):
    """``alertClassification``."""

    UNKNOWN = "unknown"
    FALSE_POSITIVE = "falsePositive"
    TRUE_POSITIVE = "truePositive"
    INFORMATIONAL_EXPECTED_ACTIVITY = "informationalExpectedActivity"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class AlertDetermination(StrEnum):
    """``alertDetermination`` (SDK member list)."""

    UNKNOWN = "unknown"
    APT = "apt"
    MALWARE = "malware"
    SECURITY_PERSONNEL = "securityPersonnel"
    SECURITY_TESTING = "securityTesting"
    UNWANTED_SOFTWARE = "unwantedSoftware"
    OTHER = "other"
    MULTI_STAGED_ATTACK = "multiStagedAttack"
    COMPROMISED_ACCOUNT = "compromisedAccount"
    PHISHING = "phishing"
    MALICIOUS_USER_ACTIVITY = "maliciousUserActivity"
    NOT_MALICIOUS = "notMalicious"
    NOT_ENOUGH_DATA_TO_VALIDATE = "notEnoughDataToValidate"
    CONFIRMED_ACTIVITY = "confirmedActivity"
    LINE_OF_BUSINESS_APPLICATION = "lineOfBusinessApplication"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class ServiceSource(StrEnum):
    """``serviceSource`` including the evolvable members."""

    UNKNOWN = "unknown"
    MICROSOFT_DEFENDER_FOR_ENDPOINT = "microsoftDefenderForEndpoint"
    MICROSOFT_DEFENDER_FOR_IDENTITY = "microsoftDefenderForIdentity"
    MICROSOFT_DEFENDER_FOR_CLOUD_APPS = "microsoftDefenderForCloudApps"
    MICROSOFT_DEFENDER_FOR_OFFICE365 = "microsoftDefenderForOffice365"
    MICROSOFT_365_DEFENDER = "microsoft365Defender"
    AZURE_AD_IDENTITY_PROTECTION = "azureAdIdentityProtection"
    MICROSOFT_APP_GOVERNANCE = "microsoftAppGovernance"
    DATA_LOSS_PREVENTION = "dataLossPrevention"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"
    MICROSOFT_DEFENDER_FOR_CLOUD = "microsoftDefenderForCloud"
    MICROSOFT_SENTINEL = "microsoftSentinel"
    MICROSOFT_THREAT_INTELLIGENCE = "microsoftThreatIntelligence"


class DetectionSource(StrEnum):
    """``detectionSource`` including the evolvable members."""

    UNKNOWN = "unknown"
    MICROSOFT_DEFENDER_FOR_ENDPOINT = "microsoftDefenderForEndpoint"
    ANTIVIRUS = "antivirus"
    SMART_SCREEN = "smartScreen"
    CUSTOM_TI = "customTi"
    MICROSOFT_DEFENDER_FOR_OFFICE365 = "microsoftDefenderForOffice365"
    AUTOMATED_INVESTIGATION = "automatedInvestigation"
    MICROSOFT_THREAT_EXPERTS = "microsoftThreatExperts"
    CUSTOM_DETECTION = "customDetection"
    MICROSOFT_DEFENDER_FOR_IDENTITY = "microsoftDefenderForIdentity"
    CLOUD_APP_SECURITY = "cloudAppSecurity"
    MICROSOFT_365_DEFENDER = "microsoft365Defender"
    AZURE_AD_IDENTITY_PROTECTION = "azureAdIdentityProtection"
    MANUAL = "manual"
    MICROSOFT_DATA_LOSS_PREVENTION = "microsoftDataLossPrevention"
    APP_GOVERNANCE_POLICY = "appGovernancePolicy"
    APP_GOVERNANCE_DETECTION = "appGovernanceDetection"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"
    MICROSOFT_DEFENDER_FOR_CLOUD = "microsoftDefenderForCloud"
    MICROSOFT_DEFENDER_FOR_IOT = "microsoftDefenderForIoT"
    MICROSOFT_DEFENDER_FOR_SERVERS = "microsoftDefenderForServers"
    MICROSOFT_DEFENDER_FOR_STORAGE = "microsoftDefenderForStorage"
    MICROSOFT_DEFENDER_FOR_DNS = "microsoftDefenderForDNS"
    MICROSOFT_DEFENDER_FOR_DATABASES = "microsoftDefenderForDatabases"
    MICROSOFT_DEFENDER_FOR_CONTAINERS = "microsoftDefenderForContainers"
    MICROSOFT_DEFENDER_FOR_NETWORK = "microsoftDefenderForNetwork"
    MICROSOFT_DEFENDER_FOR_APP_SERVICE = "microsoftDefenderForAppService"
    MICROSOFT_DEFENDER_FOR_KEY_VAULT = "microsoftDefenderForKeyVault"
    MICROSOFT_DEFENDER_FOR_RESOURCE_MANAGER = "microsoftDefenderForResourceManager"
    MICROSOFT_DEFENDER_FOR_API_MANAGEMENT = "microsoftDefenderForApiManagement"
    MICROSOFT_SENTINEL = "microsoftSentinel"
    NRT_ALERTS = "nrtAlerts"
    SCHEDULED_ALERTS = "scheduledAlerts"
    MICROSOFT_DEFENDER_THREAT_INTELLIGENCE_ANALYTICS = (
        "microsoftDefenderThreatIntelligenceAnalytics"
    )
    BUILT_IN_ML = "builtInMl"


class InvestigationState(StrEnum):
    """``investigationState`` (beta; same set as the MDE investigation ``state``)."""

    UNKNOWN = "unknown"
    TERMINATED = "terminated"
    SUCCESSFULLY_REMEDIATED = "successfullyRemediated"
    BENIGN = "benign"
    FAILED = "failed"
    PARTIALLY_REMEDIATED = "partiallyRemediated"
    RUNNING = "running"
    PENDING_APPROVAL = "pendingApproval"
    PENDING_RESOURCE = "pendingResource"
    QUEUED = "queued"
    INNER_FAILURE = "innerFailure"
    PREEXISTING_ALERT = "preexistingAlert"
    UNSUPPORTED_OS = "unsupportedOs"
    UNSUPPORTED_ALERT_TYPE = "unsupportedAlertType"
    SUPPRESSED_ALERT = "suppressedAlert"
    PARTIALLY_INVESTIGATED = "partiallyInvestigated"
    TERMINATED_BY_USER = "terminatedByUser"
    TERMINATED_BY_SYSTEM = "terminatedBySystem"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class IncidentStatus(StrEnum):
    """``incidentStatus``."""

    ACTIVE = "active"
    RESOLVED = "resolved"
    IN_PROGRESS = "inProgress"
    REDIRECTED = "redirected"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"
    AWAITING_ACTION = "awaitingAction"


class EvidenceRole(StrEnum):
    """``evidenceRole``."""

    UNKNOWN = "unknown"
    CONTEXTUAL = "contextual"
    SCANNED = "scanned"
    SOURCE = "source"
    DESTINATION = "destination"
    CREATED = "created"
    ADDED = "added"
    COMPROMISED = "compromised"
    EDITED = "edited"
    ATTACKED = "attacked"
    ATTACKER = "attacker"
    COMMAND_AND_CONTROL = "commandAndControl"
    LOADED = "loaded"
    SUSPICIOUS = "suspicious"
    POLICY_VIOLATOR = "policyViolator"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class EvidenceVerdict(StrEnum):
    """``evidenceVerdict``."""

    UNKNOWN = "unknown"
    SUSPICIOUS = "suspicious"
    MALICIOUS = "malicious"
    NO_THREATS_FOUND = "noThreatsFound"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class EvidenceRemediationStatus(StrEnum):
    """``evidenceRemediationStatus`` including the evolvable members."""

    NONE = "none"
    REMEDIATED = "remediated"
    PREVENTED = "prevented"
    BLOCKED = "blocked"
    NOT_FOUND = "notFound"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"
    ACTIVE = "active"
    PENDING_APPROVAL = "pendingApproval"
    DECLINED = "declined"
    UNREMEDIATED = "unremediated"
    RUNNING = "running"
    PARTIALLY_REMEDIATED = "partiallyRemediated"


# Older documentation aliases (reference §1.3, §6.2), keyed by lower-case spelling.
_ALIASES: dict[type[StrEnum], dict[str, str]] = {
    AlertDetermination: {
        "compromiseduser": "compromisedAccount",
        "clean": "notMalicious",
        "insufficientdata": "notEnoughDataToValidate",
        "confirmeduseractivity": "confirmedActivity",
    },
    AlertClassification: {"benignpositive": "informationalExpectedActivity"},
}

_LOOKUP_CACHE: dict[type[StrEnum], dict[str, StrEnum]] = {}


def _lookup(enum_cls: type[E]) -> dict[str, StrEnum]:
    table = _LOOKUP_CACHE.get(enum_cls)
    if table is None:
        table = {member.value.lower(): member for member in enum_cls}
        for alias, target in _ALIASES.get(enum_cls, {}).items():
            table[alias] = enum_cls(target)
        _LOOKUP_CACHE[enum_cls] = table
    return table


def parse_enum(enum_cls: type[E], raw: str) -> E | None:
    """Return the member whose value matches ``raw`` ignoring case, or None if none does."""
    return cast("E | None", _lookup(enum_cls).get(raw.lower()))


def enum_values(enum_cls: type[StrEnum]) -> str:
    """All values of an enum, comma-separated, for error messages."""
    return ", ".join(member.value for member in enum_cls)
