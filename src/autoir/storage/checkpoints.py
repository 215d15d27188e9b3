"""Background WAL checkpoints for the embedded SQLite database.

With SQLite's automatic checkpoint, the commit that crosses the threshold copies the WAL into
the database and fsyncs both files: on ingest that was every batch, and about a tenth of its
time. A background thread checkpoints instead (PASSIVE: it never blocks writers or readers),
and the automatic threshold is raised so that it only acts if this thread cannot keep up.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

AUTOCHECKPOINT_PAGES = 50_000  # fallback threshold (~200 MiB of WAL) for the writer itself


class WalCheckpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval`` seconds until stopped."""

    def __init__(self, database: Path, interval: float = 1.0) -> None:
        self._database = database
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="autoir-wal-checkpoint", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        connection = sqlite3.connect(self._database, timeout=30, check_same_thread=False)
        try:
            while not self._stop.wait(self._interval):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    log.warning(
                        "WAL checkpoint failed; the writer's threshold still applies", exc_info=True
                    )
        finally:
            connection.close()
