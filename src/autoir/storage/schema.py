"""The whole schema: every table module registered on the one MetaData (Alembic reads this)."""

from __future__ import annotations

from autoir.storage import (
    agent_tables,
    investigation_tables,
    suppression_tables,
    tables,
    telemetry_tables,
    url_block_tables,
)

metadata = tables.metadata

__all__ = [
    "agent_tables",
    "investigation_tables",
    "metadata",
    "suppression_tables",
    "tables",
    "telemetry_tables",
    "url_block_tables",
]
