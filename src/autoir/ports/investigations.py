"""Repository port for investigations, their evidence and log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from autoir.domain.alerts.enums import InvestigationState
from autoir.domain.alerts.evidence import Entity
from autoir.domain.investigations.enums import LogKind, LogStatus, TriggerRole
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.record import InvestigationRecord, LogEntry
from autoir.domain.queries.filters import ListQuery
from autoir.ports.repositories import Page


@dataclass(frozen=True, slots=True)
class NewLogEntry:
    """A log row to write."""

    investigation_id: str
    kind: LogKind
    name: str
    status: LogStatus
    description: str
    created_at: datetime
    step_id: str | None = None
    started_at: datetime | None = None
    duration: timedelta | None = None
    queued: timedelta | None = None


class InvestigationRepository(Protocol):
    """Investigations. Progress writes are guarded by the caller's lease (compare-and-set)."""

    def create(self, record: InvestigationRecord, tenant_id: str) -> None:
        """Insert a new investigation."""
        ...

    def get(self, investigation_id: str) -> InvestigationRecord | None:
        """One investigation."""
        ...

    def search(self, query: ListQuery) -> Page[InvestigationRecord]:
        """A page of investigations."""
        ...

    def claim(self, investigation_id: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Take the work lease if it is free or expired; False if another worker holds it."""
        ...

    def save(
        self, record: InvestigationRecord, owner: str | None, now: datetime, ttl: timedelta
    ) -> bool:
        """Write the investigation's fields and renew the lease; False if ``owner`` lost it.

        ``owner=None`` writes without a lease (analyst actions such as cancel).
        """
        ...

    def release(self, investigation_id: str, owner: str) -> None:
        """Give the lease back."""
        ...

    def due(self, now: datetime, stale_enqueue: timedelta, limit: int) -> list[str]:
        """Active runs that no live worker holds and that were not enqueued recently."""
        ...

    def mark_enqueued(self, investigation_ids: Sequence[str], now: datetime) -> None:
        """Remember when a run was last handed to the task queue."""
        ...

    def link_alerts(
        self, investigation_id: str, alert_ids: Sequence[str], role: TriggerRole, now: datetime
    ) -> None:
        """Attach alerts (idempotent)."""
        ...

    def alert_links(self, investigation_id: str) -> list[tuple[str, TriggerRole]]:
        """Alerts of an investigation with their role, oldest first."""
        ...

    def for_alert(self, alert_id: str) -> str | None:
        """The investigation an alert belongs to."""
        ...

    def add_keys(self, investigation_id: str, entities: Sequence[Entity]) -> None:
        """Record strong entities under investigation (idempotent)."""
        ...

    def open_by_entities(
        self,
        entities: Sequence[Entity],
        around: datetime | None = None,
        window: timedelta = timedelta(0),
    ) -> str | None:
        """The oldest investigation not yet finished that holds any of these entities.

        With ``around``: only investigations whose triggering alert (or, for an analyst's, whose
        own creation) lies within ``window`` of it — an alert joins work about its own time.
        """
        ...

    def upsert_evidence(
        self, investigation_id: str, items: Sequence[EvidenceItem], now: datetime
    ) -> None:
        """Insert or replace evidence items by key."""
        ...

    def evidence(self, investigation_id: str) -> list[EvidenceItem]:
        """All evidence items."""
        ...

    def add_log(self, entry: NewLogEntry) -> int:
        """Append a log row; returns its id."""
        ...

    def finish_log(
        self, log_id: int, status: LogStatus, description: str, duration: timedelta
    ) -> None:
        """Close a running log row."""
        ...

    def abandon_running_logs(self, investigation_id: str, description: str) -> int:
        """Mark rows left ``running`` by a worker that died as failed; returns how many."""
        ...

    def log(self, investigation_id: str) -> list[LogEntry]:
        """The log, oldest first."""
        ...

    def untriaged_alerts(self, since: datetime, limit: int) -> list[str]:
        """Alerts created since ``since`` that automated investigation has not looked at."""
        ...

    def set_alert_states(
        self, alert_ids: Sequence[str], state: InvestigationState, now: datetime
    ) -> None:
        """Set the alerts' ``investigationState``."""
        ...

    def counts_by_status(self, since: datetime) -> dict[str, int]:
        """Investigations created since ``since`` per status."""
        ...
