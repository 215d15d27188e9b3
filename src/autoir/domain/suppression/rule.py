"""A suppression rule in issue 7's JSON shape, as frozen values; ``rule_json.py`` reads it.

The shape::

    {"name", "comment", "enabled", "serviceSources": [...],
     "alertScope": {"kind": "thisAlertType", "detectorId": ...} | {"kind": "anyAlertType"},
     "conditions": null | {"op": "and"|"or", "items": [condition | group, ...]},
     "scope": {"kind": "organization"} | {"kind": "devices", "deviceIds": [...]}
              | {"kind": "deviceGroups", "names": [...]}
              | {"kind": "users", "userPrincipalNames": [...]},
     "action": "hide"|"resolve", "expiresDateTime": null | ISO time}

A condition is ``{"evidenceType", "role": "triggering"|"related"|"any", "property",
"operator": "equals"|"wildcard"|"in", "value"}``; ``conditions: null`` means "any IOC" and is
allowed only for this-alert-type rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from autoir.domain.alerts.enums import ServiceSource
from autoir.domain.suppression.properties import EvidenceType
from autoir.domain.timestamps import format_timestamp


class AlertScopeKind(StrEnum):
    """Which alerts a rule looks at."""

    THIS_ALERT_TYPE = "thisAlertType"
    ANY_ALERT_TYPE = "anyAlertType"


class ConditionRole(StrEnum):
    """The evidence's role in the alert."""

    TRIGGERING = "triggering"
    RELATED = "related"
    ANY = "any"


class ConditionOperator(StrEnum):
    """How a condition compares (always case-insensitively)."""

    EQUALS = "equals"
    WILDCARD = "wildcard"
    IN = "in"


class GroupOp(StrEnum):
    """How a group combines its items."""

    AND = "and"
    OR = "or"


class ScopeKind(StrEnum):
    """Where a rule applies."""

    ORGANIZATION = "organization"
    DEVICES = "devices"
    DEVICE_GROUPS = "deviceGroups"
    USERS = "users"


class SuppressionAction(StrEnum):
    """What a matching rule does to the alert."""

    HIDE = "hide"
    RESOLVE = "resolve"


@dataclass(frozen=True, slots=True)
class Condition:
    """One IOC test; ``values`` has one entry except for ``in``."""

    evidence_type: EvidenceType
    role: ConditionRole
    property: str
    operator: ConditionOperator
    values: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The condition's JSON."""
        value: str | list[str] = (
            list(self.values) if self.operator is ConditionOperator.IN else self.values[0]
        )
        return {
            "evidenceType": self.evidence_type.value,
            "role": self.role.value,
            "property": self.property,
            "operator": self.operator.value,
            "value": value,
        }


@dataclass(frozen=True, slots=True)
class ConditionGroup:
    """AND / OR over conditions and nested groups."""

    op: GroupOp
    items: tuple[Condition | ConditionGroup, ...]

    def to_json(self) -> dict[str, Any]:
        """The group's JSON."""
        return {"op": self.op.value, "items": [item.to_json() for item in self.items]}

    def conditions(self) -> list[Condition]:
        """Every condition in the tree, depth first."""
        out: list[Condition] = []
        for item in self.items:
            if isinstance(item, Condition):
                out.append(item)
            else:
                out.extend(item.conditions())
        return out


@dataclass(frozen=True, slots=True)
class AlertScope:
    """This alert type (by detector id) or any type matching the conditions."""

    kind: AlertScopeKind
    detector_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The alert scope's JSON."""
        if self.kind is AlertScopeKind.THIS_ALERT_TYPE:
            return {"kind": self.kind.value, "detectorId": self.detector_id}
        return {"kind": self.kind.value}


@dataclass(frozen=True, slots=True)
class RuleScope:
    """Organisation, or the listed devices, device groups or users (lower-cased)."""

    kind: ScopeKind
    values: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The scope's JSON."""
        key = {
            ScopeKind.DEVICES: "deviceIds",
            ScopeKind.DEVICE_GROUPS: "names",
            ScopeKind.USERS: "userPrincipalNames",
        }.get(self.kind)
        return {"kind": self.kind.value} | ({key: list(self.values)} if key else {})


@dataclass(frozen=True, slots=True)
class SuppressionRule:
    """A rule as the API reads and writes it (without its stored bookkeeping)."""

    name: str
    comment: str | None
    enabled: bool
    service_sources: tuple[ServiceSource, ...]
    alert_scope: AlertScope
    conditions: ConditionGroup | None
    scope: RuleScope
    action: SuppressionAction
    expires: datetime | None
    source_alert_id: str | None = None

    def is_active(self, now: datetime) -> bool:
        """Enabled and not expired."""
        return self.enabled and (self.expires is None or self.expires > now)

    def to_json(self) -> dict[str, Any]:
        """The rule's JSON, as :func:`~autoir.domain.suppression.rule_json.parse_rule` reads."""
        return {
            "name": self.name,
            "comment": self.comment,
            "enabled": self.enabled,
            "serviceSources": [s.value for s in self.service_sources],
            "alertScope": self.alert_scope.to_json(),
            "conditions": self.conditions.to_json() if self.conditions else None,
            "scope": self.scope.to_json(),
            "action": self.action.value,
            "expiresDateTime": format_timestamp(self.expires),
            "sourceAlertId": self.source_alert_id,
        }


@dataclass(frozen=True, slots=True)
class StoredRule:
    """A rule with its id and bookkeeping."""

    id: str
    rule: SuppressionRule
    created_by: str
    created: datetime
    updated_by: str
    updated: datetime
    match_count: int
    last_match: datetime | None

    def to_json(self) -> dict[str, Any]:
        """The API body of a stored rule."""
        return (
            {"id": self.id}
            | self.rule.to_json()
            | {
                "createdBy": self.created_by,
                "createdDateTime": format_timestamp(self.created),
                "lastModifiedBy": self.updated_by,
                "lastModifiedDateTime": format_timestamp(self.updated),
                "matchCount": self.match_count,
                "lastMatchDateTime": format_timestamp(self.last_match),
            }
        )
