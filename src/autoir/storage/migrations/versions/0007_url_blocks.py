"""url_blocks: the click-time URL block list (served to proxies and resolvers, enforced at /l)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

One row per (action, blocked URL); unblocking stamps removed_at instead of deleting. Partial
indexes on the active rows serve the click-time lookups (by url_key: the URL prefix or the
domain) and the exports (by host); created_at and removed_at give the list's latest change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ACTIVE = sa.text("removed_at IS NULL")
_REMOVED = sa.text("removed_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "url_blocks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(length=320), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("prefix", sa.Text(), nullable=False),
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=True),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by_action", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_url_blocks")),
    )
    op.create_index("uq_url_blocks_action_url", "url_blocks", ["action_id", "url_key"], unique=True)
    op.create_index(
        "ix_url_blocks_active_url_key",
        "url_blocks",
        ["url_key"],
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )
    op.create_index(
        "ix_url_blocks_active_host",
        "url_blocks",
        ["host"],
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )
    op.create_index("ix_url_blocks_created_at", "url_blocks", ["created_at"])
    op.create_index(
        "ix_url_blocks_removed_at",
        "url_blocks",
        ["removed_at"],
        sqlite_where=_REMOVED,
        postgresql_where=_REMOVED,
    )


def downgrade() -> None:
    op.drop_index("ix_url_blocks_removed_at", table_name="url_blocks")
    op.drop_index("ix_url_blocks_created_at", table_name="url_blocks")
    op.drop_index("ix_url_blocks_active_host", table_name="url_blocks")
    op.drop_index("ix_url_blocks_active_url_key", table_name="url_blocks")
    op.drop_index("uq_url_blocks_action_url", table_name="url_blocks")
    op.drop_table("url_blocks")
