"""SQL incident repository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from autoir.domain.alerts.enums import AlertSeverity, AlertStatus, IncidentStatus
from autoir.domain.alerts.record import Comment
from autoir.domain.incidents.aggregate import MAX_CATEGORIES, IncidentStats, incident_name
from autoir.domain.incidents.record import IncidentRecord
from autoir.domain.queries.filters import ListQuery
from autoir.ports.repositories import NewIncident, Page
from autoir.storage import tables
from autoir.storage.database import to_db_time
from autoir.storage.repositories.rows import (
    UNKNOWN,
    comment_from_row,
    dumps,
    incident_from_row,
    loads,
)
from autoir.storage.sql_filters import INCIDENT_COLUMNS, INCIDENT_SORT_COLUMNS, to_condition

i = tables.incidents
ic = tables.incident_comments
a = tables.alerts
_CHUNK = 400
_ACTIVE = (
    IncidentStatus.ACTIVE.value,
    IncidentStatus.IN_PROGRESS.value,
    IncidentStatus.AWAITING_ACTION.value,
)


_SEVERITY_BY_RANK = {
    s.rank: s for s in AlertSeverity if s is not AlertSeverity.UNKNOWN_FUTURE_VALUE
}


def _stats_columns(stats: IncidentStats) -> dict[str, Any]:
    return {
        "alert_count": stats.alert_count,
        "open_alert_count": stats.open_count,
        "severity": stats.severity.value,
        "severity_rank": stats.severity.rank,
        "first_title": stats.first_title,
        "categories": dumps(stats.categories),
        "entity_labels": dumps(stats.labels),
        "display_name": incident_name(stats)[:1024],
    }


def _stats_of(row: Any) -> IncidentStats:  # noqa: ANN401 - a SQLAlchemy row
    return IncidentStats(
        alert_count=row.alert_count,
        open_count=row.open_alert_count,
        severity=AlertSeverity(row.severity),
        first_title=row.first_title,
        categories=list(loads(row.categories)),
        labels=list(loads(row.entity_labels)),
    )


class SqlIncidentRepository:
    """Incidents in SQL tables ``incidents`` and ``incident_comments``."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def open_under(self, incident_ids: Sequence[int], max_alerts: int) -> set[int]:
        found: set[int] = set()
        ids = sorted(set(incident_ids))
        for start in range(0, len(ids), _CHUNK):
            found.update(
                self._c.execute(
                    select(i.c.id).where(
                        i.c.id.in_(ids[start : start + _CHUNK]),
                        i.c.status.in_(_ACTIVE),
                        i.c.alert_count < max_alerts,
                    )
                ).scalars()
            )
        return found

    def create_many(
        self, incidents: Sequence[NewIncident], tenant_id: str, now: datetime
    ) -> list[int]:
        if not incidents:
            return []
        stamp = to_db_time(now)
        rows = [
            _stats_columns(n.stats)
            | {
                "tenant_id": tenant_id,
                "description": None,
                "classification": UNKNOWN,
                "determination": UNKNOWN,
                "assigned_to": None,
                "custom_tags": "[]",
                "system_tags": "[]",
                "created_at": to_db_time(n.created),
                "last_update_at": stamp,
                "status": (
                    IncidentStatus.ACTIVE if n.stats.open_count else IncidentStatus.RESOLVED
                ).value,
            }
            for n in incidents
        ]
        result = self._c.execute(insert(i).returning(i.c.id, sort_by_parameter_order=True), rows)
        return [int(row[0]) for row in result]

    def add_alerts(self, incident_id: int, stats: IncidentStats, now: datetime) -> None:
        row = self._c.execute(select(i).where(i.c.id == incident_id)).first()
        if row is None or row.status == IncidentStatus.REDIRECTED.value:
            return
        current = _stats_of(row)
        current.merge(stats)
        values = _stats_columns(current) | {"last_update_at": to_db_time(now)}
        if row.status == IncidentStatus.RESOLVED.value and stats.open_count:
            values["status"] = IncidentStatus.ACTIVE.value
        self._c.execute(update(i).where(i.c.id == incident_id).values(**values))

    def redirect(self, absorbed_id: int, into_id: int, now: datetime) -> None:
        self._c.execute(
            update(i)
            .where(i.c.id == absorbed_id)
            .values(
                status=IncidentStatus.REDIRECTED.value,
                redirect_incident_id=into_id,
                last_update_at=to_db_time(now),
                alert_count=0,
                open_alert_count=0,
            )
        )

    def refresh(self, incident_id: int, now: datetime) -> None:
        row = self._c.execute(select(i).where(i.c.id == incident_id)).first()
        if row is None or row.status == IncidentStatus.REDIRECTED.value:
            return
        stats = IncidentStats(first_title=row.first_title, labels=list(loads(row.entity_labels)))
        rank, count = self._c.execute(
            select(func.max(a.c.severity_rank), func.count()).where(a.c.incident_id == incident_id)
        ).one()
        stats.alert_count = count
        stats.open_count = self._c.execute(
            select(func.count()).where(
                a.c.incident_id == incident_id, a.c.status != AlertStatus.RESOLVED.value
            )
        ).scalar_one()
        stats.severity = _SEVERITY_BY_RANK.get(rank or 0, AlertSeverity.UNKNOWN)
        categories = self._c.execute(
            select(a.c.category, func.min(a.c.created_at))
            .where(a.c.incident_id == incident_id, a.c.category.is_not(None))
            .group_by(a.c.category)
            .order_by(func.min(a.c.created_at))
            .limit(MAX_CATEGORIES)
        ).all()
        stats.categories = [c for c, _ in categories]
        values = _stats_columns(stats) | {"last_update_at": to_db_time(now)}
        # Defender resolves an incident when its last alert is resolved and reopens it when an
        # alert reopens.
        if row.status in _ACTIVE and count and stats.open_count == 0:
            values["status"] = IncidentStatus.RESOLVED.value
        elif row.status == IncidentStatus.RESOLVED.value and stats.open_count > 0:
            values["status"] = IncidentStatus.ACTIVE.value
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
