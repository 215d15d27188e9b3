"""Evaluating suppression rules against alerts, fast: compiled rules and a candidate index.

:class:`RuleIndex` keys this-alert-type rules by detector id and any-type rules by one condition
key every match must have — ``(evidence type, property, value)`` for an ``equals``/``in``
condition, else ``(evidence type, property)`` — so an alert only evaluates the rules whose key
it has: a handful out of thousands. Values compare lower-cased; a wildcard (``*`` any run,
``?`` one character, everything else literal, ``[`` included) must match the whole value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from autoir.domain.alerts.enums import DetectionSource, ServiceSource
from autoir.domain.suppression.properties import (
    EvidenceType,
    FactKey,
    Facts,
    evidence_facts,
    evidence_values,
    is_triggering,
    kinds_of,
)
from autoir.domain.suppression.rule import (
    AlertScopeKind,
    Condition,
    ConditionGroup,
    ConditionOperator,
    ConditionRole,
    GroupOp,
    ScopeKind,
    SuppressionRule,
)

CUSTOM_DETECTION_SOURCES = frozenset({DetectionSource.CUSTOM_DETECTION, DetectionSource.CUSTOM_TI})
CUSTOM_DETECTION_PREFIXES = ("ea", "ed")
# Which device group a device evidence item falls in (the automation policy's groups).
GroupOf = Callable[[Mapping[str, Any]], str]


def is_custom_detection(detection_source: DetectionSource, alert_id: str | None = None) -> bool:
    """Custom detections and custom TI alerts are never suppressed (reference §4.1)."""
    return detection_source in CUSTOM_DETECTION_SOURCES or (
        alert_id is not None and alert_id[:2] in CUSTOM_DETECTION_PREFIXES
    )


def wildcard_pattern(value: str) -> re.Pattern[str]:
    """A whole-value, case-insensitive pattern: ``*`` any run, ``?`` one character."""
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in value.lower())
    return re.compile("".join(parts), re.DOTALL)


@dataclass(slots=True)
class AlertSubject:
    """What rules look at in an alert: its type, source and evidence facts (computed once)."""

    service_source: ServiceSource
    detection_source: DetectionSource
    detector_id: str | None
    evidence: list[dict[str, Any]]
    _facts: Facts | None = None

    @property
    def facts(self) -> Facts:
        """(type, property) → [(lower-case value, triggering)], read on first use."""
        if self._facts is None:
            self._facts = evidence_facts(self.evidence)
        return self._facts


class _Test:
    """A compiled condition."""

    __slots__ = ("key", "operator", "pattern", "role", "values")

    def __init__(self, condition: Condition) -> None:
        self.key: FactKey = (condition.evidence_type, condition.property)
        self.role = condition.role
        self.operator = condition.operator
        self.values = frozenset(v.lower() for v in condition.values)
        self.pattern = (
            wildcard_pattern(condition.values[0])
            if condition.operator is ConditionOperator.WILDCARD
            else None
        )

    def matches(self, facts: Facts) -> bool:
        found = facts.get(self.key)
        if not found:
            return False
        role = self.role
        for value, triggering in found:
            if role is ConditionRole.TRIGGERING and not triggering:
                continue
            if role is ConditionRole.RELATED and triggering:
                continue
            if self.pattern is not None:
                if self.pattern.fullmatch(value):
                    return True
            elif value in self.values:
                return True
        return False


@dataclass(frozen=True, slots=True)
class _Group:
    is_and: bool
    items: tuple[_Test | _Group, ...]

    def matches(self, facts: Facts) -> bool:
        if self.is_and:
            return all(item.matches(facts) for item in self.items)
        return any(item.matches(facts) for item in self.items)


def _compile(group: ConditionGroup) -> _Group:
    return _Group(
        group.op is GroupOp.AND,
        tuple(_Test(i) if isinstance(i, Condition) else _compile(i) for i in group.items),
    )


IndexKey = tuple[EvidenceType, str] | tuple[EvidenceType, str, str]
_VALUE_KEY = 3


def required_keys(group: ConditionGroup) -> list[IndexKey] | None:
    """Keys of which every match has at least one; None if none can be found.

    An AND group needs one of its items' key sets (the most selective: exact values first,
    then the fewest keys); an OR group needs the union of all its items' sets.
    """
    options: list[list[IndexKey]] = []
    for item in group.items:
        if isinstance(item, Condition):
            if item.operator is ConditionOperator.WILDCARD:
                keys: list[IndexKey] | None = [(item.evidence_type, item.property)]
            else:
                keys = [(item.evidence_type, item.property, v.lower()) for v in item.values]
        else:
            keys = required_keys(item)
        if keys is None:
            if group.op is GroupOp.OR:
                return None
            continue
        options.append(keys)
    if not options:
        return None
    if group.op is GroupOp.OR:
        return list(dict.fromkeys(k for keys in options for k in keys))
    # Exact-value keys (three parts) are more selective than presence keys (two).
    return min(options, key=lambda keys: (any(len(k) < _VALUE_KEY for k in keys), len(keys)))


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to evaluate."""

    id: str
    rule: SuppressionRule
    sources: frozenset[ServiceSource]
    test: _Group | None

    def matches(self, subject: AlertSubject, group_of: GroupOf | None = None) -> bool:
        """Whether the rule suppresses the alert (activity and expiry are the index's job)."""
        if subject.service_source not in self.sources:
            return False
        if is_custom_detection(subject.detection_source):
            return False
        alert_scope = self.rule.alert_scope
        if alert_scope.kind is AlertScopeKind.THIS_ALERT_TYPE and (
            (subject.detector_id or "").lower() != (alert_scope.detector_id or "").lower()
        ):
            return False
        if not _in_scope(self.rule, subject, group_of):
            return False
        return self.test is None or self.test.matches(subject.facts)


