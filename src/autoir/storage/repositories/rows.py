"""Row ↔ record conversions shared by the SQL repositories."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Row

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
from autoir.domain.alerts.record import AlertRecord, Comment
from autoir.domain.incidents.record import IncidentRecord
from autoir.storage.database import from_db_time, from_db_time_opt

UNKNOWN = "unknown"


def dumps(value: object) -> str:
    """JSON text for a document column."""
    return orjson.dumps(value).decode()


def loads(text: str) -> Any:  # noqa: ANN401 - JSON documents are untyped by nature
    """Parse a JSON document column."""
    return orjson.loads(text)


def _opt(enum_cls: Any, value: str | None) -> Any:  # noqa: ANN401
    return None if value is None or value == UNKNOWN else enum_cls(value)


def alert_from_row(row: Row[Any]) -> AlertRecord:
    """Build an :class:`AlertRecord` from an ``alerts`` row."""
    m = row._mapping
    return AlertRecord(
        id=m["id"],
        tenant_id=m["tenant_id"],
        provider_alert_id=m["provider_alert_id"],
        service_source=ServiceSource(m["service_source"]),
        detection_source=DetectionSource(m["detection_source"]),
        detector_id=m["detector_id"],
        title=m["title"],
        category=m["category"],
        severity=AlertSeverity(m["severity"]),
        status=AlertStatus(m["status"]),
        classification=_opt(AlertClassification, m["classification"]),
        determination=_opt(AlertDetermination, m["determination"]),
        investigation_state=_opt(InvestigationState, m["investigation_state"]),
        assigned_to=m["assigned_to"],
        incident_id=m["incident_id"],
        tags=tuple(loads(m["tags"])),
        created=from_db_time(m["created_at"]),
        last_update=from_db_time(m["last_update_at"]),
        first_activity=from_db_time(m["first_activity_at"]),
        last_activity=from_db_time(m["last_activity_at"]),
        resolved=from_db_time_opt(m["resolved_at"]),
        occurrences=m["occurrences"],
        fingerprint=m["fingerprint"],
        document=loads(m["document"]),
        suppression_rule_id=m["suppression_rule_id"],
        hidden=bool(m["hidden"]),
    )


def incident_from_row(row: Row[Any]) -> IncidentRecord:
    """Build an :class:`IncidentRecord` from an ``incidents`` row."""
    m = row._mapping
    return IncidentRecord(
        id=m["id"],
        tenant_id=m["tenant_id"],
        display_name=m["display_name"],
        description=m["description"],
        status=IncidentStatus(m["status"]),
        severity=AlertSeverity(m["severity"]),
        classification=_opt(AlertClassification, m["classification"]),
        determination=_opt(AlertDetermination, m["determination"]),
        assigned_to=m["assigned_to"],
        redirect_incident_id=m["redirect_incident_id"],
        custom_tags=tuple(loads(m["custom_tags"])),
        system_tags=tuple(loads(m["system_tags"])),
        created=from_db_time(m["created_at"]),
        last_update=from_db_time(m["last_update_at"]),
        last_modified_by=m["last_modified_by"],
        resolving_comment=m["resolving_comment"],
        alert_count=m["alert_count"],
    )


def comment_from_row(row: Row[Any]) -> Comment:
    """Build a :class:`Comment` from a comments row."""
    m = row._mapping
    return Comment(
        comment=m["comment"], created_by=m["created_by"], created=from_db_time(m["created_at"])
    )
