"""The worker loop: threads that take messages from Huey and run them, plus a periodic sweep.

The same loop runs inside ``autoir serve`` (embedded) and in ``autoir worker`` processes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from huey.api import Huey

log = logging.getLogger("autoir.worker")


class Worker:
    """``threads`` consumers and one scheduler that calls ``sweep`` every ``sweep_interval``."""

    def __init__(
        self,
        huey: Huey,
        *,
        threads: int,
        sweep: Callable[[], None],
        sweep_interval: float = 5.0,
        idle_wait: float = 0.2,
    ) -> None:
        """Prepare, do not start."""
        self._huey = huey
        self._threads = threads
        self._sweep = sweep
        self._sweep_interval = sweep_interval
        self._idle_wait = idle_wait
        self._stop = threading.Event()
        self._running: list[threading.Thread] = []

    def start(self) -> None:
        """Start the consumer threads and the scheduler."""
        for number in range(self._threads):
            thread = threading.Thread(
                target=self._consume, name=f"autoir-worker-{number}", daemon=True
            )
            thread.start()
            self._running.append(thread)
        scheduler = threading.Thread(target=self._schedule, name="autoir-scheduler", daemon=True)
        scheduler.start()
        self._running.append(scheduler)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask every thread to stop after its current task and wait for them."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._running:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._running.clear()

    def wait(self) -> None:
        """Block until :meth:`stop` is called (for the ``autoir worker`` foreground process)."""
        while not self._stop.wait(0.5):
            pass

    def _consume(self) -> None:
        while not self._stop.is_set():
            try:
                task = self._huey.dequeue()
            except Exception:
                log.exception("The task queue cannot be read; retrying")
                self._stop.wait(1.0)
                continue
            if task is None:
                self._stop.wait(self._idle_wait)
                continue
            try:
                self._huey.execute(task)
            except Exception:
                log.exception("Task %s failed", task.name)

    def _schedule(self) -> None:
        while not self._stop.is_set():
            try:
                self._sweep()
                for task in self._huey.read_schedule():
                    self._huey.enqueue(task)
            except Exception:
                log.exception("Sweep failed; retrying at the next interval")
            self._stop.wait(self._sweep_interval)
