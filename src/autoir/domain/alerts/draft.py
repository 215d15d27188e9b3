"""Turning an incoming alert document into a checked :class:`AlertDraft`.

The document keeps every property it arrived with (unknown ones included); the draft lifts out the
columns AutoIR indexes, queries and changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from autoir.domain.alerts.classification import is_determination_allowed
from autoir.domain.alerts.enums import (
    AlertClassification,
    AlertDetermination,
    AlertSeverity,
    AlertStatus,
    DetectionSource,
    InvestigationState,
    ServiceSource,
    enum_values,
    parse_enum,
)
from autoir.domain.alerts.evidence import (
    Entity,
    extract_entities,
    normalize_evidence,
    primary_entity,
)
from autoir.domain.errors import FieldError
from autoir.domain.timestamps import parse_timestamp

E = TypeVar("E", bound=StrEnum)

STRING_PROPERTIES = (
    "providerAlertId",
    "detectorId",
    "title",
    "description",
    "recommendedActions",
    "category",
    "assignedTo",
    "alertWebUrl",
    "incidentWebUrl",
    "actorDisplayName",
    "threatDisplayName",
    "threatFamilyName",
    "alertPolicyId",
    "productName",
    "tenantId",
)
TIME_PROPERTIES = (
    "createdDateTime",
    "lastUpdateDateTime",
    "resolvedDateTime",
    "firstActivityDateTime",
    "lastActivityDateTime",
)
STRING_LIST_PROPERTIES = ("mitreTechniques", "systemTags", "tags")
MAX_TITLE = 1024

# Properties AutoIR owns; they are columns, not part of the stored document.
MUTABLE_PROPERTIES = frozenset(
    {
        "id",
        "incidentId",
        "status",
        "assignedTo",
        "classification",
        "determination",
        "investigationState",
        "tags",
        "lastUpdateDateTime",
        "resolvedDateTime",
        "lastActivityDateTime",
        "comments",
        "occurrenceCount",
    }
)


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """A checked alert, ready to be stored. ``document`` holds the remaining Graph properties."""

    service_source: ServiceSource
    detection_source: DetectionSource
    provider_alert_id: str | None
    detector_id: str | None
    title: str
    category: str | None
    severity: AlertSeverity
    status: AlertStatus
    classification: AlertClassification | None
    determination: AlertDetermination | None
    investigation_state: InvestigationState | None
    assigned_to: str | None
    tags: tuple[str, ...]
    created: datetime
    first_activity: datetime
    last_activity: datetime
    resolved: datetime | None
    document: dict[str, Any]
    comments: tuple[str, ...]
    entities: tuple[Entity, ...]
    fingerprint: str
    # Set at ingest by a matching suppression rule (issue 7); ``hidden`` for its "hide" action.
    suppression_rule_id: str | None = None
    hidden: bool = False


def _enum_field(
    payload: Mapping[str, Any], prop: str, enum_cls: type[E], target: str, errors: list[FieldError]
) -> E | None:
    raw = payload.get(prop)
    if raw is None:
        return None
    member = parse_enum(enum_cls, raw) if isinstance(raw, str) else None
    if member is None:
        errors.append(
            FieldError(
                f"{target}.{prop}",
                f"unknown value {raw!r}; expected one of {enum_values(enum_cls)}",
            )
        )
    return member


def _check_types(
    payload: Mapping[str, Any], target: str, errors: list[FieldError]
) -> dict[str, datetime]:
    for prop in STRING_PROPERTIES:
        value = payload.get(prop)
        if value is not None and not isinstance(value, str):
            errors.append(FieldError(f"{target}.{prop}", "must be a string"))
    for prop in STRING_LIST_PROPERTIES:
        value = payload.get(prop)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            errors.append(FieldError(f"{target}.{prop}", "must be a list of strings"))
    times: dict[str, datetime] = {}
    for prop in TIME_PROPERTIES:
        value = payload.get(prop)
        if value is None:
            continue
        parsed = parse_timestamp(value) if isinstance(value, str) else None
        if parsed is None:
            errors.append(FieldError(f"{target}.{prop}", f"not an ISO 8601 date-time: {value!r}"))
        else:
            times[prop] = parsed
    return times


def fingerprint_of(
    service_source: ServiceSource, detector_id: str | None, title: str, entities: tuple[Entity, ...]
) -> str:
    """Identity of "the same alert again": detector (or title) plus primary evidence."""
    primary = primary_entity(entities)
    if primary is not None:
        subject = f"{primary.kind}:{primary.value}"
    else:
        subject = "|".join(sorted(f"{e.kind}:{e.value}" for e in entities))
    basis = f"{service_source}|{(detector_id or title).lower()}|{subject}"
    return hashlib.sha1(basis.encode(), usedforsecurity=False).hexdigest()


def parse_alert(
    payload: object, target: str, now: datetime, errors: list[FieldError]
) -> AlertDraft | None:
    """Check one incoming alert; return a draft, or None after appending its field errors.

    Args:
        payload: the decoded JSON object.
        target: the JSON path of this alert in the request, e.g. ``value[3]``.
        now: ingestion time; used when the source gives no ``createdDateTime``.
        errors: receives one :class:`FieldError` per bad field.
    """
    if not isinstance(payload, dict):
        errors.append(FieldError(target, "must be a JSON object"))
        return None
    before = len(errors)
    times = _check_types(payload, target, errors)
    service = _enum_field(payload, "serviceSource", ServiceSource, target, errors)
    if payload.get("serviceSource") is None:
        errors.append(FieldError(f"{target}.serviceSource", "is required"))
    detection = _enum_field(payload, "detectionSource", DetectionSource, target, errors)
    severity = _enum_field(payload, "severity", AlertSeverity, target, errors)
    status = _enum_field(payload, "status", AlertStatus, target, errors)
    classification = _enum_field(payload, "classification", AlertClassification, target, errors)
    determination = _enum_field(payload, "determination", AlertDetermination, target, errors)
    state = _enum_field(payload, "investigationState", InvestigationState, target, errors)
    title = payload.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(FieldError(f"{target}.title", "is required and must be a non-empty string"))
    elif len(title) > MAX_TITLE:
        errors.append(FieldError(f"{target}.title", f"is longer than {MAX_TITLE} characters"))
    if classification is not None and not is_determination_allowed(classification, determination):
        errors.append(
            FieldError(
                f"{target}.determination",
                f"{determination} does not belong to classification {classification}",
            )
        )
    raw_evidence = payload.get("evidence", [])
    evidence: list[dict[str, Any]] = []
    if not isinstance(raw_evidence, list):
        errors.append(FieldError(f"{target}.evidence", "must be a list"))
    else:
        for index, item in enumerate(raw_evidence):
            normalized = normalize_evidence(item, f"{target}.evidence[{index}]", errors)
            if normalized is not None:
                evidence.append(normalized)
    raw_comments = payload.get("comments") or []
    comments: list[str] = []
    if not isinstance(raw_comments, list):
        errors.append(FieldError(f"{target}.comments", "must be a list"))
    else:
        for index, item in enumerate(raw_comments):
            text = item.get("comment") if isinstance(item, dict) else item
            if not isinstance(text, str):
                errors.append(
                    FieldError(f"{target}.comments[{index}]", "must be an alertComment object")
                )
            else:
                comments.append(text)
    if len(errors) > before or service is None or not isinstance(title, str):
        return None

    created = times.get("createdDateTime", now)
    first = times.get("firstActivityDateTime", created)
    last = times.get("lastActivityDateTime", max(first, created))
    provider_id = payload.get("providerAlertId") or payload.get("id")
    entities = extract_entities(evidence)
    detector_id = payload.get("detectorId")
    document = {k: v for k, v in payload.items() if k not in MUTABLE_PROPERTIES}
    document["evidence"] = evidence
    for prop in ("serviceSource", "detectionSource", "severity"):
        document.pop(prop, None)
    return AlertDraft(
        service_source=service,
        detection_source=detection or DetectionSource.UNKNOWN,
        provider_alert_id=str(provider_id) if provider_id is not None else None,
        detector_id=detector_id,
        title=title.strip(),
        category=payload.get("category"),
        severity=severity or AlertSeverity.UNKNOWN,
        status=status or AlertStatus.NEW,
        classification=classification,
        determination=determination,
        investigation_state=state,
        assigned_to=payload.get("assignedTo"),
        tags=tuple(payload.get("tags") or ()),
        created=created,
        first_activity=first,
        last_activity=last,
        resolved=times.get("resolvedDateTime"),
        document=document,
        comments=tuple(comments),
        entities=entities,
        fingerprint=fingerprint_of(service, detector_id, title.strip(), entities),
    )
