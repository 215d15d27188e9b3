"""Playbook specs: trigger → steps → limits. Declarative, checked against this schema.

A spec is plain data (built-in specs are YAML files under ``autoir/playbooks``); the steps it
names are Python functions registered with the investigation service. The spec language is kept
small on purpose: an ordered list of steps, each with parameters — not a workflow DSL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.investigations.enums import InvestigationType

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_STEP_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Trigger:
    """Which alerts start a playbook: any title, detector id or category listed (case-insensitive).

    ``service_sources`` narrows the match when not empty.
    """

    alert_titles: frozenset[str] = frozenset()
    detector_ids: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    service_sources: frozenset[str] = frozenset()

    def matches(
        self, *, title: str, detector_id: str | None, category: str | None, service_source: str
    ) -> bool:
        """Whether an alert with these properties starts the playbook."""
        if self.service_sources and service_source.lower() not in self.service_sources:
            return False
        return (
            title.strip().lower() in self.alert_titles
            or (detector_id or "").lower() in self.detector_ids
            or (category or "").lower() in self.categories
        )


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step: a registered function with parameters and a time limit."""

    id: str
    function: str
    params: Mapping[str, Any] = field(default_factory=dict)
    timeout: timedelta = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits that end an investigation as ``terminatedBySystem`` or hold a cluster for approval."""

    max_entities: int = 2000
    max_cluster_size: int = 10_000
    total_time: timedelta = timedelta(hours=1)
    max_step_attempts: int = 3


@dataclass(frozen=True, slots=True)
class PlaybookSpec:
    """A playbook."""

    id: str
    name: str
    version: str
    investigation_type: InvestigationType
    description: str
    trigger: Trigger
    steps: tuple[StepSpec, ...]
    limits: Limits = Limits()

    def step(self, step_id: str) -> StepSpec:
        """The step with this id."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def parse_playbook(data: Mapping[str, Any], *, known_functions: frozenset[str]) -> PlaybookSpec:
    """Validate a playbook document; every problem is reported with its field path."""
    errors: list[FieldError] = []

    def text(key: str, *, pattern: re.Pattern[str] | None = None) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(FieldError(key, "is required and must be a non-empty string"))
            return ""
        if pattern is not None and not pattern.match(value):
            errors.append(FieldError(key, f"must match {pattern.pattern}"))
        return value

    playbook_id = text("id", pattern=_ID)
    name = text("name")
    version = str(data.get("version", "1"))
    description = str(data.get("description", ""))
    raw_type = str(data.get("investigationType"))
    try:
        investigation_type = InvestigationType(raw_type)
    except ValueError:
        allowed = ", ".join(t.value for t in InvestigationType)
        errors.append(FieldError("investigationType", f"must be one of {allowed}"))
        investigation_type = InvestigationType.MANUAL
    trigger = _parse_trigger(data.get("triggers", {}), errors)
    steps = _parse_steps(data.get("steps"), known_functions, errors)
    limits = _parse_limits(data.get("limits", {}), errors)
    if errors:
        raise ValidationFailed(errors, f"Playbook {playbook_id or '?'} is invalid.")
    return PlaybookSpec(
        id=playbook_id,
        name=name,
        version=version,
        investigation_type=investigation_type,
        description=description,
        trigger=trigger,
        steps=steps,
        limits=limits,
    )


def _string_set(raw: object, where: str, errors: list[FieldError]) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        errors.append(FieldError(where, "must be a list of strings"))
        return frozenset()
    return frozenset(item.strip().lower() for item in raw)


def _parse_trigger(raw: object, errors: list[FieldError]) -> Trigger:
    if not isinstance(raw, Mapping):
        errors.append(FieldError("triggers", "must be a mapping"))
        return Trigger()
    known = {"alertTitles", "detectorIds", "categories", "serviceSources"}
    errors.extend(
        FieldError(f"triggers.{key}", "is not a known trigger field")
        for key in raw
        if key not in known
    )
    return Trigger(
        alert_titles=_string_set(raw.get("alertTitles"), "triggers.alertTitles", errors),
        detector_ids=_string_set(raw.get("detectorIds"), "triggers.detectorIds", errors),
        categories=_string_set(raw.get("categories"), "triggers.categories", errors),
        service_sources=_string_set(raw.get("serviceSources"), "triggers.serviceSources", errors),
    )


def _parse_steps(
    raw: object, known_functions: frozenset[str], errors: list[FieldError]
) -> tuple[StepSpec, ...]:
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("steps", "must be a non-empty list"))
        return ()
    steps: list[StepSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"steps[{index}]"
        if not isinstance(item, Mapping):
            errors.append(FieldError(where, "must be a mapping"))
            continue
        step_id = item.get("id")
        function = item.get("function")
        if not isinstance(step_id, str) or not _STEP_ID.match(step_id):
            errors.append(FieldError(f"{where}.id", "must be a lower_snake_case name"))
            continue
        if step_id in seen:
            errors.append(FieldError(f"{where}.id", f"duplicates step {step_id!r}"))
        seen.add(step_id)
        if not isinstance(function, str) or function not in known_functions:
            errors.append(
                FieldError(f"{where}.function", f"is not a registered step function: {function!r}")
            )
            continue
        params = item.get("params", {})
        if not isinstance(params, Mapping):
            errors.append(FieldError(f"{where}.params", "must be a mapping"))
            params = {}
        timeout = item.get("timeoutSeconds", 120)
        if not isinstance(timeout, int | float) or timeout <= 0:
            errors.append(FieldError(f"{where}.timeoutSeconds", "must be a positive number"))
            timeout = 120
        steps.append(StepSpec(step_id, function, dict(params), timedelta(seconds=timeout)))
    return tuple(steps)


def _parse_limits(raw: object, errors: list[FieldError]) -> Limits:
    if not isinstance(raw, Mapping):
        errors.append(FieldError("limits", "must be a mapping"))
        return Limits()
    values: dict[str, int] = {}
    defaults = Limits()
    for key, default in (
        ("maxEntities", defaults.max_entities),
        ("maxClusterSize", defaults.max_cluster_size),
        ("totalTimeSeconds", int(defaults.total_time.total_seconds())),
        ("maxStepAttempts", defaults.max_step_attempts),
    ):
        value = raw.get(key, default)
        if not isinstance(value, int) or value <= 0:
            errors.append(FieldError(f"limits.{key}", "must be a positive integer"))
            value = default
        values[key] = value
    return Limits(
        max_entities=values["maxEntities"],
        max_cluster_size=values["maxClusterSize"],
        total_time=timedelta(seconds=values["totalTimeSeconds"]),
        max_step_attempts=values["maxStepAttempts"],
    )
