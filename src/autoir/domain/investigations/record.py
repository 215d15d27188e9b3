"""Stored investigation and log rows as the services read them (actions: ``domain.remediation``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from autoir.domain.investigations.enums import (
    InvestigationStatus,
    InvestigationType,
    LogKind,
    LogStatus,
)


@dataclass(frozen=True, slots=True)
class InvestigationRecord:
    """One investigation (reference §2.3 list columns plus what the engine needs)."""

    id: str
    name: str
    investigation_type: InvestigationType
    playbook_id: str
    status: InvestigationStatus
    created_at: datetime
    last_modified_at: datetime
    triggering_alert_id: str | None = None
    status_details: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    pending_since: datetime | None = None
    total_pending: timedelta = timedelta(0)
    threat_count: int = 0
    action_count: int = 0
    entity_count: int = 0
    users: tuple[str, ...] = ()
    mailboxes: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    state: Mapping[str, Any] = field(default_factory=dict)
    subject: Mapping[str, Any] = field(default_factory=dict)
    created_by: str | None = None
    cancel_requested: bool = False

    @property
    def duration(self) -> timedelta | None:
        """Started to ended (or to last change while still running)."""
        if self.started_at is None:
            return None
        return (self.ended_at or self.last_modified_at) - self.started_at


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One row of the Log tab."""

    id: int
    investigation_id: str
    kind: LogKind
    name: str
    status: LogStatus
    description: str
    created_at: datetime
    started_at: datetime | None = None
    duration: timedelta | None = None
    queued: timedelta | None = None
    step_id: str | None = None
