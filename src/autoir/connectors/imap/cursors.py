"""Scan cursors: per (mailbox, folder), the folder's UIDVALIDITY and the last UID accepted.

A cursor is written after the sink accepted a batch (its highest UID) and once more when a
folder was read to its end (the folder's UIDNEXT - 1: UIDs below it that were never handed were
expunged before the scan reached them). It lives in ``imap-cursors.sqlite3`` in the connector's
state dir, so a new scanner on the same dir goes on where the last one stopped.

Folders are keyed by their name on the server (modified UTF-7, the server's delimiter), which
does not depend on how AutoIR names them; mailboxes by their lower-case address.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS imap_cursor (
    mailbox TEXT NOT NULL,
    folder TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    last_uid INTEGER NOT NULL,
    PRIMARY KEY (mailbox, folder)
);
"""


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a folder's scan stands: every UID up to ``last_uid`` was accepted."""

    uid_validity: int
    last_uid: int


class CursorStore:
    """SQLite file ``imap-cursors.sqlite3`` in ``state_dir`` (thread-safe)."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(state_dir / "imap-cursors.sqlite3", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = WAL")
        # A commit lost to a power cut only re-delivers a batch (at least once): no fsync each.
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._db.close()

    def get(self, mailbox: str, folder: str) -> Cursor | None:
        """The cursor of ``folder`` (server name) of ``mailbox``; None before its first scan."""
        with self._lock:
            row = self._db.execute(
                "SELECT uid_validity, last_uid FROM imap_cursor WHERE mailbox = ? AND folder = ?",
                (mailbox.lower(), folder),
            ).fetchone()
        return Cursor(int(row[0]), int(row[1])) if row is not None else None

    def put(self, mailbox: str, folder: str, cursor: Cursor) -> None:
        """Keep ``cursor`` (committed before returning)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO imap_cursor (mailbox, folder, uid_validity, last_uid) "
                "VALUES (?, ?, ?, ?)",
                (mailbox.lower(), folder, cursor.uid_validity, cursor.last_uid),
            )
