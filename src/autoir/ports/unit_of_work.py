"""The unit of work: one transaction spanning the repositories."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from autoir.ports.actions import ActionRepository
from autoir.ports.agents import AgentRepository
from autoir.ports.investigations import InvestigationRepository
from autoir.ports.repositories import (
    AccessRepository,
    AlertRepository,
    IncidentRepository,
    SystemSettingsRepository,
)
from autoir.ports.suppression import SuppressionRuleRepository
from autoir.ports.telemetry import TelemetryRepository


class UnitOfWork(Protocol):
    """Use as ``with uow_factory() as uow: …; uow.commit()``; leaving without commit rolls back."""

    @property
    def alerts(self) -> AlertRepository:
        """Alerts."""
        ...

    @property
    def incidents(self) -> IncidentRepository:
        """Incidents."""
        ...

    @property
    def investigations(self) -> InvestigationRepository:
        """Investigations, their evidence and log."""
        ...

    @property
    def actions(self) -> ActionRepository:
        """Remediation actions (the Action Center)."""
        ...

    @property
    def access(self) -> AccessRepository:
        """Roles, users, tokens, sessions."""
        ...

    @property
    def system(self) -> SystemSettingsRepository:
        """Installation settings."""
        ...

    @property
    def telemetry(self) -> TelemetryRepository:
        """Message events, URL clicks, endpoint events, sign-ins."""
        ...

    @property
    def suppression(self) -> SuppressionRuleRepository:
        """Suppression (alert tuning) rules."""
        ...

    @property
    def agents(self) -> AgentRepository:
        """Endpoint-agent enrolment tokens and the device inventory."""
        ...

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back anything not committed and release the connection."""
        ...

    def commit(self) -> None:
        """Commit the transaction."""
        ...
