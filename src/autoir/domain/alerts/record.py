"""Stored alerts and comments, and their Graph JSON representation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autoir.domain.alerts.enums import (
    AlertClassification,
    AlertDetermination,
    AlertSeverity,
    AlertStatus,
    DetectionSource,
    InvestigationState,
    ServiceSource,
)
from autoir.domain.timestamps import format_timestamp

ODATA_ALERT = "#microsoft.graph.security.alert"
ODATA_COMMENT = "microsoft.graph.security.alertComment"


@dataclass(frozen=True, slots=True)
class Comment:
    """An analyst's comment on an alert or incident."""

    comment: str
    created_by: str
    created: datetime

    def to_graph(self) -> dict[str, Any]:
        """Graph ``alertComment``."""
        return {
            "@odata.type": ODATA_COMMENT,
            "comment": self.comment,
            "createdByDisplayName": self.created_by,
            "createdDateTime": format_timestamp(self.created),
        }


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """An alert as stored: indexed columns plus the rest of its Graph document."""

    id: str
    tenant_id: str
    provider_alert_id: str | None
    service_source: ServiceSource
    detection_source: DetectionSource
    detector_id: str | None
    title: str
    category: str | None
    severity: AlertSeverity
    status: AlertStatus
    classification: AlertClassification | None
    determination: AlertDetermination | None
    investigation_state: InvestigationState | None
    assigned_to: str | None
    incident_id: int | None
    tags: tuple[str, ...]
    created: datetime
    last_update: datetime
    first_activity: datetime
    last_activity: datetime
    resolved: datetime | None
    occurrences: int
    fingerprint: str
    document: dict[str, Any]
    suppression_rule_id: str | None = None
    hidden: bool = False

    @property
    def evidence(self) -> list[dict[str, Any]]:
        """The alert's typed evidence."""
        evidence = self.document.get("evidence")
        return evidence if isinstance(evidence, list) else []

    def to_graph(self, comments: list[Comment] | None = None) -> dict[str, Any]:
        """The Graph ``alert`` (alerts_v2) JSON object, unknown source properties included."""
        body: dict[str, Any] = {"@odata.type": ODATA_ALERT, "id": self.id}
        body.update(self.document)
        body.update(
            {
                "providerAlertId": self.provider_alert_id,
                "incidentId": str(self.incident_id) if self.incident_id is not None else None,
                "tenantId": self.tenant_id,
                "serviceSource": self.service_source.value,
                "detectionSource": self.detection_source.value,
                "detectorId": self.detector_id,
                "title": self.title,
                "category": self.category,
                "severity": self.severity.value,
                "status": self.status.value,
                "classification": self.classification.value if self.classification else "unknown",
                "determination": self.determination.value if self.determination else "unknown",
                "investigationState": (
                    self.investigation_state.value if self.investigation_state else "unknown"
                ),
                "assignedTo": self.assigned_to,
                "tags": list(self.tags),
                "createdDateTime": format_timestamp(self.created),
                "lastUpdateDateTime": format_timestamp(self.last_update),
                "firstActivityDateTime": format_timestamp(self.first_activity),
                "lastActivityDateTime": format_timestamp(self.last_activity),
                "resolvedDateTime": format_timestamp(self.resolved),
                "occurrenceCount": self.occurrences,
                "comments": [c.to_graph() for c in comments or []],
            }
        )
        if self.suppression_rule_id is not None:  # AutoIR extension (issue 7)
            body["suppressionRuleId"] = self.suppression_rule_id
            body["hidden"] = self.hidden
        return body
