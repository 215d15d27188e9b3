"""Filterable and sortable fields of alerts and incidents (Graph property names)."""

from __future__ import annotations

from autoir.domain.alerts.enums import (
    AlertClassification,
    AlertDetermination,
    AlertSeverity,
    AlertStatus,
    DetectionSource,
    IncidentStatus,
    InvestigationState,
    ServiceSource,
)
from autoir.domain.alerts.evidence import EntityKind
from autoir.domain.investigations.enums import InvestigationStatus, InvestigationType
from autoir.domain.queries.filters import FieldSpec, FieldType
from autoir.domain.remediation.catalog import ActionType, TargetKind
from autoir.domain.remediation.lifecycle import ActionSource, ActionStatus

_S, _E, _D, _I, _L = (
    FieldType.STRING,
    FieldType.ENUM,
    FieldType.DATETIME,
    FieldType.INTEGER,
    FieldType.STRING_LIST,
)

ALERT_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("id", _S, sortable=True),
        FieldSpec("providerAlertId", _S),
        FieldSpec("incidentId", _I, sortable=True),
        FieldSpec("title", _S, sortable=True),
        FieldSpec("detectorId", _S),
        FieldSpec("category", _S, sortable=True),
        FieldSpec("assignedTo", _S, sortable=True),
        FieldSpec("severity", _E, AlertSeverity, sortable=True),
        FieldSpec("status", _E, AlertStatus, sortable=True),
        FieldSpec("classification", _E, AlertClassification, sortable=True),
        FieldSpec("determination", _E, AlertDetermination, sortable=True),
        FieldSpec("serviceSource", _E, ServiceSource, sortable=True),
        FieldSpec("detectionSource", _E, DetectionSource, sortable=True),
        FieldSpec("investigationState", _E, InvestigationState, sortable=True),
        FieldSpec("createdDateTime", _D, sortable=True),
        FieldSpec("lastUpdateDateTime", _D, sortable=True),
        FieldSpec("firstActivityDateTime", _D, sortable=True),
        FieldSpec("lastActivityDateTime", _D, sortable=True),
        FieldSpec("resolvedDateTime", _D, sortable=True),
        FieldSpec("tags", _L),
        FieldSpec("suppressionRuleId", _S),
    )
}

INCIDENT_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("id", _I, sortable=True),
        FieldSpec("displayName", _S, sortable=True),
        FieldSpec("assignedTo", _S, sortable=True),
        FieldSpec("severity", _E, AlertSeverity, sortable=True),
        FieldSpec("status", _E, IncidentStatus, sortable=True),
        FieldSpec("classification", _E, AlertClassification, sortable=True),
        FieldSpec("determination", _E, AlertDetermination, sortable=True),
        FieldSpec("createdDateTime", _D, sortable=True),
        FieldSpec("lastUpdateDateTime", _D, sortable=True),
        FieldSpec("customTags", _L),
    )
}

INVESTIGATION_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("id", _S, sortable=True),
        FieldSpec("displayName", _S, sortable=True),
        FieldSpec("status", _E, InvestigationStatus, sortable=True),
        FieldSpec("investigationType", _E, InvestigationType, sortable=True),
        FieldSpec("playbookId", _S, sortable=True),
        FieldSpec("triggeringAlertId", _S),
        FieldSpec("createdBy", _S, sortable=True),
        FieldSpec("createdDateTime", _D, sortable=True),
        FieldSpec("lastModifiedDateTime", _D, sortable=True),
        FieldSpec("endDateTime", _D, sortable=True),
        FieldSpec("threatCount", _I, sortable=True),
        FieldSpec("actionCount", _I, sortable=True),
    )
}

# Evidence property paths usable inside ``evidence/any(e: e/<path> eq '…')`` and the entity kind
# each one names. A path may name several kinds (``userPrincipalName`` of a mailbox or a user).
EVIDENCE_PATHS: dict[str, EntityKind | None] = {
    "mdeDeviceId": EntityKind.DEVICE,
    "deviceDnsName": EntityKind.DEVICE,
    "azureAdDeviceId": EntityKind.DEVICE,
    "userAccount/userPrincipalName": EntityKind.USER,
    "userAccount/azureAdUserId": EntityKind.USER,
    "userAccount/userSid": EntityKind.USER,
    "userAccount/accountName": EntityKind.USER,
    "primaryAddress": EntityKind.MAILBOX,
    "upn": EntityKind.MAILBOX,
    "recipientEmailAddress": EntityKind.MAILBOX,
    "fileDetails/sha256": EntityKind.SHA256,
    "imageFile/sha256": EntityKind.SHA256,
    "fileDetails/sha1": EntityKind.SHA1,
    "fileDetails/md5": EntityKind.MD5,
    "fileDetails/fileName": EntityKind.FILE_NAME,
    "url": EntityKind.URL,
    "urls": EntityKind.URL,
    "ipAddress": EntityKind.IP,
    "senderIp": EntityKind.IP,
    "networkMessageId": EntityKind.NETWORK_MESSAGE_ID,
    "internetMessageId": EntityKind.INTERNET_MESSAGE_ID,
    "p1Sender/emailAddress": EntityKind.SENDER,
    "p2Sender/emailAddress": EntityKind.SENDER,
    "appId": None,
    "value": None,  # any entity of any kind: e/value eq 'x'
}


ACTION_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("id", _S, sortable=True),
        FieldSpec("investigationId", _S, sortable=True),
        FieldSpec("actionType", _E, ActionType, sortable=True),
        FieldSpec("actionSource", _E, ActionSource, sortable=True),
        FieldSpec("status", _E, ActionStatus, sortable=True),
        FieldSpec("entityType", _E, TargetKind, sortable=True),
        FieldSpec("entityName", _S, sortable=True),
        FieldSpec("requestedBy", _S, sortable=True),
        FieldSpec("decidedBy", _S, sortable=True),
        FieldSpec("createdDateTime", _D, sortable=True),
        FieldSpec("lastUpdateDateTime", _D, sortable=True),
        FieldSpec("decidedDateTime", _D, sortable=True),
        FieldSpec("completedDateTime", _D, sortable=True),
    )
}
