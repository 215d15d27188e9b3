"""remediation_actions: the Action Center's lifecycle (source, decisions, execution, undo)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

Adds who requested and decided an action, its comments, execution bookkeeping (attempts, lease,
next retry, result, error), expiry, the undo link and the approval de-duplication key. The
unique (investigation, type, target) constraint goes: an investigation can hold an action and
later its undo of the same type on the same target; proposals are de-duplicated in code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remediation_actions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_remediation_target", type_="unique")
        batch_op.add_column(
            sa.Column("source", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("target_kind", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("requested_by", sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column("request_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("decision_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("comments", sa.Text(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("result", sa.Text(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("undo_of", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("undone_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("approval_key", sa.String(length=1200), nullable=True))
        batch_op.create_index(
            "ix_remediation_actions_investigation", ["investigation_id", "created_at"]
        )
        batch_op.create_index("ix_remediation_actions_updated", ["updated_at"])
        batch_op.create_index("ix_remediation_actions_approval_key", ["approval_key", "decided_at"])
    op.execute("UPDATE remediation_actions SET status = 'pending' WHERE status = 'pendingApproval'")


def downgrade() -> None:
    op.execute("UPDATE remediation_actions SET status = 'pendingApproval' WHERE status = 'pending'")
    with op.batch_alter_table("remediation_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_remediation_actions_approval_key")
        batch_op.drop_index("ix_remediation_actions_updated")
        batch_op.drop_index("ix_remediation_actions_investigation")
        for column in (
            "approval_key",
            "undone_by",
            "undo_of",
            "error",
            "result",
            "lease_expires_at",
            "lease_owner",
            "next_attempt_at",
            "attempts",
            "expires_at",
            "completed_at",
            "started_at",
            "comments",
            "decision_comment",
            "decided_at",
            "decided_by",
            "request_comment",
            "requested_by",
            "target_kind",
            "source",
        ):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint(
            "uq_remediation_target", ["investigation_id", "action_type", "target_key"]
        )
