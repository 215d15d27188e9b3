"""Keeping an investigation in step with its actions (reference §2.3, §2.7).

Called in the transaction that changed an action: after a decision (approve, reject, cancel,
expire) and after an execution finished. The investigation's status follows
:func:`~autoir.domain.remediation.outcome.investigation_status`; its evidence's remediation
status follows its actions; a remediated investigation resolves its triggering alerts; time spent
waiting for approval is added to its total pending time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from autoir.domain.alerts.enums import AlertStatus
from autoir.domain.alerts.record import Comment
from autoir.domain.investigations.enums import (
    InvestigationStatus,
    LogKind,
    LogStatus,
    TriggerRole,
)
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.lifecycle import CANCELLABLE, ActionStatus
from autoir.domain.remediation.outcome import evidence_status, investigation_status
from autoir.ports.investigations import NewLogEntry
from autoir.ports.unit_of_work import UnitOfWork

_WAITING = frozenset({InvestigationStatus.PENDING_ACTION, InvestigationStatus.PARTIALLY_REMEDIATED})
_FOLLOWS_ACTIONS = frozenset(
    {
        InvestigationStatus.RUNNING,
        InvestigationStatus.PENDING_ACTION,
        InvestigationStatus.PARTIALLY_REMEDIATED,
        InvestigationStatus.REMEDIATED,
        InvestigationStatus.PARTIALLY_INVESTIGATED,
    }
)


def evidence_key_of(action: RemediationAction) -> str:
    """The evidence item an action targets (file actions are per device: ``key@device``)."""
    if action.target_kind == "file" and "@" in action.target_key:
        return action.target_key.rsplit("@", 1)[0]
    return action.target_key


def refresh_investigation(
    uow: UnitOfWork, investigation_id: str | None, now: datetime, actor: str
) -> InvestigationStatus | None:
    """Bring the investigation's status, evidence and alerts in line with its actions."""
    if investigation_id is None:
        return None
    repo = uow.investigations
    record = repo.get(investigation_id)
    if record is None or record.status not in _FOLLOWS_ACTIONS:
        return None if record is None else record.status
    actions = uow.actions.for_investigation(investigation_id)
    _update_evidence(uow, investigation_id, actions, now)
    status = investigation_status(actions)
    if status is None or status is record.status:
        return record.status
    pending_since, total = record.pending_since, record.total_pending
    if status in _WAITING and pending_since is None:
        pending_since = now
    elif status not in _WAITING and pending_since is not None:
        total += max(timedelta(0), now - pending_since)
        pending_since = None
    final = status in {InvestigationStatus.REMEDIATED, InvestigationStatus.TERMINATED_BY_SYSTEM}
    details = (
        "Pending actions expired." if status is InvestigationStatus.TERMINATED_BY_SYSTEM else None
    )
    record = replace(
        record,
        status=status,
        status_details=details or record.status_details,
        last_modified_at=now,
        ended_at=now if final else None,
        pending_since=pending_since,
        total_pending=total,
        action_count=sum(1 for a in actions if a.undo_of is None),
    )
    repo.save(record, None, now, timedelta(0))
    triggers = [a for a, role in repo.alert_links(record.id) if role is TriggerRole.TRIGGER]
    repo.set_alert_states(triggers, status.alert_state, now)
    if status is InvestigationStatus.REMEDIATED:
        resolve_alerts(uow, triggers, now)
    repo.add_log(
        NewLogEntry(
            investigation_id=record.id,
            kind=LogKind.ACTION,
            name="Remediation",
            status=LogStatus.COMPLETED,
            description=f"{status.value} ({actor})",
            created_at=now,
            started_at=now,
        )
    )
    return status


def _update_evidence(
    uow: UnitOfWork, investigation_id: str, actions: list[RemediationAction], now: datetime
) -> None:
    by_key: dict[str, list[RemediationAction]] = defaultdict(list)
    for action in actions:
        by_key[evidence_key_of(action)].append(action)
    items = uow.investigations.evidence(investigation_id)
    changed = []
    for item in items:
        status = evidence_status(by_key.get(item.key, []))
        if status is not None and status is not item.remediation_status:
            changed.append(replace(item, remediation_status=status))
    if changed:
        uow.investigations.upsert_evidence(investigation_id, changed, now)


def resolve_alerts(uow: UnitOfWork, alert_ids: list[str], now: datetime) -> None:
    """Resolve the alerts of a remediated investigation (reference §2.5: all done → resolved)."""
    alerts = [a for a in uow.alerts.get_many(alert_ids) if a.status is not AlertStatus.RESOLVED]
    if not alerts:
        return
    ids = [a.id for a in alerts]
    uow.alerts.update_fields(
        ids, {"status": AlertStatus.RESOLVED.value, "resolvedDateTime": now}, now
    )
    for alert_id in ids:
        uow.alerts.add_comment(
            alert_id,
            Comment(
                "Resolved: the automated investigation remediated its threats.", "Automation", now
            ),
        )
    for incident_id in sorted({a.incident_id for a in alerts if a.incident_id is not None}):
        uow.incidents.refresh(incident_id, now)


def cancel_open_actions(uow: UnitOfWork, investigation_id: str, actor: str, now: datetime) -> int:
    """Cancel the investigation's actions that have not started executing; returns how many."""
    cancelled = 0
    for action in uow.actions.for_investigation(investigation_id):
        if action.status in CANCELLABLE and uow.actions.transition(
            action.id,
            CANCELLABLE,
            ActionStatus.CANCELLED,
            now,
            cancel_changes(action, actor, now),
        ):
            cancelled += 1
    return cancelled


def cancel_changes(action: RemediationAction, actor: str, now: datetime) -> dict[str, object]:
    """Columns a cancellation sets: who decided, only when nobody had yet."""
    changes: dict[str, object] = {"completed_at": now, "lease_owner": None}
    if action.status is ActionStatus.PENDING:
        changes.update(decided_by=actor, decided_at=now)
    return changes
