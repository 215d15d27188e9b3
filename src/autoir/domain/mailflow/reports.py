"""A user's report read: who reported, and the reported messages (bytes or Message-IDs)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Report:
    """A report mail read: who sent it, the reported messages' bytes, or their Message-IDs."""

    reporter: str | None
    """The report's sender (``From:``), lower-case."""
    attached: tuple[bytes, ...] = field(default=(), repr=False)
    """Raw bytes of each reported message attached to the report."""
    referenced_ids: tuple[str, ...] = ()
    """Internet message ids (``<…>``) the report names when it attaches nothing."""
