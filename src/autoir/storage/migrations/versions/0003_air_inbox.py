"""AIR inbox: partial index of alerts automated investigation has not triaged yet

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WHERE = sa.text("investigation_state = 'unknown'")


def upgrade() -> None:
    op.create_index(
        "ix_alerts_air_inbox",
        "alerts",
        ["created_at"],
        sqlite_where=_WHERE,
        postgresql_where=_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_alerts_air_inbox", table_name="alerts")
