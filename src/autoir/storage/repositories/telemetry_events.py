"""SQL event telemetry: URL clicks, endpoint events (with devices and file sightings), sign-ins.

Events are immutable: an id that is already stored is skipped. On PostgreSQL new rows go through
``COPY`` into a session temporary table and ``INSERT … SELECT … ON CONFLICT DO NOTHING
RETURNING``, so concurrent batches carrying the same id never fail and the caller learns exactly
which rows were new; SQLite writers are serialised, so a lookup of the batch's ids suffices.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Table,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from autoir.domain.telemetry.clicks import UrlClick
from autoir.domain.telemetry.endpoint import EndpointEvent, EndpointEventKind
from autoir.domain.telemetry.fleet import Device, DeviceSighting
from autoir.domain.telemetry.kinds import TelemetryKind
from autoir.domain.telemetry.signins import SignIn
from autoir.ports.telemetry import WriteCounts
from autoir.storage.bulk import bulk_insert
from autoir.storage.database import from_db_time, to_db_time
from autoir.storage.repositories.telemetry_rows import (
    CLICK_COLUMNS,
    EVENT_COLUMNS,
    SIGN_IN_COLUMNS,
    click_from_row,
    click_row,
    event_from_row,
    event_row,
    index_value,
    sign_in_from_row,
    sign_in_row,
)
from autoir.storage.telemetry_tables import (
    endpoint_events,
    file_sightings,
    sign_ins,
    telemetry_devices,
    url_clicks,
)

_CHUNK = 500
c = url_clicks
e = endpoint_events
f = file_sightings
d = telemetry_devices
s = sign_ins
_TIME_COLUMNS = {
    TelemetryKind.URL_CLICKS: (c, c.c.clicked_at),
    TelemetryKind.ENDPOINT_EVENTS: (e, e.c.occurred_at),
    TelemetryKind.SIGN_INS: (s, s.c.signed_in_at),
}


def _window(column: Column[Any], since: datetime | None, until: datetime | None) -> list[Any]:
    conditions = []
    if since is not None:
        conditions.append(column >= to_db_time(since))
    if until is not None:
        conditions.append(column < to_db_time(until))
    return conditions


def _copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> None:
    """``COPY`` rows into a (staging) table on PostgreSQL."""
    names = ", ".join(f'"{name}"' for name in columns)
    driver = connection.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _upsert(connection: Connection, table: Table) -> Any:  # noqa: ANN401 - dialect Insert
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class SqlEventTelemetry:
    """Clicks, endpoint events, devices, file sightings and sign-ins."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    @property
    def _postgres(self) -> bool:
        return self._c.dialect.name == "postgresql"

    def _insert_new(
        self, table: Table, columns: Sequence[str], rows: list[tuple[object, ...]]
    ) -> list[tuple[object, ...]]:
        """Insert the rows whose id (first column) is not stored yet; return those rows."""
        firsts: dict[object, tuple[object, ...]] = {}
        for row in rows:
            firsts.setdefault(row[0], row)  # an id repeated in the batch: its first copy wins
        rows = list(firsts.values())
        if not rows:
            return []
        id_column = table.c[columns[0]]
        if self._postgres:
            return self._insert_new_postgres(table, columns, rows)
        ids = [row[0] for row in rows]
        stored: set[object] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            stored.update(self._c.execute(select(id_column).where(id_column.in_(chunk))).scalars())
        new = [row for row in rows if row[0] not in stored]
        bulk_insert(self._c, table, columns, new)
        return new

    def _insert_new_postgres(
        self, table: Table, columns: Sequence[str], rows: list[tuple[object, ...]]
    ) -> list[tuple[object, ...]]:
        staging = f"staging_{table.name}"
        names = ", ".join(f'"{name}"' for name in columns)
        self._c.exec_driver_sql(
            f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" ON COMMIT DELETE ROWS AS '  # noqa: S608 - names from our schema
            f'SELECT {names} FROM "{table.name}" WITH NO DATA'
        )
        _copy_rows(self._c, staging, columns, rows)
        inserted = set(
            self._c.exec_driver_sql(
                f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}" '  # noqa: S608
                f'ON CONFLICT ("{columns[0]}") DO NOTHING RETURNING "{columns[0]}"'
            ).scalars()
        )
        self._c.exec_driver_sql(f'TRUNCATE "{staging}"')
        return [row for row in rows if row[0] in inserted]

    def store_url_clicks(self, clicks: Sequence[UrlClick]) -> WriteCounts:
        new = self._insert_new(c, CLICK_COLUMNS, [click_row(click) for click in clicks])
        return WriteCounts(created=len(new), unchanged=len(clicks) - len(new))

    def store_endpoint_events(self, events: Sequence[EndpointEvent]) -> WriteCounts:
        new = self._insert_new(e, EVENT_COLUMNS, [event_row(ev) for ev in events])
        new_ids = {row[0] for row in new}
        fresh: dict[str, EndpointEvent] = {}
        for ev in events:
            if ev.id in new_ids:
                fresh.setdefault(ev.id, ev)
        self._note_devices(list(fresh.values()))
        self._note_sightings(list(fresh.values()))
        return WriteCounts(created=len(new), unchanged=len(events) - len(new))

    def _note_devices(self, events: list[EndpointEvent]) -> None:
        seen: dict[str, tuple[str | None, datetime, datetime]] = {}
        for ev in sorted(events, key=lambda x: x.time):
            name, first, last = seen.get(ev.device_id, (None, ev.time, ev.time))
            seen[ev.device_id] = (ev.device_name or name, min(first, ev.time), max(last, ev.time))
        rows = [
            {
                "device_id": device,
                "device_name": name,
                "first_seen": to_db_time(first),
                "last_seen": to_db_time(last),
            }
            for device, (name, first, last) in sorted(seen.items())
        ]
        lower, upper = (func.least, func.greatest) if self._postgres else (func.min, func.max)
        for start in range(0, len(rows), _CHUNK):
            stmt = _upsert(self._c, d).values(rows[start : start + _CHUNK])
            stmt = stmt.on_conflict_do_update(
                index_elements=[d.c.device_id],
                set_={
                    "device_name": func.coalesce(stmt.excluded.device_name, d.c.device_name),
                    "first_seen": lower(d.c.first_seen, stmt.excluded.first_seen),
                    "last_seen": upper(d.c.last_seen, stmt.excluded.last_seen),
                },
            )
            self._c.execute(stmt)

    def _note_sightings(self, events: list[EndpointEvent]) -> None:
        seen: dict[tuple[str, str], tuple[datetime, datetime, int]] = {}
        for ev in events:
            sha = ev.sha256
            if sha is None:
                continue
            first, last, count = seen.get((sha, ev.device_id), (ev.time, ev.time, 0))
            seen[(sha, ev.device_id)] = (min(first, ev.time), max(last, ev.time), count + 1)
        rows = [
            {
                "sha256": sha,
                "device_id": device,
                "first_seen": to_db_time(first),
                "last_seen": to_db_time(last),
                "event_count": count,
            }
            for (sha, device), (first, last, count) in sorted(seen.items())
        ]
        lower, upper = (func.least, func.greatest) if self._postgres else (func.min, func.max)
        for start in range(0, len(rows), _CHUNK):
            stmt = _upsert(self._c, f).values(rows[start : start + _CHUNK])
            stmt = stmt.on_conflict_do_update(
                index_elements=[f.c.sha256, f.c.device_id],
                set_={
                    "first_seen": lower(f.c.first_seen, stmt.excluded.first_seen),
                    "last_seen": upper(f.c.last_seen, stmt.excluded.last_seen),
                    "event_count": f.c.event_count + stmt.excluded.event_count,
                },
            )
            self._c.execute(stmt)

    def store_sign_ins(self, sign_ins_: Sequence[SignIn]) -> WriteCounts:
        new = self._insert_new(s, SIGN_IN_COLUMNS, [sign_in_row(x) for x in sign_ins_])
        return WriteCounts(created=len(new), unchanged=len(sign_ins_) - len(new))

    def _clicks(
        self,
        condition: ColumnElement[bool],
        since: datetime | None,
        until: datetime | None,
        limit: int,
    ) -> list[UrlClick]:
        rows = self._c.execute(
            select(c)
            .where(condition, *_window(c.c.clicked_at, since, until))
            .order_by(c.c.clicked_at.desc(), c.c.id.desc())
            .limit(limit)
        )
        return [click_from_row(row) for row in rows]

    def clicks_by_url(
        self, url: str, since: datetime | None, until: datetime | None, limit: int
    ) -> list[UrlClick]:
        return self._clicks(c.c.url_key == index_value(url), since, until, limit)

    def clicks_by_user(
        self, user: str, since: datetime | None, until: datetime | None, limit: int
    ) -> list[UrlClick]:
        return self._clicks(c.c.user_id == user, since, until, limit)

    def clicks_by_message(self, network_message_id: str, limit: int) -> list[UrlClick]:
        return self._clicks(c.c.network_message_id == network_message_id, None, None, limit)

    def device_events(
        self,
        device_id: str,
        since: datetime | None,
        until: datetime | None,
        kinds: Sequence[EndpointEventKind],
        limit: int,
    ) -> list[EndpointEvent]:
        stmt = select(e).where(e.c.device_id == device_id, *_window(e.c.occurred_at, since, until))
        if kinds:
            stmt = stmt.where(e.c.kind.in_([kind.value for kind in kinds]))
        rows = self._c.execute(stmt.order_by(e.c.occurred_at.desc(), e.c.id.desc()).limit(limit))
        return [event_from_row(row) for row in rows]

    def events_by_sha256(
        self, sha256: str, since: datetime | None, until: datetime | None, limit: int
    ) -> list[EndpointEvent]:
        rows = self._c.execute(
            select(e)
            .where(e.c.sha256 == sha256, *_window(e.c.occurred_at, since, until))
            .order_by(e.c.occurred_at.desc(), e.c.id.desc())
            .limit(limit)
        )
        return [event_from_row(row) for row in rows]

    def file_sightings(
        self, sha256: str, since: datetime | None, until: datetime | None, limit: int
    ) -> tuple[int, list[DeviceSighting]]:
        conditions = [f.c.sha256 == sha256]
        if since is not None:
            conditions.append(f.c.last_seen >= to_db_time(since))
        if until is not None:
            conditions.append(f.c.first_seen < to_db_time(until))
        total = self._c.execute(select(func.count()).where(*conditions)).scalar_one()
        rows = self._c.execute(
            select(f, d.c.device_name)
            .select_from(f.outerjoin(d, d.c.device_id == f.c.device_id))
            .where(*conditions)
            .order_by(f.c.last_seen.desc(), f.c.device_id)
            .limit(limit)
        )
        sightings = [
            DeviceSighting(
                device_id=row.device_id,
                device_name=row.device_name,
                first_seen=from_db_time(row.first_seen),
                last_seen=from_db_time(row.last_seen),
                event_count=row.event_count,
            )
            for row in rows
        ]
        return total, sightings

    def devices(self, limit: int, offset: int) -> list[Device]:
        rows = self._c.execute(
            select(d).order_by(d.c.last_seen.desc(), d.c.device_id).limit(limit).offset(offset)
        )
        return [
            Device(
                row.device_id,
                row.device_name,
                from_db_time(row.first_seen),
                from_db_time(row.last_seen),
            )
            for row in rows
        ]

    def device_count(self) -> int:
        return int(self._c.execute(select(func.count()).select_from(d)).scalar_one())

    def sign_ins(
        self, user: str, since: datetime | None, until: datetime | None, limit: int
    ) -> list[SignIn]:
        rows = self._c.execute(
            select(s)
            .where(s.c.user_principal_name == user, *_window(s.c.signed_in_at, since, until))
            .order_by(s.c.signed_in_at.desc(), s.c.id.desc())
            .limit(limit)
        )
        return [sign_in_from_row(row) for row in rows]

    def purge_events(self, kind: TelemetryKind, before: datetime, limit: int) -> int:
        table, column = _TIME_COLUMNS[kind]
        cutoff = to_db_time(before)
        ids = list(
            self._c.execute(
                select(table.c.id).where(column < cutoff).order_by(column).limit(limit)
            ).scalars()
        )
        if ids:  # one primary-key probe each: long IN lists risk a sequential scan (ADR 2)
            self._c.execute(
                table.delete().where(table.c.id == bindparam("b_id")), [{"b_id": i} for i in ids]
            )
        return len(ids)

    def purge_fleet(self, before: datetime, limit: int) -> int:
        cutoff = to_db_time(before)
        deleted = self._purge_by_keys(f, [f.c.sha256, f.c.device_id], f.c.last_seen, cutoff, limit)
        return deleted + self._purge_by_keys(d, [d.c.device_id], d.c.last_seen, cutoff, limit)

    def _purge_by_keys(
        self,
        table: Table,
        key: list[Column[Any]],
        column: Column[Any],
        cutoff: datetime,
        limit: int,
    ) -> int:
        keys = self._c.execute(select(*key).where(column < cutoff).limit(limit)).all()
        if keys:
            condition = [col == bindparam(f"b_{col.name}") for col in key]
            self._c.execute(
                table.delete().where(*condition),
                [
                    {f"b_{col.name}": value for col, value in zip(key, row, strict=True)}
                    for row in keys
                ],
            )
        return len(keys)