def compile_rule(rule_id: str, rule: SuppressionRule) -> CompiledRule:
    """Compile a rule's conditions."""
    return CompiledRule(
        rule_id,
        rule,
        frozenset(rule.service_sources),
        _compile(rule.conditions) if rule.conditions is not None else None,
    )


def _in_scope(rule: SuppressionRule, subject: AlertSubject, group_of: GroupOf | None) -> bool:
    scope = rule.scope
    if scope.kind is ScopeKind.ORGANIZATION:
        return True
    wanted = frozenset(scope.values)
    facts = subject.facts
    if scope.kind is ScopeKind.DEVICES:
        names = [
            value
            for key in ((EvidenceType.DEVICE, "deviceId"), (EvidenceType.DEVICE, "deviceDnsName"))
            for value, _ in facts.get(key, ())
        ]
        names.extend(
            str(ev["mdeDeviceId"]).lower()
            for ev in subject.evidence
            if isinstance(ev.get("mdeDeviceId"), str)
        )
        return any(name in wanted for name in names)
    if scope.kind is ScopeKind.USERS:
        keys = (
            (EvidenceType.USER, "userPrincipalName"),
            (EvidenceType.MAILBOX, "upn"),
            (EvidenceType.MAILBOX, "primaryAddress"),
        )
        if any(value in wanted for key in keys for value, _ in facts.get(key, ())):
            return True
        return any(
            isinstance(ev.get("userAccount"), Mapping)
            and str(ev["userAccount"].get("userPrincipalName") or "").lower() in wanted
            for ev in subject.evidence
        )
    if group_of is None:
        return False
    return any(
        group_of(ev).lower() in wanted
        for ev in subject.evidence
        if EvidenceType.DEVICE in kinds_of(ev)
    )


