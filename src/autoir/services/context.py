"""What every service needs: a unit-of-work factory, a clock, ids and installation settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from autoir.ports.clock import Clock, IdGenerator
from autoir.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Policy:
    """Tunable rules, read from settings once at start-up."""

    tenant_id: str
    correlation_window: timedelta = timedelta(hours=24)
    dedup_window: timedelta = timedelta(hours=24)
    # An incident stops growing at this size (correlation limit): a hot entity would otherwise
    # chain the whole tenant into one incident.
    max_incident_alerts: int = 1000
    max_batch: int = 5000
    default_queue_days: int = 30
    max_page: int = 1000
    session_ttl: timedelta = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """Dependencies shared by services. ``read_uow`` gives read-only transactions."""

    uow: Callable[[], UnitOfWork]
    read_uow: Callable[[], UnitOfWork]
    clock: Clock
    ids: IdGenerator
    policy: Policy
