"""The idempotency record: what each action did to each copy, kept in SQLite.

One row per (action id, position of the ref) once that copy's outcome is known, a row for the
folder a copy was in before the action touched it (written before the change), and a row when
the whole action finished. It lives in a file in the connector's state dir, so a repeated action
id returns the first outcomes after a process restart too, and an action cut short (a crash, the
server restarting) resumes at the first copy without an outcome.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from autoir.ports.remediation import MessageOutcome, MessageRef, MessageStatus

_SCHEMA = """
CREATE TABLE IF NOT EXISTS imap_action (
    action_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS imap_outcome (
    action_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (action_id, position)
);
CREATE TABLE IF NOT EXISTS imap_intent (
    action_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    folder_before TEXT NOT NULL,
    PRIMARY KEY (action_id, position)
);
"""


class Journal:
    """SQLite file ``imap-actions.sqlite3`` in ``state_dir``.

    Thread-safe: the workers of one apply (one per mailbox at once) write through one
    connection, one statement at a time.
    """

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(state_dir / "imap-actions.sqlite3", check_same_thread=False)
        # WAL: one fsync a commit instead of the rollback journal's several (two commits a copy
        # while a cluster action runs); FULL keeps each intent on disk before the move it
        # announces, also across a power cut.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    def start(self, action_id: str, operation: str) -> None:
        """Note that the action began (kept when it already had)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO imap_action (action_id, operation) VALUES (?, ?)",
                (action_id, operation),
            )

    def finished(self, action_id: str) -> list[MessageOutcome] | None:
        """The recorded outcomes of a finished action, None when it never finished."""
        with self._lock:
            row = self._db.execute(
                "SELECT finished FROM imap_action WHERE action_id = ?", (action_id,)
            ).fetchone()
        if row is None or not row[0]:
            return None
        return list(self.outcomes(action_id).values())

    def finish(self, action_id: str) -> None:
        """Mark the action finished: its outcomes are final."""
        with self._lock, self._db:
            self._db.execute(
                "UPDATE imap_action SET finished = 1 WHERE action_id = ?", (action_id,)
            )

    def outcomes(self, action_id: str) -> dict[int, MessageOutcome]:
        """The outcomes recorded so far, by position of the ref."""
        with self._lock:
            rows = self._db.execute(
                "SELECT position, outcome FROM imap_outcome WHERE action_id = ? ORDER BY position",
                (action_id,),
            ).fetchall()
        return {int(position): _decode(json.loads(text)) for position, text in rows}

    def record(self, action_id: str, position: int, outcome: MessageOutcome) -> None:
        """Keep one copy's outcome."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO imap_outcome (action_id, position, outcome) "
                "VALUES (?, ?, ?)",
                (action_id, position, json.dumps(outcome.to_json())),
            )

    def intend(self, action_id: str, position: int, folder_before: str) -> None:
        """Note where the copy is before changing it (read back by a resumed action)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO imap_intent (action_id, position, folder_before) "
                "VALUES (?, ?, ?)",
                (action_id, position, folder_before),
            )

    def intent(self, action_id: str, position: int) -> str | None:
        """The folder journaled by :meth:`intend`, None when the copy was never touched."""
        with self._lock:
            row = self._db.execute(
                "SELECT folder_before FROM imap_intent WHERE action_id = ? AND position = ?",
                (action_id, position),
            ).fetchone()
        return str(row[0]) if row is not None else None


def _decode(data: dict[str, object]) -> MessageOutcome:
    message = data["message"]
    assert isinstance(message, dict)
    return MessageOutcome(
        ref=MessageRef.from_json(message),
        status=MessageStatus(str(data["status"])),
        folder_before=_optional(data.get("folderBefore")),
        folder_after=_optional(data.get("folderAfter")),
        detail=str(data.get("detail") or ""),
        retained_copy=_optional(data.get("retainedCopy")),
    )


def _optional(value: object) -> str | None:
    return None if value is None else str(value)
