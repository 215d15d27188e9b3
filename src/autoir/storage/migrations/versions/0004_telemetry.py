"""telemetry: email message events and cluster keys, URL clicks, endpoint events, devices,
file sightings, sign-ins

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_HAS_SHA = sa.text("sha256 IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "email_messages",
        sa.Column("id", _ROW_ID, autoincrement=True, nullable=False),
        sa.Column("network_message_id", sa.String(length=256), nullable=False),
        sa.Column("internet_message_id", sa.String(length=998), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("sender_from_address", sa.String(length=320), nullable=True),
        sa.Column("sender_display_name", sa.String(length=512), nullable=True),
        sa.Column("sender_mail_from_address", sa.String(length=320), nullable=True),
        sa.Column("sender_ip", sa.String(length=64), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("delivery_action", sa.String(length=32), nullable=False),
        sa.Column("delivery_location", sa.String(length=32), nullable=False),
        sa.Column("subject_fingerprint", sa.String(length=128), nullable=True),
        sa.Column("body_fingerprint", sa.String(length=128), nullable=True),
        sa.Column("language", sa.String(length=32), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_messages")),
        sa.UniqueConstraint(
            "network_message_id", name=op.f("uq_email_messages_network_message_id")
        ),
    )
    op.create_index(
        "ix_email_messages_internet_message_id", "email_messages", ["internet_message_id"]
    )
    op.create_index("ix_email_messages_received_at", "email_messages", ["received_at"])

    op.create_table(
        "email_message_keys",
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("received_us", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("location", sa.SmallInteger(), nullable=False),
        sa.Column("action", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind",
            "value",
            "received_us",
            "message_id",
            name=op.f("pk_email_message_keys"),
            postgresql_include=["location", "action"],
        ),
        sqlite_with_rowid=False,
    )

    op.create_table(
        "url_clicks",
        sa.Column("id", _ROW_ID, autoincrement=True, nullable=False),
        sa.Column("click_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=320), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("app_name", sa.String(length=256), nullable=True),
        sa.Column("network_message_id", sa.String(length=256), nullable=True),
        sa.Column("user_ip", sa.String(length=64), nullable=True),
        sa.Column("clicked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_url_clicks")),
        sa.UniqueConstraint("click_id", name=op.f("uq_url_clicks_click_id")),
    )
    op.create_index("ix_url_clicks_url_key", "url_clicks", ["url_key", "clicked_at"])
    op.create_index("ix_url_clicks_user_id", "url_clicks", ["user_id", "clicked_at"])
    op.create_index("ix_url_clicks_network_message_id", "url_clicks", ["network_message_id"])
    op.create_index("ix_url_clicks_clicked_at", "url_clicks", ["clicked_at"])

    op.create_table(
        "endpoint_events",
        sa.Column("id", _ROW_ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("device_id", sa.String(length=128), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("action_type", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endpoint_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_endpoint_events_event_id")),
    )
    op.create_index("ix_endpoint_events_device_id", "endpoint_events", ["device_id", "occurred_at"])
    op.create_index(
        "ix_endpoint_events_sha256",
        "endpoint_events",
        ["sha256", "occurred_at"],
        sqlite_where=_HAS_SHA,
        postgresql_where=_HAS_SHA,
    )
    op.create_index("ix_endpoint_events_occurred_at", "endpoint_events", ["occurred_at"])

    op.create_table(
        "file_sightings",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=128), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "device_id", name=op.f("pk_file_sightings")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_file_sightings_last_seen", "file_sightings", ["last_seen"])

    op.create_table(
        "telemetry_devices",
        sa.Column("device_id", sa.String(length=128), nullable=False),
        sa.Column("device_name", sa.String(length=256), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_telemetry_devices")),
    )
    op.create_index("ix_telemetry_devices_last_seen", "telemetry_devices", ["last_seen"])

    op.create_table(
        "sign_ins",
        sa.Column("id", _ROW_ID, autoincrement=True, nullable=False),
        sa.Column("sign_in_id", sa.String(length=128), nullable=False),
        sa.Column("user_principal_name", sa.String(length=320), nullable=False),
        sa.Column("signed_in_at", sa.DateTime(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.String(length=1024), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=256), nullable=True),
        sa.Column("city", sa.String(length=256), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("application", sa.String(length=256), nullable=True),
        sa.Column("client_app", sa.String(length=256), nullable=True),
        sa.Column("user_agent", sa.String(length=1024), nullable=True),
        sa.Column("device_id", sa.String(length=128), nullable=True),
        sa.Column("device_name", sa.String(length=256), nullable=True),
        sa.Column("operating_system", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_ins")),
        sa.UniqueConstraint("sign_in_id", name=op.f("uq_sign_ins_sign_in_id")),
    )
    op.create_index("ix_sign_ins_user", "sign_ins", ["user_principal_name", "signed_in_at"])
    op.create_index("ix_sign_ins_signed_in_at", "sign_ins", ["signed_in_at"])


def downgrade() -> None:
    for table in (
        "sign_ins",
        "telemetry_devices",
        "file_sightings",
        "endpoint_events",
        "url_clicks",
        "email_message_keys",
        "email_messages",
    ):
        op.drop_table(table)
