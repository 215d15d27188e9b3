"""Task-queue port: messages say "advance investigation X"; the database holds the state."""

from __future__ import annotations

from typing import Protocol


class TaskQueue(Protocol):
    """Hands work to a free worker. Losing a message is harmless: the sweeper re-sends it."""

    def enqueue_advance(self, investigation_id: str) -> None:
        """Ask a worker to advance an investigation."""
        ...

    def enqueue_sweep(self) -> None:
        """Ask a worker to triage new alerts and re-send work whose worker died."""
        ...
