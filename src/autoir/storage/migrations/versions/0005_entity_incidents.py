"""alert_entities.incident_id: correlation reads the entity index alone

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

A nullable copy of alerts.incident_id on each entity row, written by ingest and kept in step
when incidents merge. Existing rows are not rewritten (at a million alerts that would be
millions of random index updates): they keep NULL and readers fall back to alerts.incident_id.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_entities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_entities", schema=None) as batch_op:
        batch_op.drop_column("incident_id")
