"""Turning a finished investigation's verdicts into actions, under the automation policy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.record import InvestigationRecord
from autoir.domain.remediation.automation import AutomationPolicy
from autoir.domain.remediation.planning import Plan, plan
from autoir.ports.clock import IdGenerator
from autoir.ports.unit_of_work import UnitOfWork


class RemediationPlanner:
    """Plans an investigation's actions (called by the runner inside its finishing transaction)."""

    def __init__(self, ids: IdGenerator, policy: Callable[[], AutomationPolicy]) -> None:
        """``policy`` reads the current automation policy."""
        self._ids = ids
        self._policy = policy

    def plan(
        self,
        uow: UnitOfWork,
        record: InvestigationRecord,
        items: Sequence[EvidenceItem],
        now: datetime,
    ) -> Plan:
        """New actions for threats not yet acted on, and every item's remediation status."""
        return plan(
            investigation_id=record.id,
            items=items,
            already=uow.actions.proposed(record.id),
            policy=self._policy(),
            new_id=self._ids.guid,
            now=now,
        )
