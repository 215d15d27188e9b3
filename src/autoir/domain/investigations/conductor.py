"""The conductor: given a playbook, the saved run state and a step's outcome, what happens next.

Pure, in the way orquesta's conductor is: no I/O, and the state is plain data that the service
saves in the same transaction as the step's results. A worker that dies mid-step leaves the state
at the last committed step, so the next worker re-runs that step (steps are idempotent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.investigations.enums import InvestigationStatus
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.playbook import Limits, PlaybookSpec, StepSpec


@dataclass(frozen=True, slots=True)
class RunState:
    """Which steps are done and how often each was attempted."""

    completed: tuple[str, ...] = ()
    attempts: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain data for storage."""
        return {"completed": list(self.completed), "attempts": dict(self.attempts)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RunState:
        """Read back what :meth:`to_json` wrote."""
        if not data:
            return cls()
        return cls(
            completed=tuple(str(step) for step in data.get("completed", ())),
            attempts={str(k): int(v) for k, v in dict(data.get("attempts", {})).items()},
        )


def next_step(spec: PlaybookSpec, state: RunState) -> StepSpec | None:
    """The first step not yet completed, or None when the playbook is done."""
    for step in spec.steps:
        if step.id not in state.completed:
            return step
    return None


def begin_attempt(state: RunState, step_id: str) -> RunState:
    """Count one more attempt of ``step_id`` (saved before the step runs)."""
    attempts = dict(state.attempts)
    attempts[step_id] = attempts.get(step_id, 0) + 1
    return replace(state, attempts=attempts)


def complete(state: RunState, step_id: str) -> RunState:
    """Mark ``step_id`` done."""
    if step_id in state.completed:
        return state
    return replace(state, completed=(*state.completed, step_id))


def attempts_exhausted(state: RunState, step_id: str, limits: Limits) -> bool:
    """Whether the step has been started as often as the limits allow."""
    return state.attempts.get(step_id, 0) >= limits.max_step_attempts


def limit_reason(
    limits: Limits, *, started_at: datetime, now: datetime, entity_count: int
) -> str | None:
    """Why the investigation must stop (``terminatedBySystem``), or None."""
    if now - started_at > limits.total_time:
        minutes = int(limits.total_time.total_seconds() // 60)
        return f"The investigation ran longer than its {minutes}-minute limit."
    if entity_count > limits.max_entities:
        return (
            f"The investigation reached {entity_count} entities, above its limit of "
            f"{limits.max_entities}."
        )
    return None


def conclude(items: Iterable[EvidenceItem], pending_actions: int) -> InvestigationStatus:
    """Final status once every step ran (reference §2.3).

    Pending proposals → ``pendingAction``; threats without any possible action →
    ``partiallyInvestigated``; otherwise ``noThreatsFound``.
    """
    threats = [item for item in items if item.is_threat]
    if pending_actions:
        return InvestigationStatus.PENDING_ACTION
    if threats:
        return InvestigationStatus.PARTIALLY_INVESTIGATED
    return InvestigationStatus.NO_THREATS_FOUND


def threat_count(items: Iterable[EvidenceItem]) -> int:
    """Number of malicious or suspicious items."""
    return sum(
        1
        for item in items
        if item.verdict in {EvidenceVerdict.MALICIOUS, EvidenceVerdict.SUSPICIOUS}
    )
