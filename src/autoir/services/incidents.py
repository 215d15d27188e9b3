"""Reading and managing incidents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autoir.domain.access.permissions import Principal
from autoir.domain.alerts.classification import is_determination_allowed
from autoir.domain.alerts.enums import (
    AlertClassification,
    AlertDetermination,
    IncidentStatus,
    enum_values,
    parse_enum,
)
from autoir.domain.alerts.record import AlertRecord, Comment
from autoir.domain.errors import FieldError, NotFound, ValidationFailed
from autoir.domain.incidents.record import IncidentRecord
from autoir.domain.queries.filters import ListQuery
from autoir.ports.repositories import Page
from autoir.services.context import ServiceContext

WRITABLE = (
    "status",
    "assignedTo",
    "classification",
    "determination",
    "customTags",
    "resolvingComment",
)
SETTABLE_STATUSES = (
    IncidentStatus.ACTIVE,
    IncidentStatus.IN_PROGRESS,
    IncidentStatus.RESOLVED,
    IncidentStatus.AWAITING_ACTION,
)


def parse_incident_changes(body: Mapping[str, Any]) -> dict[str, Any]:
    """Check an incident PATCH body."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    errors.extend(
        FieldError(key, f"is not writable; writable properties: {', '.join(WRITABLE)}")
        for key in body
        if key not in WRITABLE and key != "@odata.type"
    )
    if "status" in body:
        status = (
            parse_enum(IncidentStatus, body["status"]) if isinstance(body["status"], str) else None
        )
        if status not in SETTABLE_STATUSES:
            errors.append(
                FieldError(
                    "status", f"must be one of {', '.join(s.value for s in SETTABLE_STATUSES)}"
                )
            )
        else:
            values["status"] = status
    for prop in ("assignedTo", "resolvingComment"):
        if prop in body:
            if body[prop] is not None and not isinstance(body[prop], str):
                errors.append(FieldError(prop, "must be a string or null"))
            else:
                values[prop] = body[prop] or None
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
    if "customTags" in body:
        tags = body["customTags"]
        if not (isinstance(tags, list) and all(isinstance(t, str) and t.strip() for t in tags)):
            errors.append(FieldError("customTags", "must be a list of non-empty strings"))
        else:
            values["customTags"] = list(dict.fromkeys(t.strip() for t in tags))
    if errors:
        raise ValidationFailed(errors)
    if not values:
        raise ValidationFailed([FieldError("body", "nothing to change")])
    return values


class IncidentService:
    """Incidents: list, read, manage, comment."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def search(self, query: ListQuery) -> Page[IncidentRecord]:
        """A page of incidents, merged (redirected) ones included, as Graph lists them."""
        with self._ctx.read_uow() as uow:
            return uow.incidents.search(query)

    def get(self, incident_id: str) -> IncidentRecord:
        """One incident."""
        with self._ctx.read_uow() as uow:
            return self._require(uow.incidents.get(_int_id(incident_id)), incident_id)

    @staticmethod
    def _require(record: IncidentRecord | None, incident_id: str) -> IncidentRecord:
        if record is None:
            raise NotFound("incident", incident_id)
        return record

    def alerts(self, incident_id: str) -> list[AlertRecord]:
        """The incident's alerts, oldest first."""
        with self._ctx.read_uow() as uow:
            self._require(uow.incidents.get(_int_id(incident_id)), incident_id)
            return uow.alerts.for_incident(_int_id(incident_id))

    def alerts_for_many(self, incident_ids: list[int]) -> dict[int, list[AlertRecord]]:
        """Alerts of several incidents (for ``$expand=alerts``)."""
        with self._ctx.read_uow() as uow:
            return uow.alerts.for_incidents(incident_ids)

    def comments(self, incident_id: str) -> list[Comment]:
        """The incident's comments."""
        with self._ctx.read_uow() as uow:
            return uow.incidents.comments(_int_id(incident_id))

    def update(self, incident_id: str, values: dict[str, Any], actor: Principal) -> IncidentRecord:
        """PATCH an incident; a determination must belong to the classification."""
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            current = self._require(uow.incidents.get(_int_id(incident_id)), incident_id)
            if current.status is IncidentStatus.REDIRECTED:
                raise ValidationFailed(
                    [
                        FieldError(
                            "id",
                            f"incident {incident_id} was merged into "
                            f"{current.redirect_incident_id}; change that one",
                        )
                    ]
                )
            classification = values.get("classification", current.classification)
            determination = values.get("determination", current.determination)
            if not is_determination_allowed(classification, determination):
                raise ValidationFailed(
                    [
                        FieldError(
                            "determination",
                            f"{determination} does not belong "
                            f"to classification {classification or 'unknown'}",
                        )
                    ]
                )
            update = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
            for prop in ("classification", "determination"):
                if prop in values and values[prop] is None:
                    update[prop] = "unknown"
            update["lastModifiedBy"] = actor.name
            uow.incidents.update_fields(current.id, update, now)
            uow.commit()
        return self.get(incident_id)

    def add_comment(self, incident_id: str, text: object, actor: Principal) -> list[Comment]:
        """Append a comment; returns the full list."""
        if not isinstance(text, str) or not text.strip():
            raise ValidationFailed([FieldError("comment", "must be a non-empty string")])
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            self._require(uow.incidents.get(_int_id(incident_id)), incident_id)
            uow.incidents.add_comment(
                _int_id(incident_id), Comment(text.strip(), actor.display_name, now)
            )
            comments = uow.incidents.comments(_int_id(incident_id))
            uow.commit()
        return comments


def _int_id(incident_id: str) -> int:
    try:
        return int(incident_id)
    except ValueError:
        raise NotFound("incident", incident_id) from None
