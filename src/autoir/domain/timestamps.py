"""ISO 8601 timestamps as Graph writes them (UTC, ``Z``, up to 7 fractional digits)."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_timestamp(raw: str) -> datetime | None:
    """Parse an ISO 8601 date or date-time; naive values are taken as UTC. None if invalid."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_timestamp(value: datetime | None) -> str | None:
    """Format as ``2024-01-02T03:04:05.123456Z`` (UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.astimezone(UTC).isoformat(timespec="microseconds")
    return text.replace("+00:00", "Z")
