"""Stored incidents and their Graph JSON representation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autoir.domain.alerts.enums import (
    AlertClassification,
    AlertDetermination,
    AlertSeverity,
    IncidentStatus,
)
from autoir.domain.alerts.record import Comment
from autoir.domain.timestamps import format_timestamp

ODATA_INCIDENT = "#microsoft.graph.security.incident"


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """An incident as stored."""

    id: int
    tenant_id: str
    display_name: str
    description: str | None
    status: IncidentStatus
    severity: AlertSeverity
    classification: AlertClassification | None
    determination: AlertDetermination | None
    assigned_to: str | None
    redirect_incident_id: int | None
    custom_tags: tuple[str, ...]
    system_tags: tuple[str, ...]
    created: datetime
    last_update: datetime
    last_modified_by: str | None
    resolving_comment: str | None
    alert_count: int

    def to_graph(
        self, comments: list[Comment] | None = None, alerts: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """The Graph ``incident`` JSON object; ``alerts`` is added for ``$expand=alerts``."""
        body: dict[str, Any] = {
            "@odata.type": ODATA_INCIDENT,
            "id": str(self.id),
            "tenantId": self.tenant_id,
            "displayName": self.display_name,
            "description": self.description,
            "status": self.status.value,
            "severity": self.severity.value,
            "classification": self.classification.value if self.classification else "unknown",
            "determination": self.determination.value if self.determination else "unknown",
            "assignedTo": self.assigned_to,
            "redirectIncidentId": (
                str(self.redirect_incident_id) if self.redirect_incident_id is not None else None
            ),
            "customTags": list(self.custom_tags),
            "systemTags": list(self.system_tags),
            "createdDateTime": format_timestamp(self.created),
            "lastUpdateDateTime": format_timestamp(self.last_update),
            "lastModifiedBy": self.last_modified_by,
            "resolvingComment": self.resolving_comment,
            "alertCount": self.alert_count,
            "comments": [c.to_graph() for c in comments or []],
        }
        if alerts is not None:
            body["alerts"] = alerts
        return body
