"""System clock and random ids."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import UTC, datetime


class SystemClock:
    """The wall clock, UTC."""

    def now(self) -> datetime:
        """Current time."""
        return datetime.now(UTC)


class RandomIds:
    """Time-ordered GUIDs and random tokens."""

    def guid(self) -> str:
        """A new GUID laid out as UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then 74 random bits.

        Ids that grow with time keep every index keyed on them append-only; random (v4) ids
        made each ingest batch rewrite pages all over those indexes.
        """
        millis = time.time_ns() // 1_000_000
        rand = int.from_bytes(secrets.token_bytes(10), "big")
        value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64
        value |= 0b10 << 62 | (rand & ((1 << 62) - 1))
        return str(uuid.UUID(int=value))

    def token(self) -> str:
        """A 256-bit URL-safe secret."""
        return secrets.token_urlsafe(32)
