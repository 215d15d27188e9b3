"""investigations: runs, alerts, keys, evidence, log, remediation actions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "investigations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("investigation_type", sa.String(length=64), nullable=False),
        sa.Column("playbook_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_details", sa.Text(), nullable=True),
        sa.Column("triggering_alert_id", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=256), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_modified_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("pending_since", sa.DateTime(), nullable=True),
        sa.Column("total_pending_seconds", sa.Float(), nullable=False),
        sa.Column("threat_count", sa.Integer(), nullable=False),
        sa.Column("action_count", sa.Integer(), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("users", sa.Text(), nullable=False),
        sa.Column("mailboxes", sa.Text(), nullable=False),
        sa.Column("devices", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
        sa.Column("enqueued_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigations")),
    )
    with op.batch_alter_table("investigations", schema=None) as batch_op:
        batch_op.create_index("ix_investigations_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_investigations_status", ["status", "lease_expires_at"], unique=False
        )

    op.create_table(
        "investigation_evidence",
        sa.Column("investigation_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=1100), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("properties", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("remediation_status", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("related", sa.Text(), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigations.id"],
            name=op.f("fk_investigation_evidence_investigation_id_investigations"),
        ),
        sa.PrimaryKeyConstraint("investigation_id", "key", name=op.f("pk_investigation_evidence")),
    )
    op.create_table(
        "investigation_keys",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=1024), nullable=False),
        sa.Column("investigation_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigations.id"],
            name=op.f("fk_investigation_keys_investigation_id_investigations"),
        ),
        sa.PrimaryKeyConstraint(
            "kind", "value", "investigation_id", name=op.f("pk_investigation_keys")
        ),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("investigation_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_investigation_keys_investigation_id", ["investigation_id"], unique=False
        )

    op.create_table(
        "investigation_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("investigation_id", sa.String(length=64), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("queued_ms", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigations.id"],
            name=op.f("fk_investigation_log_investigation_id_investigations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigation_log")),
    )
    with op.batch_alter_table("investigation_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_investigation_log_investigation_id", ["investigation_id", "id"], unique=False
        )

    op.create_table(
        "remediation_actions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("investigation_id", sa.String(length=64), nullable=True),
        sa.Column("action_type", sa.String(length=64), nullable=False),
        sa.Column("target_key", sa.String(length=1100), nullable=False),
        sa.Column("target_name", sa.String(length=1024), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("properties", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigations.id"],
            name=op.f("fk_remediation_actions_investigation_id_investigations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remediation_actions")),
        sa.UniqueConstraint(
            "investigation_id", "action_type", "target_key", name="uq_remediation_target"
        ),
    )
    with op.batch_alter_table("remediation_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_remediation_actions_status", ["status", "created_at"], unique=False
        )

    op.create_table(
        "investigation_alerts",
        sa.Column("investigation_id", sa.String(length=64), nullable=False),
        sa.Column("alert_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_investigation_alerts_alert_id_alerts")
        ),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigations.id"],
            name=op.f("fk_investigation_alerts_investigation_id_investigations"),
        ),
        sa.PrimaryKeyConstraint(
            "investigation_id", "alert_id", name=op.f("pk_investigation_alerts")
        ),
    )
    with op.batch_alter_table("investigation_alerts", schema=None) as batch_op:
        batch_op.create_index("ix_investigation_alerts_alert_id", ["alert_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("investigation_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_investigation_alerts_alert_id")

    op.drop_table("investigation_alerts")
    with op.batch_alter_table("remediation_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_remediation_actions_status")

    op.drop_table("remediation_actions")
    with op.batch_alter_table("investigation_log", schema=None) as batch_op:
        batch_op.drop_index("ix_investigation_log_investigation_id")

    op.drop_table("investigation_log")
    with op.batch_alter_table("investigation_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_investigation_keys_investigation_id")

    op.drop_table("investigation_keys")
    op.drop_table("investigation_evidence")
    with op.batch_alter_table("investigations", schema=None) as batch_op:
        batch_op.drop_index("ix_investigations_status")
        batch_op.drop_index("ix_investigations_created_at_id")

    op.drop_table("investigations")
