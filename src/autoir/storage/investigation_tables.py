"""Tables of investigations: the run, its alerts, entity keys, evidence, log and proposed actions.

Times are naive UTC and JSON is text, as in ``tables.py`` (same MetaData).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from autoir.storage.tables import metadata

investigations = Table(
    "investigations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("name", String(1024), nullable=False),
    Column("investigation_type", String(64), nullable=False),
    Column("playbook_id", String(128), nullable=False),
    Column("status", String(32), nullable=False),
    Column("status_details", Text),
    Column("triggering_alert_id", String(64)),
    Column("created_by", String(256)),
    Column("created_at", DateTime, nullable=False),
    Column("last_modified_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("ended_at", DateTime),
    Column("pending_since", DateTime),
    Column("total_pending_seconds", Float, nullable=False, default=0.0),
    Column("threat_count", Integer, nullable=False, default=0),
    Column("action_count", Integer, nullable=False, default=0),
    Column("entity_count", Integer, nullable=False, default=0),
    Column("users", Text, nullable=False, default="[]"),
    Column("mailboxes", Text, nullable=False, default="[]"),
    Column("devices", Text, nullable=False, default="[]"),
    Column("subject", Text, nullable=False, default="{}"),
    Column("state", Text, nullable=False, default="{}"),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    # Work leases: a worker owns the run until lease_expires_at; the sweeper re-enqueues runs
    # whose lease expired (worker died) or that were never picked up (message lost).
    Column("lease_owner", String(128)),
    Column("lease_expires_at", DateTime),
    Column("enqueued_at", DateTime),
    Index("ix_investigations_created_at_id", "created_at", "id"),
    Index("ix_investigations_status", "status", "lease_expires_at"),
)

investigation_alerts = Table(
    "investigation_alerts",
    metadata,
    Column("investigation_id", String(64), ForeignKey("investigations.id"), nullable=False),
    Column("alert_id", String(64), ForeignKey("alerts.id"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("added_at", DateTime, nullable=False),
    PrimaryKeyConstraint("investigation_id", "alert_id"),
    Index("ix_investigation_alerts_alert_id", "alert_id"),
)

# Strong entities under investigation, so that an alert on the same entities joins the running
# investigation instead of starting another (``preexistingAlert``).
investigation_keys = Table(
    "investigation_keys",
    metadata,
    Column("kind", String(32), nullable=False),
    Column("value", String(1024), nullable=False),
    Column("investigation_id", String(64), ForeignKey("investigations.id"), nullable=False),
    PrimaryKeyConstraint("kind", "value", "investigation_id"),
    Index("ix_investigation_keys_investigation_id", "investigation_id"),
    sqlite_with_rowid=False,
)

investigation_evidence = Table(
    "investigation_evidence",
    metadata,
    Column("investigation_id", String(64), ForeignKey("investigations.id"), nullable=False),
    Column("key", String(1100), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("name", String(1024), nullable=False),
    Column("properties", Text, nullable=False, default="{}"),
    Column("verdict", String(32), nullable=False),
    Column("confidence", Float, nullable=False, default=0.0),
    Column("remediation_status", String(32), nullable=False),
    Column("reasons", Text, nullable=False, default="[]"),
    Column("origin", String(32), nullable=False),
    Column("related", Text, nullable=False, default="[]"),
    Column("step_id", String(64)),
    Column("first_seen", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    PrimaryKeyConstraint("investigation_id", "key"),
)

investigation_log = Table(
    "investigation_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("investigation_id", String(64), ForeignKey("investigations.id"), nullable=False),
    Column("step_id", String(64)),
    Column("kind", String(32), nullable=False),
    Column("name", String(256), nullable=False),
    Column("status", String(32), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("duration_ms", Float),
    Column("queued_ms", Float),
    Index("ix_investigation_log_investigation_id", "investigation_id", "id"),
)

remediation_actions = Table(
    "remediation_actions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("investigation_id", String(64), ForeignKey("investigations.id")),
    Column("action_type", String(64), nullable=False),
    Column("source", String(40), nullable=False, server_default=""),
    Column("target_kind", String(32), nullable=False, server_default=""),
    Column("target_key", String(1100), nullable=False),
    Column("target_name", String(1024), nullable=False),
    Column("status", String(32), nullable=False),
    Column("requires_approval", Boolean, nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("properties", Text, nullable=False, default="{}"),
    Column("requested_by", String(256)),
    Column("request_comment", Text),
    Column("decided_by", String(256)),
    Column("decided_at", DateTime),
    Column("decision_comment", Text),
    Column("comments", Text, nullable=False, server_default="[]"),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("completed_at", DateTime),
    Column("expires_at", DateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime),
    Column("lease_owner", String(200)),
    Column("lease_expires_at", DateTime),
    Column("result", Text, nullable=False, server_default="{}"),
    Column("error", Text),
    Column("undo_of", String(64)),
    Column("undone_by", String(64)),
    Column("approval_key", String(1200)),
    Index("ix_remediation_actions_status", "status", "created_at"),
    Index("ix_remediation_actions_investigation", "investigation_id", "created_at"),
    Index("ix_remediation_actions_updated", "updated_at"),
    Index("ix_remediation_actions_approval_key", "approval_key", "decided_at"),
)
