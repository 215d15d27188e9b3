"""Bulk inserts through the database driver's ``executemany``.

SQLAlchemy's per-row parameter processing cost more than the database's own work on ingest
batches; the alert and entity inserts go through the driver with values already in the driver's
form. SQLite times use SQLAlchemy's storage format so that both paths compare equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Table


def sqlite_time(value: datetime) -> str:
    """Naive UTC datetime in SQLAlchemy's SQLite format (always with microseconds)."""
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:"
        f"{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


def bulk_insert(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> None:
    """Insert rows (tuples in ``columns`` order); datetimes must be naive UTC."""
    if not rows:
        return
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        rows = [
            tuple(sqlite_time(v) if isinstance(v, datetime) else v for v in row) for row in rows
        ]
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join(mark for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608 - names from our schema
    connection.exec_driver_sql(sql, list(rows))
