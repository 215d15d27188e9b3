"""The click-time URL block list: one row per (action, blocked URL), kept after removal.

Same MetaData as ``tables.py``; times are naive UTC. A row is active while ``removed_at`` is
NULL; unblocking stamps ``removed_at`` and ``removed_by_action`` instead of deleting, so the
list's latest change (the RPZ serial) and its history stay readable.

``url_key`` is what lookups use: ``url:<prefix>`` for a URL-scope block (``prefix`` is the URL
without scheme, port and fragment: ``host/path[?query]``) and ``domain:<host>`` for a
domain-scope block, or ``sha256:<hex>`` of that text when it is longer than 320 characters
(B-tree entries stay small on PostgreSQL). A click looks up the keys of every prefix of its URL
and of its host's parent domains, so matching is a handful of index probes and never a scan.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text, text

from autoir.storage.tables import metadata

MAX_URL_KEY = 320
_ACTIVE = text("removed_at IS NULL")
_REMOVED = text("removed_at IS NOT NULL")

url_blocks = Table(
    "url_blocks",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("url", Text, nullable=False),
    Column("url_key", String(MAX_URL_KEY), nullable=False),
    Column("host", String(253), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("prefix", Text, nullable=False),
    Column("action_id", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(256)),
    Column("removed_at", DateTime),
    Column("removed_by_action", String(64)),
    # Idempotency: one row per action and URL, whatever its state.
    Index("uq_url_blocks_action_url", "action_id", "url_key", unique=True),
    Index(
        "ix_url_blocks_active_url_key",
        "url_key",
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    ),
    Index("ix_url_blocks_active_host", "host", sqlite_where=_ACTIVE, postgresql_where=_ACTIVE),
    Index("ix_url_blocks_created_at", "created_at"),
    Index(
        "ix_url_blocks_removed_at",
        "removed_at",
        sqlite_where=_REMOVED,
        postgresql_where=_REMOVED,
    ),
)
