"""What an investigation's actions say about it (reference §2.3, §2.7).

While any action waits for approval the investigation is ``pendingAction`` (``partially
remediated`` once others are done: completed, failed, rejected…); while approved actions
execute it is ``running``; once every action is decided and none is executing it is
``remediated`` — even if an approved action failed, as the reference says — and its alerts are
resolved. An investigation whose pending
actions expired ends ``terminatedBySystem``.
"""

from __future__ import annotations

from collections.abc import Sequence

from autoir.domain.alerts.enums import EvidenceRemediationStatus
from autoir.domain.investigations.enums import InvestigationStatus
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.lifecycle import ActionStatus

_EXECUTING = frozenset(
    {
        ActionStatus.APPROVED,
        ActionStatus.QUEUED,
        ActionStatus.RUNNING,
        ActionStatus.PENDING_RESOURCE,
    }
)


def investigation_status(actions: Sequence[RemediationAction]) -> InvestigationStatus | None:
    """The status the actions give their investigation; None when it has no actions."""
    proposed = [a for a in actions if a.undo_of is None]
    if not proposed:
        return None
    statuses = {a.status for a in proposed}
    if ActionStatus.PENDING in statuses:
        decided = any(s is not ActionStatus.PENDING and s not in _EXECUTING for s in statuses)
        return (
            InvestigationStatus.PARTIALLY_REMEDIATED
            if decided
            else InvestigationStatus.PENDING_ACTION
        )
    if statuses & _EXECUTING:
        return InvestigationStatus.RUNNING
    if ActionStatus.EXPIRED in statuses:
        return InvestigationStatus.TERMINATED_BY_SYSTEM
    return InvestigationStatus.REMEDIATED


_EVIDENCE_BY_STATUS = (
    (frozenset({ActionStatus.PENDING}), EvidenceRemediationStatus.PENDING_APPROVAL),
    (_EXECUTING, EvidenceRemediationStatus.RUNNING),
    (frozenset({ActionStatus.COMPLETED}), EvidenceRemediationStatus.REMEDIATED),
    (frozenset({ActionStatus.UNDONE}), EvidenceRemediationStatus.ACTIVE),
    (frozenset({ActionStatus.REJECTED}), EvidenceRemediationStatus.DECLINED),
)


def evidence_status(actions: Sequence[RemediationAction]) -> EvidenceRemediationStatus | None:
    """Remediation status of the evidence these actions target; None when they say nothing.

    The first row of ``_EVIDENCE_BY_STATUS`` that any action is in wins (pending approval over
    running over remediated…); failed, cancelled and expired actions leave it unremediated.
    """
    statuses = {a.status for a in actions if a.undo_of is None}
    if not statuses:
        return None
    for group, status in _EVIDENCE_BY_STATUS:
        if statuses & group:
            return status
    return EvidenceRemediationStatus.UNREMEDIATED