@dataclass(slots=True)
class RuleIndex:
    """Active rules by candidate key; build once per rule-set version, evaluate per alert."""

    by_detector: dict[str, list[CompiledRule]] = field(default_factory=dict)
    by_key: dict[IndexKey, list[CompiledRule]] = field(default_factory=dict)
    scanned: list[CompiledRule] = field(default_factory=list)
    size: int = 0
    expires: tuple[datetime, ...] = ()

    @classmethod
    def build(cls, rules: Iterable[tuple[str, SuppressionRule]], now: datetime) -> RuleIndex:
        """Index the rules active at ``now``, in the given order (the first match wins)."""
        index = cls()
        expiries: list[datetime] = []
        for rule_id, rule in rules:
            if not rule.is_active(now):
                continue
            if rule.expires is not None:
                expiries.append(rule.expires)
            compiled = compile_rule(rule_id, rule)
            index.size += 1
            if rule.alert_scope.kind is AlertScopeKind.THIS_ALERT_TYPE:
                detector = (rule.alert_scope.detector_id or "").lower()
                index.by_detector.setdefault(detector, []).append(compiled)
                continue
            keys = required_keys(rule.conditions) if rule.conditions is not None else None
            if keys is None:
                index.scanned.append(compiled)
            else:
                for key in keys:
                    index.by_key.setdefault(key, []).append(compiled)
        index.expires = tuple(sorted(expiries))
        return index

    def next_expiry(self, now: datetime) -> datetime | None:
        """The next time an indexed rule expires (the index must then be rebuilt)."""
        return next((e for e in self.expires if e > now), None)

    def candidates(self, subject: AlertSubject) -> list[CompiledRule]:
        """The rules that could match the alert, in rule order, without duplicates."""
        found: list[CompiledRule] = list(
            self.by_detector.get((subject.detector_id or "").lower(), ())
        )
        if self.by_key:
            for (kind, prop), values in subject.facts.items():
                found.extend(self.by_key.get((kind, prop), ()))
                for value, _ in values:
                    found.extend(self.by_key.get((kind, prop, value), ()))
        found.extend(self.scanned)
        if len(found) > 1:
            unique = {id(rule): rule for rule in found}
            found = sorted(unique.values(), key=lambda r: r.id)
        return found

    def first_match(
        self, subject: AlertSubject, group_of: GroupOf | None = None
    ) -> CompiledRule | None:
        """The first rule (in id order) that suppresses the alert, or None."""
        if not self.size or is_custom_detection(subject.detection_source):
            return None
        for rule in self.candidates(subject):
            if rule.matches(subject, group_of):
                return rule
        return None


def conditions_from_alert(
    evidence: Sequence[Mapping[str, Any]], *, triggering_only: bool = False
) -> ConditionGroup | None:
    """An AND of ``equals`` conditions on the alert's IOCs (parent process included).

    One condition per distinct (type, property, value) of the identifying properties below, in
    evidence order; role ``triggering`` for triggering evidence, else ``any``. None if the
    evidence names nothing a condition can test.
    """
    seen: set[tuple[EvidenceType, str, str]] = set()
    items: list[Condition] = []
    for ev in evidence:
        triggering = is_triggering(ev)
        if triggering_only and not triggering:
            continue
        for kind in kinds_of(ev):
            wanted = _IOC_PROPERTIES.get(kind, ())
            for prop, value in evidence_values(ev, kind):
                key = (kind, prop, value.lower())
                if prop not in wanted or key in seen:
                    continue
                seen.add(key)
                role = ConditionRole.TRIGGERING if triggering else ConditionRole.ANY
                items.append(Condition(kind, role, prop, ConditionOperator.EQUALS, (value,)))
    return ConditionGroup(GroupOp.AND, tuple(items)) if items else None


# The IOCs an auto-filled rule tests: identifying properties, not every readable one.
_IOC_PROPERTIES: dict[EvidenceType, tuple[str, ...]] = {
    EvidenceType.FILE: ("sha256", "fileName", "filePath"),
    EvidenceType.PROCESS: (
        "fileName",
        "sha256",
        "commandLine",
        "parentFileName",
        "parentCommandLine",
    ),
    EvidenceType.SCHEDULED_TASK: ("taskName",),
    EvidenceType.AMSI_SCRIPT: ("content",),
    EvidenceType.WMI_EVENT: ("namespace", "consumer", "filter"),
    EvidenceType.IP: ("ipAddress",),
    EvidenceType.URL: ("url",),
    EvidenceType.USER: ("userPrincipalName",),
    EvidenceType.DEVICE: ("deviceId",),
    EvidenceType.MAILBOX: ("primaryAddress",),
    EvidenceType.MESSAGE: ("senderFromAddress", "subject"),
}
