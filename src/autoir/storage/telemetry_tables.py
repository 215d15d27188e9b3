"""Telemetry tables: message events, cluster keys, clicks, endpoint events, devices, sign-ins.

Same MetaData as ``tables.py``; times are naive UTC.

The cluster index ``email_message_keys`` holds one row per (key, value) of a message (about 15
per message: sender IP, sender, sender domain, P1 sender, fingerprints, each URL, URL domain,
attachment and recipient, and the four combined keys). It is clustered on (kind, value, time,
message) — ``WITHOUT ROWID`` on SQLite — and carries the message's delivery location and action,
so a cluster's size and its counts by location and action are read from one contiguous range
without touching the messages. To keep those ~150 million rows of a 10-million-message store
small, the kind, location and action are small integer codes (below; never renumber them), the
time is an integer count of microseconds since 1970 (8 bytes instead of SQLite's 26-character
text), and the message is the integer id of ``email_messages``. There is no foreign key: SQLite
would probe ``email_messages`` for each of the ~15 rows of every message; the repository deletes
a message's keys with it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)

from autoir.domain.messages.enums import DeliveryAction, DeliveryLocation
from autoir.domain.telemetry.clusters import ClusterKey
from autoir.storage.tables import metadata

# SQLite makes an INTEGER PRIMARY KEY the rowid; PostgreSQL gets a BIGSERIAL.
RowId = BigInteger().with_variant(Integer(), "sqlite")

KEY_CODES: dict[ClusterKey, int] = {
    ClusterKey.SENDER_IP: 1,
    ClusterKey.SENDER_DOMAIN: 2,
    ClusterKey.SENDER: 3,
    ClusterKey.P1_SENDER: 4,
    ClusterKey.SUBJECT: 5,
    ClusterKey.BODY: 6,
    ClusterKey.URL: 7,
    ClusterKey.URL_DOMAIN: 8,
    ClusterKey.ATTACHMENT: 9,
    ClusterKey.RECIPIENT: 10,
    ClusterKey.BODY_SENDER_IP: 11,
    ClusterKey.BODY_SENDER_DOMAIN: 12,
    ClusterKey.SUBJECT_SENDER_DOMAIN: 13,
    ClusterKey.SUBJECT_SENDER_IP: 14,
}
LOCATION_CODES: dict[DeliveryLocation, int] = {
    DeliveryLocation.UNKNOWN: 0,
    DeliveryLocation.INBOX: 1,
    DeliveryLocation.EXTERNAL: 2,
    DeliveryLocation.JUNK_FOLDER: 3,
    DeliveryLocation.QUARANTINE: 4,
    DeliveryLocation.FAILED: 5,
    DeliveryLocation.DROPPED: 6,
    DeliveryLocation.DELETED_FOLDER: 7,
    DeliveryLocation.FORWARDED: 8,
}
ACTION_CODES: dict[DeliveryAction, int] = {
    DeliveryAction.UNKNOWN: 0,
    DeliveryAction.DELIVERED: 1,
    DeliveryAction.DELIVERED_AS_SPAM: 2,
    DeliveryAction.JUNKED: 3,
    DeliveryAction.BLOCKED: 4,
    DeliveryAction.REPLACED: 5,
}
MAX_KEY_VALUE = 320  # longer values (long URLs) are stored as "sha256:<hex>" of the value

email_messages = Table(
    "email_messages",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("network_message_id", String(256), nullable=False, unique=True),
    Column("internet_message_id", String(998)),
    Column("received_at", DateTime, nullable=False),
    Column("ingested_at", DateTime, nullable=False),
    Column("subject", Text, nullable=False),
    Column("sender_from_address", String(320)),
    Column("sender_display_name", String(512)),
    Column("sender_mail_from_address", String(320)),
    Column("sender_ip", String(64)),
    Column("direction", String(16), nullable=False),
    Column("delivery_action", String(32), nullable=False),
    Column("delivery_location", String(32), nullable=False),
    Column("subject_fingerprint", String(128)),
    Column("body_fingerprint", String(128)),
    Column("language", String(32)),
    # Lists and nested values: recipients, replyTo, urls, attachments, authentication, headers,
    # parseErrors. Bodies and attachment payloads are never stored.
    Column("document", Text, nullable=False),
    Index("ix_email_messages_internet_message_id", "internet_message_id"),
    Index("ix_email_messages_received_at", "received_at"),
)

email_message_keys = Table(
    "email_message_keys",
    metadata,
    Column("kind", SmallInteger, nullable=False),
    Column("value", String(MAX_KEY_VALUE), nullable=False),
    Column("received_us", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("location", SmallInteger, nullable=False),
    Column("action", SmallInteger, nullable=False),
    # PostgreSQL keeps rows in a heap: INCLUDE lets a vacuumed table count a cluster by
    # location and action from the index alone (100,000 members: 0.69 s → 0.06 s at 1M).
    PrimaryKeyConstraint(
        "kind", "value", "received_us", "message_id", postgresql_include=["location", "action"]
    ),
    sqlite_with_rowid=False,
)

url_clicks = Table(
    "url_clicks",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("click_id", String(128), nullable=False, unique=True),
    Column("user_id", String(320), nullable=False),
    Column("url", Text, nullable=False),
    Column("url_key", String(MAX_KEY_VALUE), nullable=False),
    Column("action", String(32), nullable=False),
    Column("app_name", String(256)),
    Column("network_message_id", String(256)),
    Column("user_ip", String(64)),
    Column("clicked_at", DateTime, nullable=False),
    Index("ix_url_clicks_url_key", "url_key", "clicked_at"),
    Index("ix_url_clicks_user_id", "user_id", "clicked_at"),
    Index("ix_url_clicks_network_message_id", "network_message_id"),
    Index("ix_url_clicks_clicked_at", "clicked_at"),
)

endpoint_events = Table(
    "endpoint_events",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("event_id", String(128), nullable=False, unique=True),
    Column("device_id", String(128), nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("action_type", String(64), nullable=False),
    Column("sha256", String(64)),
    Column("document", Text, nullable=False),  # the event in its ingest format
    Index("ix_endpoint_events_device_id", "device_id", "occurred_at"),
    Index(
        "ix_endpoint_events_sha256",
        "sha256",
        "occurred_at",
        sqlite_where=text("sha256 IS NOT NULL"),
        postgresql_where=text("sha256 IS NOT NULL"),
    ),
    Index("ix_endpoint_events_occurred_at", "occurred_at"),
)

# Which devices saw which file hash: fleet prevalence reads one short range even for a hash
# (/bin/sh) in millions of events. Counts only events inserted (re-sent ids are skipped).
file_sightings = Table(
    "file_sightings",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("device_id", String(128), primary_key=True),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("event_count", Integer, nullable=False),
    Index("ix_file_sightings_last_seen", "last_seen"),
    sqlite_with_rowid=False,
)

telemetry_devices = Table(
    "telemetry_devices",
    metadata,
    Column("device_id", String(128), primary_key=True),
    Column("device_name", String(256)),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Index("ix_telemetry_devices_last_seen", "last_seen"),
)

sign_ins = Table(
    "sign_ins",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("sign_in_id", String(128), nullable=False, unique=True),
    Column("user_principal_name", String(320), nullable=False),
    Column("signed_in_at", DateTime, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("error_code", Integer, nullable=False),
    Column("failure_reason", String(1024)),
    Column("ip_address", String(64)),
    Column("country", String(64)),
    Column("state", String(256)),
    Column("city", String(256)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("application", String(256)),
    Column("client_app", String(256)),
    Column("user_agent", String(1024)),
    Column("device_id", String(128)),
    Column("device_name", String(256)),
    Column("operating_system", String(128)),
    Index("ix_sign_ins_user", "user_principal_name", "signed_in_at"),
    Index("ix_sign_ins_signed_in_at", "signed_in_at"),
)
