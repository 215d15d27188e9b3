"""agents: endpoint-agent enrolment tokens and the device inventory (issue 6)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Adds ``agent_enrollment_tokens`` (one-time tokens, kept as their SHA-256) and
``agent_devices`` (one row per enrolled host, with the SHA-256 of its current credential).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_enrollment_tokens",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_enrollment_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agent_enrollment_tokens_token_hash")),
    )
    op.create_table(
        "agent_devices",
        sa.Column("device_id", sa.String(length=40), nullable=False),
        sa.Column("machine_id", sa.String(length=128), nullable=True),
        sa.Column("credential_hash", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=256), nullable=False),
        sa.Column("os_platform", sa.String(length=256), nullable=False),
        sa.Column("os_version", sa.String(length=256), nullable=True),
        sa.Column("os_build", sa.String(length=256), nullable=True),
        sa.Column("agent_version", sa.String(length=256), nullable=True),
        sa.Column("ip_interfaces", sa.Text(), nullable=False),
        sa.Column("logged_on_users", sa.Text(), nullable=False),
        sa.Column("reported_health", sa.String(length=32), nullable=True),
        sa.Column("last_ip", sa.String(length=64), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_agent_devices")),
        sa.UniqueConstraint("credential_hash", name=op.f("uq_agent_devices_credential_hash")),
    )
    op.create_index("ix_agent_devices_last_seen_at", "agent_devices", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_agent_devices_last_seen_at", table_name="agent_devices")
    op.drop_table("agent_devices")
    op.drop_table("agent_enrollment_tokens")
