"""SQL incident repository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from autoir.domain.alerts.enums import AlertSeverity, AlertStatus, IncidentStatus
from autoir.domain.alerts.record import Comment
from autoir.domain.incidents.record import IncidentRecord, incident_name, max_severity
from autoir.domain.queries.filters import ListQuery
from autoir.ports.repositories import Page
from autoir.storage import tables
from autoir.storage.database import from_db_time, to_db_time
from autoir.storage.repositories.rows import UNKNOWN, comment_from_row, dumps, incident_from_row
from autoir.storage.sql_filters import INCIDENT_COLUMNS, INCIDENT_SORT_COLUMNS, to_condition

i = tables.incidents
ie = tables.incident_entities
ic = tables.incident_comments
a = tables.alerts
_CHUNK = 400
_ACTIVE = (
    IncidentStatus.ACTIVE.value,
    IncidentStatus.IN_PROGRESS.value,
    IncidentStatus.AWAITING_ACTION.value,
)


class SqlIncidentRepository:
    """Incidents in SQL tables ``incidents``, ``incident_entities``, ``incident_comments``."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def active_by_entities(
        self, keys: Sequence[tuple[str, str]], since: datetime
    ) -> dict[tuple[str, str], list[tuple[int, datetime]]]:
        found: dict[tuple[str, str], list[tuple[int, datetime]]] = {}
        stamp = to_db_time(since)
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            rows = self._c.execute(
                select(ie.c.kind, ie.c.value, ie.c.incident_id, ie.c.last_seen_at)
                .select_from(ie.join(i, i.c.id == ie.c.incident_id))
                .where(
                    or_(*(and_(ie.c.kind == k, ie.c.value == v) for k, v in chunk)),
                    ie.c.last_seen_at >= stamp,
                    i.c.status.in_(_ACTIVE),
                )
            )
            for kind, value, incident_id, seen in rows:
                found.setdefault((kind, value), []).append((incident_id, from_db_time(seen)))
        return found

    def create(self, record: IncidentRecord) -> int:
        result = self._c.execute(
            insert(i)
            .values(
                tenant_id=record.tenant_id,
                display_name=record.display_name,
                description=record.description,
                status=record.status.value,
                severity=record.severity.value,
                severity_rank=record.severity.rank,
                classification=UNKNOWN,
                determination=UNKNOWN,
                assigned_to=record.assigned_to,
                custom_tags=dumps(list(record.custom_tags)),
                system_tags=dumps(list(record.system_tags)),
                created_at=to_db_time(record.created),
                last_update_at=to_db_time(record.last_update),
                alert_count=record.alert_count,
            )
            .returning(i.c.id)
        )
        return int(result.scalar_one())

    def attach_entities(
        self, incident_id: int, keys: Sequence[tuple[str, str]], seen: datetime
    ) -> None:
        if not keys:
            return
        stamp = to_db_time(seen)
        existing: dict[tuple[str, str], Any] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            rows = self._c.execute(
                select(ie.c.kind, ie.c.value, ie.c.last_seen_at).where(
                    ie.c.incident_id == incident_id,
                    or_(*(and_(ie.c.kind == k, ie.c.value == v) for k, v in chunk)),
                )
            )
            existing.update({(k, v): t for k, v, t in rows})
        fresh = [
            {"incident_id": incident_id, "kind": k, "value": v, "last_seen_at": stamp}
            for k, v in dict.fromkeys(keys)
            if (k, v) not in existing
        ]
        if fresh:
            self._c.execute(insert(ie), fresh)
        stale = [(k, v) for (k, v), t in existing.items() if t < stamp]
        for start in range(0, len(stale), _CHUNK):
            chunk = stale[start : start + _CHUNK]
            self._c.execute(
                update(ie)
                .where(
                    ie.c.incident_id == incident_id,
                    or_(*(and_(ie.c.kind == k, ie.c.value == v) for k, v in chunk)),
                )
                .values(last_seen_at=stamp)
            )

    def redirect(self, absorbed_id: int, into_id: int, now: datetime) -> None:
        rows = self._c.execute(
            select(ie.c.kind, ie.c.value, ie.c.last_seen_at).where(ie.c.incident_id == absorbed_id)
        ).all()
        self._c.execute(delete(ie).where(ie.c.incident_id == absorbed_id))
        by_time: dict[Any, list[tuple[str, str]]] = {}
        for kind, value, seen in rows:
            by_time.setdefault(seen, []).append((kind, value))
        for seen, keys in by_time.items():
            self.attach_entities(into_id, keys, seen.replace(tzinfo=None))
        self._c.execute(
            update(i)
            .where(i.c.id == absorbed_id)
            .values(
                status=IncidentStatus.REDIRECTED.value,
                redirect_incident_id=into_id,
                last_update_at=to_db_time(now),
                alert_count=0,
            )
        )

    def refresh(self, incident_id: int, now: datetime) -> None:
        stats = self._c.execute(
            select(func.max(a.c.severity_rank), func.count(), func.min(a.c.created_at)).where(
                a.c.incident_id == incident_id
            )
        ).one()
        rank, count, _first = stats
        severity = next(
            (
                s
                for s in AlertSeverity
                if s.rank == (rank or 0) and s is not AlertSeverity.UNKNOWN_FUTURE_VALUE
            ),
            AlertSeverity.UNKNOWN,
        )
        severity = max_severity([severity])
        titles = list(
            self._c.execute(
                select(a.c.title)
                .where(a.c.incident_id == incident_id)
                .order_by(a.c.severity_rank.desc(), a.c.created_at)
                .limit(20)
            ).scalars()
        )
        labels = list(
            self._c.execute(
                select(ie.c.value)
                .where(
                    ie.c.incident_id == incident_id, ie.c.kind.in_(("device", "user", "mailbox"))
                )
                .order_by(ie.c.last_seen_at.desc())
                .limit(2)
            ).scalars()
        )
        open_count = self._c.execute(
            select(func.count()).where(
                a.c.incident_id == incident_id, a.c.status != AlertStatus.RESOLVED.value
            )
        ).scalar_one()
        values: dict[str, Any] = {
            "severity": severity.value,
            "severity_rank": severity.rank,
            "alert_count": count,
            "display_name": incident_name(titles, labels),
            "last_update_at": to_db_time(now),
        }
        status = self._c.execute(select(i.c.status).where(i.c.id == incident_id)).scalar_one()
        # Defender resolves an incident when its last alert is resolved, and reopens it when an
        # alert reopens; a merged (redirected) incident never changes again.
        if status in _ACTIVE and count and open_count == 0:
            values["status"] = IncidentStatus.RESOLVED.value
        elif status == IncidentStatus.RESOLVED.value and open_count > 0:
            values["status"] = IncidentStatus.ACTIVE.value
        if status == IncidentStatus.REDIRECTED.value:
            return
        self._c.execute(update(i).where(i.c.id == incident_id).values(**values))

    def get(self, incident_id: int) -> IncidentRecord | None:
        row = self._c.execute(select(i).where(i.c.id == incident_id)).first()
        return incident_from_row(row) if row else None

    def search(self, query: ListQuery) -> Page[IncidentRecord]:
        stmt = select(i)
        if query.filter is not None:
            stmt = stmt.where(to_condition(query.filter, INCIDENT_COLUMNS))
        for term in query.order_by or ():
            column = INCIDENT_SORT_COLUMNS[term.field]
            stmt = stmt.order_by(column.desc() if term.descending else column.asc())
        stmt = stmt.order_by(i.c.last_update_at.desc(), i.c.id.desc())
        items = [
            incident_from_row(r) for r in self._c.execute(stmt.limit(query.top).offset(query.skip))
        ]
        total = None
        if query.count:
            count_stmt = select(func.count()).select_from(i)
            if query.filter is not None:
                count_stmt = count_stmt.where(to_condition(query.filter, INCIDENT_COLUMNS))
            total = self._c.execute(count_stmt).scalar_one()
        return Page(items, total)

    def update_fields(self, incident_id: int, changes: dict[str, Any], now: datetime) -> None:
        mapping = {
            "status": "status",
            "assignedTo": "assigned_to",
            "classification": "classification",
            "determination": "determination",
            "lastModifiedBy": "last_modified_by",
            "resolvingComment": "resolving_comment",
            "displayName": "display_name",
            "description": "description",
        }
        values: dict[str, Any] = {mapping[k]: v for k, v in changes.items() if k in mapping}
        if "customTags" in changes:
            values["custom_tags"] = dumps(list(changes["customTags"]))
        values["last_update_at"] = to_db_time(now)
        self._c.execute(update(i).where(i.c.id == incident_id).values(**values))

    def add_comment(self, incident_id: int, comment: Comment) -> None:
        self._c.execute(
            insert(ic).values(
                incident_id=incident_id,
                comment=comment.comment,
                created_by=comment.created_by,
                created_at=to_db_time(comment.created),
            )
        )

    def comments(self, incident_id: int) -> list[Comment]:
        rows = self._c.execute(
            select(ic).where(ic.c.incident_id == incident_id).order_by(ic.c.created_at, ic.c.id)
        )
        return [comment_from_row(row) for row in rows]
