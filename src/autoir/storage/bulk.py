"""Bulk inserts through the database driver.

SQLAlchemy's per-row parameter processing cost more than the database's own work on ingest
batches; the alert and entity inserts go through the driver with values already in the driver's
form: ``executemany`` on SQLite (times in SQLAlchemy's storage format, so that both paths
compare equal), ``COPY … FROM STDIN`` on PostgreSQL, where one INSERT per row kept the server
busy planning 30,000 statements per 5,000 alerts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Connection,
    DateTime,
    FromClause,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Values,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    values,
)
from sqlalchemy.types import TypeEngine

from autoir.storage.database import to_db_time


def sqlite_time(value: datetime) -> str:
    """Naive UTC datetime in SQLAlchemy's SQLite format (always with microseconds)."""
    return value.isoformat(sep=" ", timespec="microseconds")


def _sqlite_time_of(value: datetime) -> str:
    if value.tzinfo is UTC:  # as parsed timestamps are: drop the "+00:00"
        return value.isoformat(sep=" ", timespec="microseconds")[:26]
    return sqlite_time(to_db_time(value))


def driver_time(connection: Connection) -> Callable[[datetime], object]:
    """How :func:`bulk_insert` wants a datetime (aware or naive UTC) for this connection.

    SQLite: text in SQLAlchemy's storage format, so that rows written here and through
    SQLAlchemy compare equal; PostgreSQL: a naive UTC datetime.
    """
    return _sqlite_time_of if connection.dialect.name == "sqlite" else to_db_time


def bulk_insert(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
    *,
    driver_values: bool = False,
) -> None:
    """Insert rows (tuples in ``columns`` order); datetimes must be naive UTC.

    With ``driver_values``, the rows already hold what the driver takes (times from
    :func:`driver_time`) and are passed on untouched; on PostgreSQL they then go through a
    binary COPY, so each value must be exactly its column's Python type (str, int, bool, naive
    datetime or None): text COPY spent a third of the client's time escaping alert documents.
    """
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, rows, binary=driver_values)
        return
    if connection.dialect.name == "sqlite" and not driver_values:
        rows = _with_sqlite_times(table, columns, rows)
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join(mark for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608 - names from our schema
    connection.exec_driver_sql(sql, list(rows))


def _with_sqlite_times(
    table: Table, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> list[tuple[object, ...]]:
    """Rows with their DateTime columns as SQLite text; only those columns are looked at.

    Converting every value of every row cost a fifth of ingest time.
    """
    positions = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, DateTime)]
    texts: dict[datetime, str] = {}  # an alert's entity rows share its timestamp
    converted = []
    for row in rows:
        values_ = list(row)
        for i in positions:
            value = values_[i]
            if isinstance(value, datetime):
                text = texts.get(value)
                if text is None:
                    text = texts[value] = sqlite_time(value)
                values_[i] = text
        converted.append(tuple(values_))
    return converted


# Binary COPY type names by SQLAlchemy type, most specific first.
_BINARY_TYPES: tuple[tuple[type[TypeEngine[Any]], str], ...] = (
    (Boolean, "bool"),
    (SmallInteger, "int2"),
    (BigInteger, "int8"),
    (Integer, "int4"),
    (DateTime, "timestamp"),
    (Text, "text"),
    (String, "varchar"),
)


def binary_copy_types(table: Table, columns: Sequence[str]) -> list[str]:
    """PostgreSQL type names for a binary COPY of ``columns`` (psycopg ``Copy.set_types``)."""
    return [_binary_type(table, name) for name in columns]


def _binary_type(table: Table, name: str) -> str:
    column_type = table.c[name].type
    for sql_type, pg_type in _BINARY_TYPES:
        if isinstance(column_type, sql_type):
            return pg_type
    raise TypeError(f"no binary COPY type for {table.name}.{name} ({column_type})")


def _copy(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
    *,
    binary: bool,
) -> None:
    names = ", ".join(f'"{name}"' for name in columns)
    driver = connection.connection.driver_connection
    assert driver is not None
    options = " (FORMAT BINARY)" if binary else ""
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN{options}') as copy,
    ):
        if binary:
            copy.set_types(binary_copy_types(table, columns))
        for row in rows:
            copy.write_row(row)


def key_table(
    connection: Connection, name: str, columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> FromClause:
    """Rows of string keys as a table ``name(columns…)`` to join against, bound as one parameter.

    The rows travel as one JSON array (``json_array_elements`` on PostgreSQL, ``json_each`` on
    SQLite), so the statement text is the same for any number of keys: it is compiled and
    cached once, where a literal ``VALUES`` list or ``IN (…)`` made SQLAlchemy and the driver
    render and parse thousands of parameters on every ingest batch (two fifths of PostgreSQL
    ingest time; psycopg's Python array dumper still cost 7 %), and there is no parameter limit
    to chunk around.
    Join from this table to the indexed one (SQLite's planner scans ``json_each`` first and
    probes the index per key; on PostgreSQL, fence the probe with ``LATERAL … LIMIT`` or
    aggregate, see ADR 2, so that missing statistics cannot turn it into a hash join).
    """
    data = orjson.dumps(rows if isinstance(rows, list | tuple) else list(rows)).decode()
    fields: list[ColumnElement[Any]]
    if connection.dialect.name == "postgresql":
        elements = func.json_array_elements(
            cast(bindparam(f"{name}_json", data), JSON)
        ).table_valued("value", name=f"{name}_json")
        fields = [elements.c.value.op("->>")(literal_column(str(i))) for i in range(len(columns))]
    else:
        elements = func.json_each(bindparam(f"{name}_json", data)).table_valued(
            "value", name=f"{name}_json"
        )
        fields = [
            func.json_extract(elements.c.value, literal_column(f"'$[{i}]'"))
            for i in range(len(columns))
        ]
    return select(
        *(field.label(column_name) for field, column_name in zip(fields, columns, strict=True))
    ).subquery(name)


def values_table(
    connection: Connection, name: str, column_name: str, items: Sequence[str]
) -> Values | None:
    """On PostgreSQL, a ``(VALUES …) AS name(column)`` to join against instead of ``IN (…)``.

    With statistics not yet caught up on a fast-growing table, PostgreSQL compared every row
    against a long ``IN`` list (a sequential scan, 0.8 s per ingest lookup at 60,000 alerts); a
    join lets it hash or use the index whatever the statistics say. SQLite (no column aliases on
    VALUES, and good plans for ``IN``) gets None: use ``IN``. For long lists prefer
    :func:`key_table`, which binds one parameter instead of rendering every item.
    """
    if connection.dialect.name != "postgresql":
        return None
    return values(column(column_name, String), name=name).data([(item,) for item in items])
