"""System clock and random ids."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime


class SystemClock:
    """The wall clock, UTC."""

    def now(self) -> datetime:
        """Current time."""
        return datetime.now(UTC)


class RandomIds:
    """GUIDs from ``uuid4`` and tokens from ``secrets``."""

    def guid(self) -> str:
        """A new GUID."""
        return str(uuid.uuid4())

    def token(self) -> str:
        """A 256-bit URL-safe secret."""
        return secrets.token_urlsafe(32)
