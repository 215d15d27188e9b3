"""Applying suppression rules at ingest (issue 7): one cached rule index, evaluated in memory.

Ingest runs at thousands of alerts a second (docs/performance.md), so a batch costs one small
query — the rule set's version, (count, latest update) — and, only when that changed or a rule
expired since, a reload of every rule into a :class:`~autoir.domain.suppression.matching.RuleIndex`.
Each new alert then looks at the few rules the index offers. A match:

- ``resolve``: the alert is created resolved (and its incident with it, if alone);
- ``hide``: the alert is created hidden and outside any incident (reference §4.1: "no
  incident"); lists leave it out unless asked (``hidden=true``, or a filter on
  ``suppressionRuleId``);

and either way ``investigationState = suppressedAlert`` and ``suppressionRuleId`` are set, so
triage (which takes only ``unknown`` alerts) never investigates it. Each rule's match count and
last match are added once per batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from autoir.domain.alerts.draft import AlertDraft
from autoir.domain.alerts.enums import AlertStatus, InvestigationState
from autoir.domain.remediation.automation import AutomationPolicy
from autoir.domain.remediation.device_groups import DeviceFacts
from autoir.domain.suppression.matching import AlertSubject, GroupOf, RuleIndex
from autoir.domain.suppression.rule import SuppressionAction
from autoir.ports.suppression import RuleSetVersion
from autoir.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class _Cached:
    version: RuleSetVersion
    index: RuleIndex
    valid_until: datetime | None


def subject_of(draft: AlertDraft) -> AlertSubject:
    """What the rules look at in a draft."""
    evidence = draft.document.get("evidence")
    return AlertSubject(
        draft.service_source,
        draft.detection_source,
        draft.detector_id,
        evidence if isinstance(evidence, list) else [],
    )


def suppressed(
    draft: AlertDraft, rule_id: str, action: SuppressionAction, now: datetime
) -> AlertDraft:
    """The draft as a matching rule leaves it."""
    if action is SuppressionAction.RESOLVE:
        return replace(
            draft,
            status=AlertStatus.RESOLVED,
            resolved=draft.resolved or now,
            investigation_state=InvestigationState.SUPPRESSED_ALERT,
            suppression_rule_id=rule_id,
        )
    return replace(
        draft,
        investigation_state=InvestigationState.SUPPRESSED_ALERT,
        suppression_rule_id=rule_id,
        hidden=True,
    )


class AlertSuppressor:
    """The rule index, cached across batches and rebuilt when the rule set changes."""

    def __init__(self, policy: Callable[[], AutomationPolicy] | None = None) -> None:
        """``policy`` gives the device groups for ``deviceGroups`` scopes (read when needed)."""
        self._policy = policy
        self._lock = threading.Lock()
        self._cached: _Cached | None = None

    def index(self, uow: UnitOfWork, now: datetime) -> RuleIndex:
        """The active rules' index: one version query, a reload only after a change."""
        version = uow.suppression.version()
        cached = self._cached
        if (
            cached is not None
            and cached.version == version
            and (cached.valid_until is None or now < cached.valid_until)
        ):
            return cached.index
        index = RuleIndex.build(uow.suppression.all_rules(), now) if version[0] else RuleIndex()
        with self._lock:
            self._cached = _Cached(version, index, index.next_expiry(now))
        return index

    def invalidate(self) -> None:
        """Forget the index (a rule was saved in this process)."""
        with self._lock:
            self._cached = None

    def group_resolver(self) -> GroupOf | None:
        """Device evidence → its device group's name, with the policy read once."""
        if self._policy is None:
            return None
        getter = self._policy
        policy: list[AutomationPolicy] = []

        def group_of(evidence: Mapping[str, Any]) -> str:
            if not policy:
                policy.append(getter())
            return policy[0].group_for(DeviceFacts.from_evidence(evidence)).name

        return group_of

    def apply(
        self, uow: UnitOfWork, drafts: Sequence[tuple[str, AlertDraft]], now: datetime
    ) -> dict[str, AlertDraft]:
        """The suppressed drafts by alert id; match counters recorded in the same transaction."""
        if not drafts:
            return {}
        index = self.index(uow, now)
        if not index.size:
            return {}
        group_of = self.group_resolver()
        changed: dict[str, AlertDraft] = {}
        matches: dict[str, tuple[int, datetime]] = {}
        for alert_id, draft in drafts:
            rule = index.first_match(subject_of(draft), group_of)
            if rule is None:
                continue
            changed[alert_id] = suppressed(draft, rule.id, rule.rule.action, now)
            count, _ = matches.get(rule.id, (0, now))
            matches[rule.id] = (count + 1, now)
        uow.suppression.record_matches(matches)
        return changed
