"""SQL unit of work: one connection, one transaction, all repositories."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from autoir.storage.repositories.access import SqlAccessRepository, SqlSystemSettingsRepository
from autoir.storage.repositories.actions import SqlActionRepository
from autoir.storage.repositories.agents import SqlAgentRepository
from autoir.storage.repositories.alerts import SqlAlertRepository
from autoir.storage.repositories.incidents import SqlIncidentRepository
from autoir.storage.repositories.investigations import SqlInvestigationRepository
from autoir.storage.repositories.suppression import SqlSuppressionRuleRepository
from autoir.storage.repositories.telemetry import SqlTelemetryRepository

READ_ONLY = "autoir_read_only"


class SqlUnitOfWork:
    """Implements ``autoir.ports.unit_of_work.UnitOfWork`` over a SQLAlchemy engine.

    ``read_only`` transactions on SQLite start deferred so that readers never queue behind a
    writer (WAL lets them read a snapshot); writers take the lock up front (BEGIN IMMEDIATE).
    """

    alerts: SqlAlertRepository
    incidents: SqlIncidentRepository
    investigations: SqlInvestigationRepository
    actions: SqlActionRepository
    access: SqlAccessRepository
    system: SqlSystemSettingsRepository
    telemetry: SqlTelemetryRepository
    suppression: SqlSuppressionRuleRepository
    agents: SqlAgentRepository

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        connection.info[READ_ONLY] = self._read_only
        connection.begin()
        self._connection = connection
        self.alerts = SqlAlertRepository(connection)
        self.incidents = SqlIncidentRepository(connection)
        self.investigations = SqlInvestigationRepository(connection)
        self.actions = SqlActionRepository(connection)
        self.access = SqlAccessRepository(connection)
        self.system = SqlSystemSettingsRepository(connection)
        self.telemetry = SqlTelemetryRepository(connection)
        self.suppression = SqlSuppressionRuleRepository(connection)
        self.agents = SqlAgentRepository(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        try:
            if self._connection.in_transaction():
                self._connection.rollback()
        finally:
            self._connection.close()
            self._connection = None

    def commit(self) -> None:
        """Commit the transaction."""
        assert self._connection is not None
        self._connection.commit()
