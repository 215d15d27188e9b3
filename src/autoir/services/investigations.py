"""Investigations: triage alerts into investigations, analyst-started runs, reading, cancelling.

Triage (reference §2.1, §3.4): every new alert gets an ``investigationState``. An alert on entities
an unfinished investigation already holds joins it (``preexistingAlert``: one investigation, not
ten); an alert created resolved by a tuning rule is ``suppressedAlert``; an alert no playbook
takes is ``unsupportedAlertType``; otherwise a playbook's investigation starts (``queued``).
Alerts that arrive with a state set by their source (another AIR ran) are left as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from autoir.domain.access.permissions import Principal
from autoir.domain.alerts.enums import AlertStatus, InvestigationState
from autoir.domain.alerts.evidence import Entity, EntityKind
from autoir.domain.alerts.record import AlertRecord
from autoir.domain.errors import FieldError, NotFound, ValidationFailed
from autoir.domain.investigations.enums import InvestigationStatus, InvestigationType, TriggerRole
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.playbook import PlaybookSpec
from autoir.domain.investigations.record import InvestigationRecord, LogEntry
from autoir.domain.queries.filters import ListQuery
from autoir.domain.remediation.action import RemediationAction
from autoir.ports.repositories import Page
from autoir.ports.unit_of_work import UnitOfWork
from autoir.services.context import ServiceContext
from autoir.services.remediation_outcome import cancel_open_actions

TRIAGE_LOOKBACK = timedelta(hours=24)
TRIAGE_BATCH = 200
SWEEP_BATCH = 100

# Analyst-triggered investigations: entity type → (entity kind, playbook id).
MANUAL_SUBJECTS: dict[str, tuple[EntityKind, str]] = {
    "email": (EntityKind.NETWORK_MESSAGE_ID, "playbook.manual_email"),
    "mailbox": (EntityKind.MAILBOX, "playbook.manual_mailbox"),
    "device": (EntityKind.DEVICE, "playbook.manual_device"),
    "user": (EntityKind.USER, "playbook.manual_user"),
}


@dataclass(frozen=True, slots=True)
class InvestigationDetail:
    """One investigation with everything its page shows."""

    record: InvestigationRecord
    alerts: list[tuple[AlertRecord, TriggerRole]]
    evidence: list[EvidenceItem]
    log: list[LogEntry]
    actions: list[RemediationAction]


class InvestigationService:
    """Starting, reading and cancelling investigations."""

    def __init__(
        self,
        ctx: ServiceContext,
        playbooks: Mapping[str, PlaybookSpec],
        *,
        lease: timedelta = timedelta(seconds=30),
    ) -> None:
        """Keep the context, the installed playbooks and the workers' lease length.

        A run handed to the queue is handed out again once its lease has expired and it was last
        enqueued at least one lease ago (its message, taken by a worker that died, is gone).
        """
        self._ctx = ctx
        self._playbooks = playbooks
        self._lease = lease

    @property
    def playbooks(self) -> Mapping[str, PlaybookSpec]:
        """Installed playbooks by id."""
        return self._playbooks

    def playbook_for(self, alert: AlertRecord) -> PlaybookSpec | None:
        """The first playbook (by id) whose trigger matches the alert."""
        for playbook_id in sorted(self._playbooks):
            spec = self._playbooks[playbook_id]
            if not spec.trigger.matches(
                title=alert.title,
                detector_id=alert.detector_id,
                category=alert.category,
                service_source=alert.service_source.value,
            ):
                continue
            return spec
        return None

    def sweep(self) -> list[str]:
        """Triage new alerts and collect runs no live worker holds; returns ids to enqueue."""
        started = self.triage()
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            due = uow.investigations.due(now, self._lease, SWEEP_BATCH)
            ids = list(dict.fromkeys([*started, *due]))
            uow.investigations.mark_enqueued(ids, now)
            uow.commit()
        return ids

    def triage(self, since: datetime | None = None) -> list[str]:
        """Give up to a batch of untriaged alerts a state; returns the investigations started.

        Alerts created before ``since`` (default: ``TRIAGE_LOOKBACK`` ago) are history, not
        news: the sweep leaves them; :meth:`triage_backlog` takes them on request.
        """
        now = self._ctx.clock.now()
        started: list[str] = []
        with self._ctx.uow() as uow:
            alert_ids = uow.investigations.untriaged_alerts(
                since or now - TRIAGE_LOOKBACK, TRIAGE_BATCH
            )
            order = {alert_id: n for n, alert_id in enumerate(alert_ids)}
            alerts = sorted(uow.alerts.get_many(alert_ids), key=lambda a: order[a.id])
            for alert in alerts:  # oldest first: a later alert may join an earlier one's work
                investigation_id = self._triage_one(uow, alert)
                if investigation_id is not None:
                    started.append(investigation_id)
            uow.commit()
        return started

    def triage_backlog(self, since: datetime) -> list[str]:
        """Triage every untriaged alert created since ``since`` (an import of past alerts)."""
        started: list[str] = []
        while True:
            batch = self.triage(since)
            started.extend(batch)
            with self._ctx.read_uow() as uow:
                if not uow.investigations.untriaged_alerts(since, 1):
                    return started

    def _triage_one(self, uow: UnitOfWork, alert: AlertRecord) -> str | None:
        now = self._ctx.clock.now()
        repo = uow.investigations
        strong = [entity for entity in uow.alerts.entities(alert.id) if entity.strong]
        if alert.status is AlertStatus.RESOLVED:
            repo.set_alert_states([alert.id], InvestigationState.SUPPRESSED_ALERT, now)
            return None
        window = self._ctx.policy.correlation_window
        existing = repo.open_by_entities(strong, alert.created, window) if strong else None
        if existing is not None:
            repo.link_alerts(existing, [alert.id], TriggerRole.PREEXISTING, now)
            repo.set_alert_states([alert.id], InvestigationState.PREEXISTING_ALERT, now)
            return None
        spec = self.playbook_for(alert)
        if spec is None:
            repo.set_alert_states([alert.id], InvestigationState.UNSUPPORTED_ALERT_TYPE, now)
            return None
        record = InvestigationRecord(
            id=self._ctx.ids.guid(),
            name=f"{spec.name} - {alert.title}"[:1024],
            investigation_type=spec.investigation_type,
            playbook_id=spec.id,
            status=InvestigationStatus.QUEUED,
            created_at=now,
            last_modified_at=now,
            triggering_alert_id=alert.id,
            created_by="Automation",
        )
        repo.create(record, self._ctx.policy.tenant_id)
        repo.link_alerts(record.id, [alert.id], TriggerRole.TRIGGER, now)
        repo.add_keys(record.id, strong)
        repo.set_alert_states([alert.id], InvestigationState.QUEUED, now)
        return record.id

    def start_manual(self, principal: Principal, body: Mapping[str, Any]) -> InvestigationRecord:
        """An analyst-triggered investigation of an email, mailbox, device or user."""
        entity_type = str(body.get("entityType", "")).lower()
        value = body.get("value")
        errors: list[FieldError] = []
        if entity_type not in MANUAL_SUBJECTS:
            errors.append(
                FieldError("entityType", f"must be one of {', '.join(sorted(MANUAL_SUBJECTS))}")
            )
        if not isinstance(value, str) or not value.strip():
            errors.append(FieldError("value", "is required: the entity to investigate"))
        if errors:
            raise ValidationFailed(errors)
        assert isinstance(value, str)
        kind, playbook_id = MANUAL_SUBJECTS[entity_type]
        spec = self._playbooks.get(playbook_id)
        if spec is None:
            raise ValidationFailed(
                [FieldError("entityType", f"no playbook is installed for {entity_type}")]
            )
        now = self._ctx.clock.now()
        record = InvestigationRecord(
            id=self._ctx.ids.guid(),
            name=f"{spec.name} - {value.strip()}"[:1024],
            investigation_type=InvestigationType.MANUAL,
            playbook_id=spec.id,
            status=InvestigationStatus.QUEUED,
            created_at=now,
            last_modified_at=now,
            created_by=principal.name,
            subject={"entityType": entity_type, "kind": kind.value, "value": value.strip()},
        )
        with self._ctx.uow() as uow:
            uow.investigations.create(record, self._ctx.policy.tenant_id)
            uow.investigations.add_keys(record.id, [Entity(kind, value.strip(), strong=True)])
            uow.investigations.mark_enqueued([record.id], now)
            uow.commit()
        return record

    def search(self, query: ListQuery) -> Page[InvestigationRecord]:
        """A page of investigations."""
        with self._ctx.read_uow() as uow:
            return uow.investigations.search(query)

    def get(self, investigation_id: str) -> InvestigationDetail:
        """One investigation with its alerts, evidence, log and actions."""
        with self._ctx.read_uow() as uow:
            repo = uow.investigations
            record = repo.get(investigation_id)
            if record is None:
                raise NotFound("investigation", investigation_id)
            links = repo.alert_links(investigation_id)
            alerts = {a.id: a for a in uow.alerts.get_many([alert_id for alert_id, _ in links])}
            return InvestigationDetail(
                record=record,
                alerts=[(alerts[a], role) for a, role in links if a in alerts],
                evidence=repo.evidence(investigation_id),
                log=repo.log(investigation_id),
                actions=uow.actions.for_investigation(investigation_id),
            )

    def cancel(self, investigation_id: str, principal: Principal) -> InvestigationRecord:
        """Stop an investigation (``terminatedByUser``); a finished one cannot be cancelled."""
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            repo = uow.investigations
            record = repo.get(investigation_id)
            if record is None:
                raise NotFound("investigation", investigation_id)
            if record.status.is_final:
                raise ValidationFailed(
                    [FieldError("status", f"the investigation is already {record.status.value}")]
                )
            waited = now - record.pending_since if record.pending_since else timedelta(0)
            record = replace(
                record,
                status=InvestigationStatus.TERMINATED_BY_USER,
                status_details=f"Cancelled by {principal.name}.",
                ended_at=now,
                last_modified_at=now,
                cancel_requested=True,
                pending_since=None,
                total_pending=record.total_pending + waited,
            )
            repo.save(record, None, now, timedelta(0))
            cancel_open_actions(uow, record.id, principal.name, now)
            triggers = [a for a, role in repo.alert_links(record.id) if role is TriggerRole.TRIGGER]
            repo.set_alert_states(triggers, InvestigationState.TERMINATED_BY_USER, now)
            uow.commit()
        return record

    def status_counts(self, since: datetime) -> dict[str, int]:
        """Investigations created since ``since`` per status (the list page's breakdown)."""
        with self._ctx.read_uow() as uow:
            return uow.investigations.counts_by_status(since)

    def ids_for(self, alert_ids: Sequence[str]) -> dict[str, str]:
        """The investigation of each alert that has one."""
        with self._ctx.read_uow() as uow:
            found = {a: uow.investigations.for_alert(a) for a in alert_ids}
        return {a: i for a, i in found.items() if i is not None}
