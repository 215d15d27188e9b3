"""Translate the domain filter tree into SQLAlchemy expressions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select, true

from autoir.domain.queries.filters import (
    And,
    CompareOp,
    Contains,
    EntityMatch,
    In,
    Node,
    Not,
    Or,
    Scalar,
)
from autoir.storage import tables
from autoir.storage.database import to_db_time

ALERT_COLUMNS: dict[str, ColumnElement[object]] = {
    "id": tables.alerts.c.id,
    "providerAlertId": tables.alerts.c.provider_alert_id,
    "incidentId": tables.alerts.c.incident_id,
    "title": tables.alerts.c.title,
    "detectorId": tables.alerts.c.detector_id,
    "category": tables.alerts.c.category,
    "assignedTo": tables.alerts.c.assigned_to,
    "severity": tables.alerts.c.severity,
    "status": tables.alerts.c.status,
    "classification": tables.alerts.c.classification,
    "determination": tables.alerts.c.determination,
    "serviceSource": tables.alerts.c.service_source,
    "detectionSource": tables.alerts.c.detection_source,
    "investigationState": tables.alerts.c.investigation_state,
    "createdDateTime": tables.alerts.c.created_at,
    "lastUpdateDateTime": tables.alerts.c.last_update_at,
    "firstActivityDateTime": tables.alerts.c.first_activity_at,
    "lastActivityDateTime": tables.alerts.c.last_activity_at,
    "resolvedDateTime": tables.alerts.c.resolved_at,
    "tags": tables.alerts.c.tags,
    "suppressionRuleId": tables.alerts.c.suppression_rule_id,
}
ALERT_SORT_COLUMNS: dict[str, ColumnElement[object]] = {
    **ALERT_COLUMNS,
    "severity": tables.alerts.c.severity_rank,
}

INCIDENT_COLUMNS: dict[str, ColumnElement[object]] = {
    "id": tables.incidents.c.id,
    "displayName": tables.incidents.c.display_name,
    "assignedTo": tables.incidents.c.assigned_to,
    "severity": tables.incidents.c.severity,
    "status": tables.incidents.c.status,
    "classification": tables.incidents.c.classification,
    "determination": tables.incidents.c.determination,
    "createdDateTime": tables.incidents.c.created_at,
    "lastUpdateDateTime": tables.incidents.c.last_update_at,
    "customTags": tables.incidents.c.custom_tags,
}
INCIDENT_SORT_COLUMNS: dict[str, ColumnElement[object]] = {
    **INCIDENT_COLUMNS,
    "severity": tables.incidents.c.severity_rank,
}

LIST_FIELDS = frozenset({"tags", "customTags"})


def _db_value(value: Scalar) -> object:
    if isinstance(value, datetime):
        return to_db_time(value)
    return value


def entity_exists(match: EntityMatch) -> ColumnElement[bool]:
    """EXISTS over the alert's entity index."""
    ae = tables.alert_entities
    condition = and_(ae.c.alert_id == tables.alerts.c.id, ae.c.value == match.value.lower())
    if match.kind is not None:
        condition = and_(condition, ae.c.kind == match.kind.value)
    return exists(select(ae.c.alert_id).where(condition))


def to_condition(  # noqa: PLR0911
    node: Node,
    columns: Mapping[str, ColumnElement[object]],
    entity: Callable[[EntityMatch], ColumnElement[bool]] = entity_exists,
) -> ColumnElement[bool]:
    """The SQL condition for a filter node over the given field → column map.

    ``entity`` turns an ``evidence/any(…)`` match into SQL (alerts' entity index by default).
    """
    if isinstance(node, And):
        return and_(true(), *(to_condition(item, columns, entity) for item in node.items))
    if isinstance(node, Or):
        return or_(false(), *(to_condition(item, columns, entity) for item in node.items))
    if isinstance(node, Not):
        return not_(to_condition(node.item, columns, entity))
    if isinstance(node, EntityMatch):
        return entity(node)
    if isinstance(node, Contains):
        column = columns[node.field]
        if node.field in LIST_FIELDS:
            return column.like(f'%"{_escape_like(node.value)}"%', escape="\\")
        return column.ilike(f"%{_escape_like(node.value)}%", escape="\\")
    if isinstance(node, In):
        column = columns[node.field]
        values = [_db_value(v) for v in node.values]
        non_null = [v for v in values if v is not None]
        condition: ColumnElement[bool] = column.in_(non_null)
        if len(non_null) != len(values):
            condition = or_(condition, column.is_(None))
        return condition
    column = columns[node.field]
    value = _db_value(node.value)
    if value is None:
        if node.op is CompareOp.EQ:
            return column.is_(None)
        if node.op is CompareOp.NE:
            return column.is_not(None)
    ops = {
        CompareOp.EQ: column.__eq__,
        CompareOp.NE: column.__ne__,
        CompareOp.GT: column.__gt__,
        CompareOp.GE: column.__ge__,
        CompareOp.LT: column.__lt__,
        CompareOp.LE: column.__le__,
    }
    result: ColumnElement[bool] = ops[node.op](value)
    if node.op is CompareOp.NE:
        # OData: "x ne 'a'" is true where x is null.
        result = or_(result, column.is_(None))
    return result


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
