"""Suppression rules (issue 7): the rule's JSON document plus the columns ingest reads.

Same MetaData as ``tables.py``; times are naive UTC. ``document`` holds the rule in its API
shape (``domain/suppression/rule.py``); ``enabled`` and ``expires_at`` are copies for listing.
``match_count`` and ``last_match_at`` are updated by ingest, once per batch and rule. Alerts
point at their rule through ``alerts.suppression_rule_id`` (no foreign key: a deleted rule's
hidden alerts keep the id, so they stay queryable).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, Text

from autoir.storage.tables import metadata

suppression_rules = Table(
    "suppression_rules",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("document", Text, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_by", String(256), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("match_count", Integer, nullable=False, default=0),
    Column("last_match_at", DateTime),
    # The rule set's version for the ingest cache: max(updated_at) and count(*) come from here.
    Index("ix_suppression_rules_updated_at", "updated_at"),
)
