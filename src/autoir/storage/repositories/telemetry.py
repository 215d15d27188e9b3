"""The SQL telemetry repository: message and event telemetry on one connection."""

from __future__ import annotations

from autoir.storage.repositories.telemetry_events import SqlEventTelemetry
from autoir.storage.repositories.telemetry_messages import SqlMessageTelemetry


class SqlTelemetryRepository(SqlMessageTelemetry, SqlEventTelemetry):
    """Implements ``autoir.ports.telemetry.TelemetryRepository``."""
