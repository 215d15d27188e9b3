"""Managing alerts: status, assignment, classification, tags and comments, alone or in bulk."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autoir.domain.access.permissions import Principal
from autoir.domain.alerts.classification import is_determination_allowed
from autoir.domain.alerts.enums import (
    AlertClassification,
    AlertDetermination,
    AlertStatus,
    enum_values,
    parse_enum,
)
from autoir.domain.alerts.evidence import primary_entity
from autoir.domain.alerts.record import AlertRecord, Comment
from autoir.domain.errors import FieldError, NotFound, ValidationFailed
from autoir.domain.queries.filters import And, Compare, CompareOp, EntityMatch, ListQuery, Node
from autoir.services.alert_queries import type_key_of
from autoir.services.context import ServiceContext

WRITABLE = ("status", "assignedTo", "classification", "determination", "tags")
MAX_COMMENT = 30_000
MAX_BULK = 10_000


@dataclass(frozen=True, slots=True)
class AlertChanges:
    """A checked set of triage changes."""

    values: dict[str, Any]
    comment: str | None = None


def parse_changes(body: Mapping[str, Any], *, allow_comment: bool = False) -> AlertChanges:
    """Check a PATCH body: unknown or read-only properties are errors; enums ignore case."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    allowed = (*WRITABLE, "comment") if allow_comment else WRITABLE
    errors.extend(
        FieldError(key, f"is not writable; writable properties: {', '.join(allowed)}")
        for key in body
        if key not in allowed and key != "@odata.type"
    )
    if "status" in body:
        status = (
            parse_enum(AlertStatus, body["status"]) if isinstance(body["status"], str) else None
        )
        if status is None:
            errors.append(
                FieldError(
                    "status",
                    f"unknown value {body['status']!r}; expected one of {enum_values(AlertStatus)}",
                )
            )
        else:
            values["status"] = status
    if "assignedTo" in body:
        assigned = body["assignedTo"]
        if assigned is not None and not isinstance(assigned, str):
            errors.append(FieldError("assignedTo", "must be a string or null"))
        else:
            values["assignedTo"] = assigned or None
    for prop, enum_cls in (
        ("classification", AlertClassification),
        ("determination", AlertDetermination),
    ):
        if prop in body:
            raw = body[prop]
            member = parse_enum(enum_cls, raw) if isinstance(raw, str) else None
            if raw is not None and member is None:
                errors.append(
                    FieldError(
                        prop, f"unknown value {raw!r}; expected one of {enum_values(enum_cls)}"
                    )
                )
            else:
                values[prop] = member
    if "tags" in body:
        tags = body["tags"]
        if not (isinstance(tags, list) and all(isinstance(t, str) and t.strip() for t in tags)):
            errors.append(FieldError("tags", "must be a list of non-empty strings"))
        else:
            values["tags"] = list(dict.fromkeys(t.strip() for t in tags))
    comment = body.get("comment") if allow_comment else None
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
        errors.append(
            FieldError("comment", f"must be a string of at most {MAX_COMMENT} characters")
        )
        comment = None
    if errors:
        raise ValidationFailed(errors)
    if not values and not comment:
        raise ValidationFailed([FieldError("body", "nothing to change")])
    return AlertChanges(values, comment)


class AlertTriageService:
    """Write side of alert management."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def update(self, alert_id: str, changes: AlertChanges, actor: Principal) -> AlertRecord:
        """PATCH one alert; returns the updated alert."""
        self.update_many([alert_id], changes, actor, require_all=True)
        with self._ctx.read_uow() as uow:
            alert = uow.alerts.get(alert_id)
        assert alert is not None
        return alert

    def update_many(
        self,
        alert_ids: list[str],
        changes: AlertChanges,
        actor: Principal,
        *,
        require_all: bool = False,
    ) -> list[str]:
        """Apply the same changes to many alerts in one transaction; returns the ids changed.

        A determination must belong to the classification, whether both are given now or one
        of them is already on the alert (reference §6.2).
        """
        now = self._ctx.clock.now()
        values = dict(changes.values)
        with self._ctx.uow() as uow:
            alerts = uow.alerts.get_many(alert_ids)
            if require_all and len(alerts) != len(set(alert_ids)):
                missing = sorted(set(alert_ids) - {a.id for a in alerts})
                raise NotFound("alert", missing[0])
            errors = [
                FieldError(
                    f"{a.id}.determination",
                    f"{d} does not belong to classification {c or 'unknown'}",
                )
                for a in alerts
                for c, d in [
                    (
                        values.get("classification", a.classification),
                        values.get("determination", a.determination),
                    )
                ]
                if not is_determination_allowed(c, d)
            ]
            if errors:
                raise ValidationFailed(errors[:50])
            update: dict[str, Any] = {}
            for key, value in values.items():
                update[key] = value.value if hasattr(value, "value") else value
            if "classification" in values and values["classification"] is None:
                update["classification"] = "unknown"
            if "determination" in values and values["determination"] is None:
                update["determination"] = "unknown"
            if "status" in values:
                update["resolvedDateTime"] = (
                    now if values["status"] is AlertStatus.RESOLVED else None
                )
            ids = [a.id for a in alerts]
            if update:
                uow.alerts.update_fields(ids, update, now)
            if changes.comment:
                for alert_id in ids:
                    uow.alerts.add_comment(
                        alert_id, Comment(changes.comment, actor.display_name, now)
                    )
            for incident_id in sorted({a.incident_id for a in alerts if a.incident_id is not None}):
                uow.incidents.refresh(incident_id, now)
            uow.commit()
        return ids

    def add_comment(self, alert_id: str, text: object, actor: Principal) -> list[Comment]:
        """Append a comment; returns the full comment list (Graph behaviour)."""
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_COMMENT:
            raise ValidationFailed(
                [
                    FieldError(
                        "comment", f"must be a non-empty string of at most {MAX_COMMENT} characters"
                    )
                ]
            )
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            if uow.alerts.get(alert_id) is None:
                raise NotFound("alert", alert_id)
            uow.alerts.add_comment(alert_id, Comment(text.strip(), actor.display_name, now))
            comments = uow.alerts.comments([alert_id])[alert_id]
            uow.commit()
        return comments

    def similar_filter(self, alert_id: str) -> Node:
        """Filter for "all alerts similar to this one": same detector/title and primary evidence."""
        with self._ctx.read_uow() as uow:
            alert = uow.alerts.get(alert_id)
            if alert is None:
                raise NotFound("alert", alert_id)
            primary = primary_entity(uow.alerts.entities(alert_id))
        type_term: Node = (
            Compare("detectorId", CompareOp.EQ, alert.detector_id)
            if alert.detector_id
            else Compare("title", CompareOp.EQ, alert.title)
        )
        if primary is None:
            return type_term
        return And((EntityMatch(primary.kind, primary.value), type_term))

    def ids_for(self, query: ListQuery) -> list[str]:
        """Ids matching a filter, for bulk management (at most ``MAX_BULK``)."""
        with self._ctx.read_uow() as uow:
            ids = uow.alerts.ids_matching(query, MAX_BULK + 1)
        if len(ids) > MAX_BULK:
            raise ValidationFailed(
                [FieldError("filter", f"matches more than {MAX_BULK} alerts; narrow it down")]
            )
        return ids


__all__ = ["AlertChanges", "AlertTriageService", "parse_changes", "type_key_of"]
