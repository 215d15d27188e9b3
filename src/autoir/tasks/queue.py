"""Huey as AutoIR's task engine: SQLite storage embedded, Redis storage for scale-out (ADR 0007).

Messages only say "advance investigation X", "execute action Y" or "sweep"; the database holds
all state, so a message lost with a dying worker costs a delay (the sweeper re-sends it), never
work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from huey import RedisHuey, SqliteHuey
from huey.api import Huey

ADVANCE = "autoir.advance_investigation"
SWEEP = "autoir.sweep"
EXECUTE = "autoir.execute_action"


def create_huey(broker_url: str | None, data_dir: Path) -> Huey:
    """Redis when ``broker_url`` is a redis:// URL, else a SQLite file in the data directory."""
    if broker_url and broker_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("autoir", url=broker_url, results=False)
    if broker_url:
        msg = f"AUTOIR_TASK_BROKER must be a redis:// URL or empty, not {broker_url!r}"
        raise ValueError(msg)
    data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("autoir", filename=str(data_dir / "tasks.db"), results=False)


@dataclass(slots=True)
class Handlers:
    """What the tasks do, bound once the services exist."""

    advance: Callable[[str], None]
    sweep: Callable[[], None]
    execute: Callable[[str], None]


class HueyTaskQueue:
    """Implements ``autoir.ports.task_queue.TaskQueue``."""

    def __init__(self, huey: Huey) -> None:
        """Register AutoIR's tasks on ``huey``."""
        self.huey = huey
        self._handlers: Handlers | None = None
        self._advance = huey.task(name=ADVANCE, retries=2, retry_delay=5)(self._run_advance)
        self._sweep = huey.task(name=SWEEP)(self._run_sweep)
        self._execute = huey.task(name=EXECUTE)(self._run_execute)

    def bind(self, handlers: Handlers) -> None:
        """Attach the handlers (bootstrap does this after building the services)."""
        self._handlers = handlers

    def enqueue_advance(self, investigation_id: str) -> None:
        """Ask a worker to advance an investigation."""
        self._advance(investigation_id)

    def enqueue_actions(self, action_ids: Sequence[str]) -> None:
        """Ask workers to execute approved actions."""
        for action_id in action_ids:
            self._execute(action_id)

    def enqueue_sweep(self) -> None:
        """Ask a worker to triage new alerts and re-send abandoned work."""
        self._sweep()

    def pending(self) -> int:
        """Messages waiting in the queue."""
        return int(self.huey.pending_count())

    def _run_advance(self, investigation_id: str) -> None:
        assert self._handlers is not None, "handlers are bound at start-up"
        self._handlers.advance(investigation_id)

    def _run_execute(self, action_id: str) -> None:
        assert self._handlers is not None, "handlers are bound at start-up"
        self._handlers.execute(action_id)

    def _run_sweep(self) -> None:
        assert self._handlers is not None, "handlers are bound at start-up"
        self._handlers.sweep()
