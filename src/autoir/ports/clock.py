"""Time and identity sources, injected so that services stay testable."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Current UTC time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware UTC."""
        ...


class IdGenerator(Protocol):
    """Random identifiers."""

    def guid(self) -> str:
        """A new random GUID in canonical form."""
        ...

    def token(self) -> str:
        """A new URL-safe secret with at least 256 bits of entropy."""
        ...
