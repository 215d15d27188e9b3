"""Reading a suppression rule's JSON, with one :class:`FieldError` per bad field.

Unknown keys are errors (a misspelt ``expiresDateTme`` must not make a rule permanent); the
read-only keys of a stored rule (``id``, ``matchCount``…) are ignored so that a ``GET`` body can
be sent back with ``PUT``. See ``rule.py`` for the shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from autoir.domain.alerts.enums import ServiceSource, enum_values, parse_enum
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.suppression.properties import EvidenceType, properties_of
from autoir.domain.suppression.rule import (
    AlertScope,
    AlertScopeKind,
    Condition,
    ConditionGroup,
    ConditionOperator,
    ConditionRole,
    GroupOp,
    RuleScope,
    ScopeKind,
    SuppressionAction,
    SuppressionRule,
)
from autoir.domain.timestamps import parse_timestamp

E = TypeVar("E", bound=StrEnum)

MAX_NAME = 256
MAX_COMMENT = 4000
MAX_VALUE = 2048
MAX_IN_VALUES = 500
MAX_CONDITIONS = 100
MAX_DEPTH = 5
MAX_SCOPE_VALUES = 1000
RULE_KEYS = (
    "name",
    "comment",
    "enabled",
    "serviceSources",
    "alertScope",
    "conditions",
    "scope",
    "action",
    "expiresDateTime",
    "sourceAlertId",
)
READ_ONLY_KEYS = frozenset(
    {
        "id",
        "createdBy",
        "createdDateTime",
        "lastModifiedBy",
        "lastModifiedDateTime",
        "matchCount",
        "lastMatchDateTime",
    }
)
_CONDITION_KEYS = ("evidenceType", "role", "property", "operator", "value")
_SCOPE_LISTS = {
    ScopeKind.DEVICES: "deviceIds",
    ScopeKind.DEVICE_GROUPS: "names",
    ScopeKind.USERS: "userPrincipalNames",
}


class _Reader:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.count = 0

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def mapping(self, raw: object, path: str, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
        if not isinstance(raw, Mapping):
            self.fail(path, "must be an object")
            return None
        for key in raw:
            if key not in keys and not (path == "body" and key in READ_ONLY_KEYS):
                where = str(key) if path == "body" else f"{path}.{key}"
                self.fail(where, "is not a known property; expected one of " + ", ".join(keys))
        return raw

    def member(self, enum_cls: type[E], raw: object, path: str) -> E | None:
        member = parse_enum(enum_cls, raw) if isinstance(raw, str) else None
        if member is None:
            if raw is None:
                self.fail(path, "is required")
            else:
                self.fail(path, f"unknown value {raw!r}; expected one of {enum_values(enum_cls)}")
        return member

    def text(self, raw: object, path: str, limit: int, *, required: bool) -> str | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.fail(path, "is required and must not be blank")
            return None
        if not isinstance(raw, str):
            self.fail(path, "must be a string")
            return None
        if len(raw) > limit:
            self.fail(path, f"is longer than {limit} characters")
            return None
        return raw.strip()

    def strings(self, raw: object, path: str, limit: int) -> tuple[str, ...]:
        if not isinstance(raw, list) or not raw:
            self.fail(path, "must be a non-empty list of strings")
            return ()
        if len(raw) > limit:
            self.fail(path, f"has {len(raw)} entries; at most {limit} are allowed")
            return ()
        out: list[str] = []
        for i, item in enumerate(raw):
            text = self.text(item, f"{path}[{i}]", MAX_VALUE, required=True)
            if text is not None:
                out.append(text)
        return tuple(dict.fromkeys(out))

    def condition(self, raw: object, path: str) -> Condition | None:
        before = len(self.errors)
        body = self.mapping(raw, path, _CONDITION_KEYS)
        if body is None:
            return None
        kind = self.member(EvidenceType, body.get("evidenceType"), f"{path}.evidenceType")
        role_raw = body.get("role")
        role = (
            ConditionRole.ANY
            if role_raw is None
            else self.member(ConditionRole, role_raw, f"{path}.role")
        )
        operator = self.member(ConditionOperator, body.get("operator"), f"{path}.operator")
        prop = body.get("property")
        if kind is not None:
            allowed = properties_of(kind)
            match = next(
                (p for p in allowed if isinstance(prop, str) and p.lower() == prop.lower()), None
            )
            if match is None:
                self.fail(
                    f"{path}.property",
                    f"unknown property {prop!r} of {kind.value} evidence; expected one of "
                    + ", ".join(allowed),
                )
            prop = match
        values: tuple[str, ...] = ()
        raw_value = body.get("value")
        if operator is ConditionOperator.IN:
            values = self.strings(raw_value, f"{path}.value", MAX_IN_VALUES)
        elif operator is not None:
            text = self.text(raw_value, f"{path}.value", MAX_VALUE, required=True)
            values = (text,) if text is not None else ()
            if (
                operator is ConditionOperator.WILDCARD
                and text is not None
                and text.strip("*") == ""
            ):
                self.fail(
                    f"{path}.value", "a wildcard of only '*' matches everything; use 'Any IOC'"
                )
        if len(self.errors) > before or kind is None or role is None or operator is None:
            return None
        assert isinstance(prop, str)
        self.count += 1
        return Condition(kind, role, prop, operator, values)

    def group(self, raw: object, path: str, depth: int) -> ConditionGroup | None:
        body = self.mapping(raw, path, ("op", "items"))
        if body is None:
            return None
        if depth > MAX_DEPTH:
            self.fail(path, f"groups nest at most {MAX_DEPTH} deep")
            return None
        op = self.member(GroupOp, body.get("op"), f"{path}.op")
        raw_items = body.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            self.fail(f"{path}.items", "must be a non-empty list of conditions or groups")
            return None
        items: list[Condition | ConditionGroup] = []
        for i, item in enumerate(raw_items):
            where = f"{path}.items[{i}]"
            parsed = (
                self.group(item, where, depth + 1)
                if isinstance(item, Mapping) and "items" in item
                else self.condition(item, where)
            )
            if parsed is not None:
                items.append(parsed)
        if self.count > MAX_CONDITIONS:
            self.fail(path, f"a rule holds at most {MAX_CONDITIONS} conditions")
            return None
        if op is None or len(items) != len(raw_items):
            return None
        return ConditionGroup(op, tuple(items))

    def alert_scope(self, raw: object) -> AlertScope | None:
        body = self.mapping(raw, "alertScope", ("kind", "detectorId"))
        if body is None:
            return None
        kind = self.member(AlertScopeKind, body.get("kind"), "alertScope.kind")
        if kind is AlertScopeKind.THIS_ALERT_TYPE:
            detector = self.text(
                body.get("detectorId"), "alertScope.detectorId", MAX_VALUE, required=True
            )
            return AlertScope(kind, detector) if detector else None
        if kind is AlertScopeKind.ANY_ALERT_TYPE:
            if body.get("detectorId") is not None:
                self.fail("alertScope.detectorId", "only a thisAlertType scope names a detector")
            return AlertScope(kind)
        return None

    def scope(self, raw: object) -> RuleScope | None:
        body = self.mapping(raw, "scope", ("kind", *_SCOPE_LISTS.values()))
        if body is None:
            return None
        kind = self.member(ScopeKind, body.get("kind"), "scope.kind")
        if kind is None:
            return None
        key = _SCOPE_LISTS.get(kind)
        for other in _SCOPE_LISTS.values():
            if other != key and body.get(other) is not None:
                self.fail(f"scope.{other}", f"does not belong to a {kind.value} scope")
        if key is None:
            return RuleScope(kind)
        values = self.strings(body.get(key), f"scope.{key}", MAX_SCOPE_VALUES)
        return RuleScope(kind, tuple(v.lower() for v in values)) if values else None

    def sources(self, raw: object) -> tuple[ServiceSource, ...]:
        if not isinstance(raw, list) or not raw:
            self.fail("serviceSources", "must be a non-empty list of service sources")
            return ()
        out = [self.member(ServiceSource, s, f"serviceSources[{i}]") for i, s in enumerate(raw)]
        return tuple(dict.fromkeys(s for s in out if s is not None))

    def expiry(self, raw: object) -> datetime | None:
        if raw is None:
            return None
        parsed = parse_timestamp(raw) if isinstance(raw, str) else None
        if parsed is None:
            self.fail("expiresDateTime", f"not an ISO 8601 date-time: {raw!r}")
        return parsed


def parse_rule(raw: object) -> SuppressionRule:
    """The rule in a JSON body, or :class:`ValidationFailed` naming every bad field."""
    reader = _Reader()
    body = reader.mapping(raw, "body", RULE_KEYS)
    if body is None:
        raise ValidationFailed(reader.errors)
    name = reader.text(body.get("name"), "name", MAX_NAME, required=True)
    comment = reader.text(body.get("comment"), "comment", MAX_COMMENT, required=False)
    enabled_raw = body.get("enabled", True)
    if not isinstance(enabled_raw, bool):
        reader.fail("enabled", "must be true or false")
    sources = reader.sources(body.get("serviceSources"))
    alert_scope = reader.alert_scope(body.get("alertScope"))
    raw_conditions = body.get("conditions")
    conditions = None
    if raw_conditions is not None:
        conditions = reader.group(raw_conditions, "conditions", 1)
    elif alert_scope is not None and alert_scope.kind is AlertScopeKind.ANY_ALERT_TYPE:
        reader.fail(
            "conditions",
            "an anyAlertType rule needs at least one condition; 'Any IOC' (null) is only for "
            "thisAlertType rules",
        )
    scope = reader.scope(body.get("scope"))
    action = reader.member(SuppressionAction, body.get("action"), "action")
    expires = reader.expiry(body.get("expiresDateTime"))
    source_alert = reader.text(body.get("sourceAlertId"), "sourceAlertId", 64, required=False)
    if reader.errors or name is None or alert_scope is None or scope is None or action is None:
        raise ValidationFailed(reader.errors)
    return SuppressionRule(
        name=name,
        comment=comment,
        enabled=bool(enabled_raw),
        service_sources=sources,
        alert_scope=alert_scope,
        conditions=conditions,
        scope=scope,
        action=action,
        expires=expires,
        source_alert_id=source_alert,
    )
