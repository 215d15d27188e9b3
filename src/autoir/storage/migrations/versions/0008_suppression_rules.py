"""suppression_rules: alert tuning rules (issue 7), and which rule suppressed an alert

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Adds the ``suppression_rules`` table, ``alerts.suppression_rule_id`` (partial index on the
suppressed ones) and ``alerts.hidden``. The queue's (created_at, id, status, severity,
service_source) index gains ``hidden`` so that the default view, which leaves hidden alerts
out, stays index-only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_SUPPRESSED = sa.text("suppression_rule_id IS NOT NULL")
_QUEUE_COLUMNS = ["created_at", "id", "status", "severity", "service_source"]


def upgrade() -> None:
    op.create_table(
        "suppression_rules",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=256), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("match_count", sa.Integer(), nullable=False),
        sa.Column("last_match_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppression_rules")),
    )
    op.create_index("ix_suppression_rules_updated_at", "suppression_rules", ["updated_at"])
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suppression_rule_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )
    op.create_index(
        "ix_alerts_suppression_rule_id",
        "alerts",
        ["suppression_rule_id"],
        sqlite_where=_SUPPRESSED,
        postgresql_where=_SUPPRESSED,
    )
    op.drop_index("ix_alerts_created_at_id", table_name="alerts")
    op.create_index("ix_alerts_created_at_id", "alerts", [*_QUEUE_COLUMNS, "hidden"])


def downgrade() -> None:
    op.drop_index("ix_alerts_created_at_id", table_name="alerts")
    op.create_index("ix_alerts_created_at_id", "alerts", _QUEUE_COLUMNS)
    op.drop_index("ix_alerts_suppression_rule_id", table_name="alerts")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("hidden")
        batch_op.drop_column("suppression_rule_id")
    op.drop_index("ix_suppression_rules_updated_at", table_name="suppression_rules")
    op.drop_table("suppression_rules")
