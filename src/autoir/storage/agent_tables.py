"""Endpoint agents (issue 6): enrolment tokens and the enrolled-device inventory.

Same MetaData as ``tables.py``; times are naive UTC. Secrets are stored as their SHA-256
(``token_hash``, ``credential_hash``), never in clear. List columns are JSON text.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

from autoir.storage.tables import metadata

agent_enrollment_tokens = Table(
    "agent_enrollment_tokens",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_by", String(256), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("uses", Integer, nullable=False),
    Column("used", Integer, nullable=False, default=0),
    Column("revoked_at", DateTime),
    Column("last_used_at", DateTime),
)

agent_devices = Table(
    "agent_devices",
    metadata,
    Column("device_id", String(40), primary_key=True),
    Column("machine_id", String(128)),
    Column("credential_hash", String(64), nullable=False, unique=True),
    Column("hostname", String(256), nullable=False),
    Column("os_platform", String(256), nullable=False),
    Column("os_version", String(256)),
    Column("os_build", String(256)),
    Column("agent_version", String(256)),
    Column("ip_interfaces", Text, nullable=False, default="[]"),
    Column("logged_on_users", Text, nullable=False, default="[]"),
    Column("reported_health", String(32)),
    Column("last_ip", String(64)),
    Column("first_seen_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("enrolled_at", DateTime, nullable=False),
    Index("ix_agent_devices_last_seen_at", "last_seen_at"),
)
