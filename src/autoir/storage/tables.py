"""Table definitions. Times are stored as naive UTC; JSON documents as text."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("display_name", String(1024), nullable=False),
    Column("description", Text),
    Column("status", String(32), nullable=False),
    Column("severity", String(32), nullable=False),
    Column("severity_rank", SmallInteger, nullable=False),
    Column("classification", String(64)),
    Column("determination", String(64)),
    Column("assigned_to", String(256)),
    Column("redirect_incident_id", Integer),
    Column("custom_tags", Text, nullable=False, default="[]"),
    Column("system_tags", Text, nullable=False, default="[]"),
    Column("created_at", DateTime, nullable=False),
    Column("last_update_at", DateTime, nullable=False),
    Column("last_modified_by", String(256)),
    Column("resolving_comment", Text),
    Column("alert_count", Integer, nullable=False, default=0),
    Column("open_alert_count", Integer, nullable=False, default=0),
    Column("first_title", String(1024)),
    Column("categories", Text, nullable=False, default="[]"),
    Column("entity_labels", Text, nullable=False, default="[]"),
    Index("ix_incidents_created_at", "created_at"),
    Index("ix_incidents_status_last_update", "status", "last_update_at"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("provider_alert_id", String(256)),
    Column("service_source", String(64), nullable=False),
    Column("detection_source", String(64), nullable=False),
    Column("detector_id", String(256)),
    Column("type_key", String(1024), nullable=False),
    Column("title", String(1024), nullable=False),
    Column("category", String(128)),
    Column("severity", String(32), nullable=False),
    Column("severity_rank", SmallInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("classification", String(64)),
    Column("determination", String(64)),
    Column("investigation_state", String(64)),
    Column("assigned_to", String(256)),
    Column("incident_id", Integer, ForeignKey("incidents.id")),
    Column("tags", Text, nullable=False, default="[]"),
    Column("created_at", DateTime, nullable=False),
    Column("last_update_at", DateTime, nullable=False),
    Column("first_activity_at", DateTime, nullable=False),
    Column("last_activity_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("occurrences", Integer, nullable=False, default=1),
    Column("fingerprint", String(40), nullable=False),
    Column("document", Text, nullable=False),
    # The suppression rule that matched at ingest (migration 0008); ``hidden`` keeps the alert
    # out of every list unless asked for, and is in the queue's index so that filter stays
    # index-only.
    Column("suppression_rule_id", String(64)),
    Column("hidden", Boolean, nullable=False, default=False, server_default=text("false")),
    UniqueConstraint("service_source", "provider_alert_id", name="uq_alerts_provider"),
    # (created_at, id) serves "newest first" with its tiebreak straight from the index; a
    # (status, created_at) index made SQLite sort every match in a temporary B-tree instead.
    # The trailing columns make the default view's status filter, its count and the dashboard's
    # volume charts index-only (alert rows are ~1.4 KB; these entries ~60 bytes).
    Index(
        "ix_alerts_created_at_id",
        "created_at",
        "id",
        "status",
        "severity",
        "service_source",
        "hidden",
    ),
    Index(
        "ix_alerts_suppression_rule_id",
        "suppression_rule_id",
        sqlite_where=text("suppression_rule_id IS NOT NULL"),
        postgresql_where=text("suppression_rule_id IS NOT NULL"),
    ),
    # Folding applies only to alerts without a provider id, so only they are indexed.
    Index(
        "ix_alerts_fingerprint",
        "fingerprint",
        "last_activity_at",
        sqlite_where=text("provider_alert_id IS NULL"),
        postgresql_where=text("provider_alert_id IS NULL"),
    ),
    Index("ix_alerts_incident_id", "incident_id"),
    Index("ix_alerts_type_key", "type_key", "created_at"),
    # Alerts automated investigation has not looked at yet (AIR's inbox): small, time-ordered.
    Index(
        "ix_alerts_air_inbox",
        "created_at",
        sqlite_where=text("investigation_state = 'unknown'"),
        postgresql_where=text("investigation_state = 'unknown'"),
    ),
)

# Entity indexes are clustered on their lookup key (SQLite WITHOUT ROWID): one B-tree per table
# to write on ingest instead of a row table plus a secondary index keyed on random values.
alert_entities = Table(
    "alert_entities",
    metadata,
    Column("value", String(512), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("created_at", DateTime, primary_key=True),
    Column("alert_id", String(64), ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("strong", Boolean, nullable=False),
    # A copy of alerts.incident_id, so that correlation reads only this index (migration
    # 0005); NULL on rows written before it, where readers fall back to alerts.incident_id.
    Column("incident_id", Integer),
    Index("ix_alert_entities_alert_id", "alert_id"),
    sqlite_with_rowid=False,
)

alert_comments = Table(
    "alert_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(64), ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("comment", Text, nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_alert_comments_alert_id", "alert_id"),
)

incident_comments = Table(
    "incident_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("comment", Text, nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_incident_comments_incident_id", "incident_id"),
)

roles = Table(
    "roles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("builtin", Boolean, nullable=False, default=False),
    Column("permissions", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(256), nullable=False, unique=True),
    Column("display_name", String(256), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("role_id", Integer, ForeignKey("roles.id"), nullable=False),
    Column("locale", String(8), nullable=False, default="en"),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(256), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role_id", Integer, ForeignKey("roles.id"), nullable=False),
    Column("created_by", Integer, ForeignKey("users.id")),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
    Column("last_used_at", DateTime),
)

ui_sessions = Table(
    "ui_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(128), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

system_settings = Table(
    "system_settings",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
)
