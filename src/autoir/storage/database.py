"""Engine creation and migrations."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from autoir.storage.checkpoints import AUTOCHECKPOINT_PAGES, WalCheckpointer

MIGRATIONS = Path(__file__).parent / "migrations"


def is_sqlite(url: str) -> bool:
    """True for SQLite URLs."""
    return url.startswith("sqlite")


def create_database_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and NORMAL sync."""
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": 30,
                "factory": QueuedWriterConnection,
            },
        )
        writer_lock = _writer_lock(url)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:  # noqa: ANN401
            # Python's sqlite3 opens transactions lazily; take them at BEGIN so that concurrent
            # writers queue on busy_timeout instead of failing on lock upgrade.
            dbapi_connection.isolation_level = None
            dbapi_connection.writer_lock = writer_lock
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # Random-keyed indexes (GUID ids, hashes) touch pages all over the file; the default
            # 2 MiB page cache made every ingest batch re-read them.
            cursor.execute("PRAGMA cache_size=-131072")
            cursor.execute(
                "PRAGMA mmap_size=1073741824"
            )  # address space only; pages stay in the OS cache
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:  # noqa: ANN401
            if conn.info.get("autoir_read_only", False):
                conn.exec_driver_sql("BEGIN")
                return
            dbapi_connection = conn.connection.dbapi_connection
            dbapi_connection.wait_for_writer_lock()
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                dbapi_connection.hand_over_writer_lock()
                raise

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()
WRITER_WAIT_SECONDS = 30.0  # as SQLite's busy_timeout, after which SQLite's own waiting applies


def _writer_lock(url: str) -> threading.Lock:
    """One lock per database file for all engines of this process."""
    database = make_url(url).database or ""
    key = str(Path(database).resolve()) if database and database != ":memory:" else url
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(key, threading.Lock())


class QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection whose write transactions queue on an in-process lock.

    SQLite's busy handler polls a locked database with sleeps of up to 100 ms, so a second
    ingest client sat idle long after the first had committed (two clients ingested less than
    one). Writers of this process queue on a lock instead, taken before ``BEGIN IMMEDIATE``
    and handed over as soon as COMMIT or ROLLBACK has run; SQLite's busy timeout still orders
    writers of other processes.
    """

    writer_lock: threading.Lock | None = None
    holds_writer_lock = False

    def wait_for_writer_lock(self) -> None:
        """Queue behind this process's other writers (at most ``WRITER_WAIT_SECONDS``)."""
        if self.writer_lock is not None and not self.holds_writer_lock:
            self.holds_writer_lock = self.writer_lock.acquire(timeout=WRITER_WAIT_SECONDS)

    def hand_over_writer_lock(self) -> None:
        """Let the next writer of this process begin."""
        if self.holds_writer_lock and self.writer_lock is not None:
            self.holds_writer_lock = False
            self.writer_lock.release()

    def commit(self) -> None:
        """Commit, then hand the writer lock over."""
        try:
            super().commit()
        finally:
            self.hand_over_writer_lock()

    def rollback(self) -> None:
        """Roll back, then hand the writer lock over."""
        try:
            super().rollback()
        finally:
            self.hand_over_writer_lock()

    def close(self) -> None:
        """Close, then hand the writer lock over."""
        try:
            super().close()
        finally:
            self.hand_over_writer_lock()


def start_checkpointer(url: str) -> WalCheckpointer | None:
    """For a SQLite file database, start background WAL checkpoints; otherwise None."""
    database = make_url(url).database
    if not is_sqlite(url) or not database or database == ":memory:":
        return None
    checkpointer = WalCheckpointer(Path(database))
    checkpointer.start()
    return checkpointer


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration bound to an engine (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def pending_migrations(engine: Engine) -> bool:
    """True when the database is not at the latest migration (or not migrated at all)."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return set(current) != set(script.get_heads())


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def to_db_time(value: datetime) -> datetime:
    """Aware datetime → naive UTC for storage."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def from_db_time(value: datetime) -> datetime:
    """Stored naive UTC → aware UTC."""
    return value.replace(tzinfo=UTC)


def from_db_time_opt(value: datetime | None) -> datetime | None:
    """Like :func:`from_db_time`, passing None through."""
    return None if value is None else value.replace(tzinfo=UTC)
