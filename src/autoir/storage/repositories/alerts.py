"""SQL alert repository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    bindparam,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from autoir.domain.alerts.draft import AlertDraft
from autoir.domain.alerts.enums import AlertStatus
from autoir.domain.alerts.evidence import Entity, EntityKind
from autoir.domain.alerts.record import AlertRecord, Comment
from autoir.domain.queries.filters import (
    Compare,
    EntityMatch,
    ListQuery,
    Node,
    conjuncts,
    mentions_field,
)
from autoir.ports.repositories import AlertRef, NewAlert, Page, VolumeBucket
from autoir.storage import tables
from autoir.storage.bulk import bulk_insert, driver_time, key_table
from autoir.storage.database import from_db_time, to_db_time
from autoir.storage.repositories.rows import UNKNOWN, alert_from_row, comment_from_row, dumps
from autoir.storage.sql_filters import ALERT_COLUMNS, ALERT_SORT_COLUMNS, to_condition

a = tables.alerts
ae = tables.alert_entities
ac = tables.alert_comments
_CHUNK = 500
_OPEN = (AlertStatus.NEW.value, AlertStatus.IN_PROGRESS.value)
# Column order of the rows ``insert`` builds (every column of ``alerts``; checked below).
ALERT_INSERT_COLUMNS = (
    "id",
    "tenant_id",
    "incident_id",
    "provider_alert_id",
    "service_source",
    "detection_source",
    "detector_id",
    "type_key",
    "title",
    "category",
    "severity",
    "severity_rank",
    "status",
    "classification",
    "determination",
    "investigation_state",
    "assigned_to",
    "tags",
    "created_at",
    "last_update_at",
    "first_activity_at",
    "last_activity_at",
    "resolved_at",
    "occurrences",
    "fingerprint",
    "document",
    "suppression_rule_id",
    "hidden",
)
assert set(ALERT_INSERT_COLUMNS) == {column.name for column in a.columns}
ENTITY_INSERT_COLUMNS = ("value", "kind", "created_at", "alert_id", "strong", "incident_id")


def type_key(detector_id: str | None, title: str) -> str:
    """Alerts of the same type share a detector id, or failing that a title."""
    return f"d:{detector_id.lower()}" if detector_id else f"t:{title.lower()}"


def _draft_columns(draft: AlertDraft) -> dict[str, Any]:
    return {
        "provider_alert_id": draft.provider_alert_id,
        "service_source": draft.service_source.value,
        "detection_source": draft.detection_source.value,
        "detector_id": draft.detector_id,
        "type_key": type_key(draft.detector_id, draft.title),
        "title": draft.title,
        "category": draft.category,
        "severity": draft.severity.value,
        "severity_rank": draft.severity.rank,
        "first_activity_at": to_db_time(draft.first_activity),
        "last_activity_at": to_db_time(draft.last_activity),
        "fingerprint": draft.fingerprint,
        "document": dumps(draft.document),
    }


class SqlAlertRepository:
    """Alerts in SQL tables ``alerts``, ``alert_entities`` and ``alert_comments``."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def find_by_provider_keys(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], AlertRef]:
        wanted = key_table(self._c, "wanted", ("source", "pid"), keys)
        columns = (a.c.provider_alert_id, a.c.id, a.c.incident_id, a.c.occurrences)
        match = (a.c.service_source == wanted.c.source, a.c.provider_alert_id == wanted.c.pid)
        if self._c.dialect.name == "postgresql":
            # One index probe per wanted id, whatever the planner's statistics say: a hash join
            # over every alert of the source cost 0.4 s at 375,000 alerts. LIMIT 1 (the key is
            # unique) also stops PostgreSQL from flattening the LATERAL back into that join.
            probe = select(*columns, a.c.last_activity_at).where(*match).limit(1).lateral("probe")
            stmt = select(wanted.c.source, *probe.c).select_from(wanted).join(probe, true())
        else:
            # Output the table's own columns: each reference to a key column re-reads JSON.
            stmt = select(a.c.service_source, *columns, a.c.last_activity_at).join_from(
                wanted, a, and_(*match)
            )
        return {
            (source, pid): AlertRef(alert_id, incident_id, occurrences, from_db_time(last))
            for source, pid, alert_id, incident_id, occurrences, last in self._c.execute(stmt)
        }

    def find_open_by_fingerprints(
        self, fingerprints: Sequence[str], since: datetime
    ) -> dict[str, AlertRef]:
        wanted = key_table(self._c, "wanted", ("fp",), [(fp,) for fp in fingerprints])
        columns = (a.c.id, a.c.incident_id, a.c.occurrences, a.c.last_activity_at)
        conditions = (
            a.c.fingerprint == wanted.c.fp,
            a.c.provider_alert_id.is_(None),  # matches the partial index
            a.c.last_activity_at >= to_db_time(since),
            a.c.status.in_(_OPEN),
        )
        if self._c.dialect.name == "postgresql":
            # The newest open alert per fingerprint: one backward probe of the partial index.
            probe = (
                select(*columns)
                .where(*conditions)
                .order_by(a.c.last_activity_at.desc())
                .limit(1)
                .lateral("probe")
            )
            stmt = select(wanted.c.fp, *probe.c).select_from(wanted).join(probe, true())
        else:
            stmt = (
                select(a.c.fingerprint, *columns)
                .join_from(wanted, a, and_(*conditions))
                .order_by(a.c.last_activity_at)  # the newest wins below
            )
        return {
            fp: AlertRef(alert_id, incident_id, occurrences, from_db_time(last))
            for fp, alert_id, incident_id, occurrences, last in self._c.execute(stmt)
        }

    def insert(self, alerts: Sequence[NewAlert], tenant_id: str, now: datetime) -> None:
        if not alerts:
            return
        # Rows are built as tuples of driver values in one pass: per-row dicts, per-value type
        # processing and enum ``.value`` lookups (a Python-level descriptor) added up to a
        # fifth of ingest time.
        time_value = driver_time(self._c)
        stamp = time_value(now)
        alert_rows: list[tuple[object, ...]] = []
        entity_rows: list[tuple[object, ...]] = []
        comment_rows: list[dict[str, Any]] = []
        for new in alerts:
            draft = new.draft
            created = time_value(draft.created)
            severity = draft.severity
            alert_rows.append(
                (
                    new.id,
                    tenant_id,
                    new.incident_id,
                    draft.provider_alert_id,
                    str(draft.service_source),
                    str(draft.detection_source),
                    draft.detector_id,
                    type_key(draft.detector_id, draft.title),
                    draft.title,
                    draft.category,
                    str(severity),
                    severity.rank,
                    str(draft.status),
                    str(draft.classification) if draft.classification else UNKNOWN,
                    str(draft.determination) if draft.determination else UNKNOWN,
                    str(draft.investigation_state) if draft.investigation_state else UNKNOWN,
                    draft.assigned_to,
                    dumps(list(draft.tags)) if draft.tags else "[]",
                    created,
                    stamp,
                    time_value(draft.first_activity),
                    time_value(draft.last_activity),
                    time_value(draft.resolved) if draft.resolved else None,
                    1,
                    draft.fingerprint,
                    dumps(draft.document),
                    draft.suppression_rule_id,
                    draft.hidden,
                )
            )
            alert_id = new.id
            incident_id = new.incident_id
            entity_rows.extend(
                (e.value[:512], str(e.kind), created, alert_id, e.strong, incident_id)
                for e in draft.entities
            )
            if draft.comments:
                created_at = to_db_time(draft.created)
                comment_rows.extend(
                    {
                        "alert_id": alert_id,
                        "comment": text,
                        "created_by": "source",
                        "created_at": created_at,
                    }
                    for text in draft.comments
                )
        bulk_insert(self._c, a, ALERT_INSERT_COLUMNS, alert_rows, driver_values=True)
        bulk_insert(self._c, ae, ENTITY_INSERT_COLUMNS, entity_rows, driver_values=True)
        if comment_rows:
            self._c.execute(insert(ac), comment_rows)

    def update_from_source(self, alert_id: str, draft: AlertDraft, now: datetime) -> None:
        values = _draft_columns(draft)
        values["last_update_at"] = to_db_time(now)
        self._c.execute(update(a).where(a.c.id == alert_id).values(**values))
        self._c.execute(ae.delete().where(ae.c.alert_id == alert_id))
        created, incident_id = self._c.execute(
            select(a.c.created_at, a.c.incident_id).where(a.c.id == alert_id)
        ).one()
        if draft.entities:
            self._c.execute(
                insert(ae),
                [
                    {
                        "alert_id": alert_id,
                        "kind": e.kind.value,
                        "value": e.value[:512],
                        "strong": e.strong,
                        "created_at": created,
                        "incident_id": incident_id,
                    }
                    for e in draft.entities
                ],
            )

    def fold(self, alert_id: str, occurrences: int, last_activity: datetime, now: datetime) -> None:
        self._c.execute(
            update(a)
            .where(a.c.id == alert_id)
            .values(
                occurrences=occurrences,
                last_activity_at=to_db_time(last_activity),
                last_update_at=to_db_time(now),
            )
        )

    def incidents_by_entities(
        self, keys: Sequence[tuple[str, str]], since: datetime
    ) -> dict[tuple[str, str], list[tuple[int, datetime]]]:
        wanted = key_table(self._c, "wanted", ("kind", "value"), keys)
        seen = func.max(ae.c.created_at)
        # The entity row's own copy of the incident: a correlation lookup reads one range of
        # the clustered (value, kind, created_at) index per key, where joining every row of the
        # window to its alert cost three quarters of the lookup at a million alerts. Rows
        # written before migration 0005 have none and fall back to the alert (short-circuited
        # for the others).
        incident = func.coalesce(
            ae.c.incident_id,
            select(a.c.incident_id).where(a.c.id == ae.c.alert_id).scalar_subquery(),
        ).label("incident_id")
        conditions = (
            ae.c.value == wanted.c.value,
            ae.c.kind == wanted.c.kind,
            ae.c.created_at >= to_db_time(since),
        )
        hits = select(incident, seen.label("seen")).where(*conditions).group_by(incident)
        if self._c.dialect.name == "postgresql":
            # Thousands of keys make the estimated cost pass jit_above_cost: JIT compilation
            # then took 20-30 ms of a 100 ms lookup, for a plan of simple index probes.
            self._c.exec_driver_sql("SET LOCAL jit = off")
            # Aggregated per key inside a LATERAL, so it stays an index probe per key even
            # when the planner has no statistics for the entity index.
            lateral = hits.lateral("hits")
            stmt = select(wanted.c.kind, wanted.c.value, *lateral.c).join_from(
                wanted, lateral, true()
            )
        else:
            stmt = (
                # The entity's own columns, not the key table's: every reference to those
                # re-parsed its JSON, for each of the ~15,000 rows a batch reads at scale.
                select(ae.c.kind, ae.c.value, incident, seen)
                .select_from(wanted)
                .join(ae, and_(*conditions))
                .group_by(ae.c.value, ae.c.kind, incident)
            )
        found: dict[tuple[str, str], list[tuple[int, datetime]]] = {}
        for kind, value, incident_id, last in self._c.execute(stmt):
            if incident_id is not None:
                found.setdefault((kind, value), []).append((incident_id, from_db_time(last)))
        return found

    def get(self, alert_id: str) -> AlertRecord | None:
        row = self._c.execute(select(a).where(a.c.id == alert_id)).first()
        return alert_from_row(row) if row else None

    def get_many(self, alert_ids: Sequence[str]) -> list[AlertRecord]:
        out: list[AlertRecord] = []
        for start in range(0, len(alert_ids), _CHUNK):
            rows = self._c.execute(select(a).where(a.c.id.in_(alert_ids[start : start + _CHUNK])))
            out.extend(alert_from_row(row) for row in rows)
        return out

    def _filtered(self, query: ListQuery, columns: Sequence[Any]) -> tuple[Select[Any], Any]:
        """A select over the query's filter, driven by the entity index when one is named.

        Returns the statement and the column to order "newest first" by.
        """
        terms = conjuncts(query.filter)
        driver = next((t for t in terms if isinstance(t, EntityMatch) and t.kind is not None), None)
        visible = (
            None
            if query.include_hidden or mentions_field(query.filter, "suppressionRuleId")
            else a.c.hidden == false()
        )
        if driver is None:
            stmt = select(*columns)
            if query.filter is not None:
                stmt = stmt.where(to_condition(query.filter, ALERT_COLUMNS))
            if visible is not None:
                stmt = stmt.where(visible)
            return stmt, a.c.created_at
        rest: list[Node] = [t for t in terms if t is not driver]
        assert driver.kind is not None
        stmt = (
            select(*columns)
            .select_from(ae.join(a, a.c.id == ae.c.alert_id))
            .where(ae.c.value == driver.value.lower(), ae.c.kind == driver.kind.value)
        )
        if visible is not None:
            stmt = stmt.where(visible)
        for term in rest:
            stmt = stmt.where(to_condition(term, ALERT_COLUMNS))
            # The entity row carries the alert's creation time: bounding it too keeps the scan
            # of a hot entity to the asked-for window instead of its whole history.
            if isinstance(term, Compare) and term.field == "createdDateTime":
                stmt = stmt.where(to_condition(term, {"createdDateTime": ae.c.created_at}))
        return stmt, ae.c.created_at

    def search(self, query: ListQuery) -> Page[AlertRecord]:
        stmt, created = self._filtered(query, [a])
        if query.order_by:
            for term in query.order_by:
                column = (
                    created if term.field == "createdDateTime" else ALERT_SORT_COLUMNS[term.field]
                )
                stmt = stmt.order_by(column.desc() if term.descending else column.asc())
            stmt = stmt.order_by(a.c.id.desc())
        else:
            stmt = stmt.order_by(created.desc(), a.c.id.desc())
        rows = self._c.execute(stmt.limit(query.top).offset(query.skip))
        items = [alert_from_row(row) for row in rows]
        total = None
        capped = False
        if query.count:
            if query.count_limit is None:
                count_stmt, _ = self._filtered(query, [func.count()])
            else:
                matches, _ = self._filtered(query, [a.c.id])
                count_stmt = select(func.count()).select_from(
                    matches.limit(query.count_limit + 1).subquery()
                )
            total = self._c.execute(count_stmt).scalar_one()
            if query.count_limit is not None and total > query.count_limit:
                total, capped = query.count_limit, True
        return Page(items, total, capped)

    def ids_matching(self, query: ListQuery, limit: int) -> list[str]:
        stmt, created = self._filtered(query, [a.c.id])
        return list(self._c.execute(stmt.order_by(created.desc()).limit(limit)).scalars())

    def update_fields(
        self, alert_ids: Sequence[str], changes: dict[str, Any], now: datetime
    ) -> None:
        mapping = {
            "status": "status",
            "assignedTo": "assigned_to",
            "classification": "classification",
            "determination": "determination",
            "investigationState": "investigation_state",
        }
        values: dict[str, Any] = {mapping[k]: v for k, v in changes.items() if k in mapping}
        if "tags" in changes:
            values["tags"] = dumps(list(changes["tags"]))
        if "resolvedDateTime" in changes:
            resolved = changes["resolvedDateTime"]
            values["resolved_at"] = to_db_time(resolved) if resolved is not None else None
        values["last_update_at"] = to_db_time(now)
        for start in range(0, len(alert_ids), _CHUNK):
            self._c.execute(
                update(a).where(a.c.id.in_(alert_ids[start : start + _CHUNK])).values(**values)
            )

    def add_comment(self, alert_id: str, comment: Comment) -> None:
        self._c.execute(
            insert(ac).values(
                alert_id=alert_id,
                comment=comment.comment,
                created_by=comment.created_by,
                created_at=to_db_time(comment.created),
            )
        )
        self._c.execute(
            update(a).where(a.c.id == alert_id).values(last_update_at=to_db_time(comment.created))
        )

    def comments(self, alert_ids: Sequence[str]) -> dict[str, list[Comment]]:
        out: dict[str, list[Comment]] = {alert_id: [] for alert_id in alert_ids}
        for start in range(0, len(alert_ids), _CHUNK):
            rows = self._c.execute(
                select(ac)
                .where(ac.c.alert_id.in_(alert_ids[start : start + _CHUNK]))
                .order_by(ac.c.created_at, ac.c.id)
            )
            for row in rows:
                out[row.alert_id].append(comment_from_row(row))
        return out

    def entities(self, alert_id: str) -> list[Entity]:
        rows = self._c.execute(
            select(ae.c.kind, ae.c.value, ae.c.strong).where(ae.c.alert_id == alert_id)
        )
        return [Entity(EntityKind(kind), value, bool(strong)) for kind, value, strong in rows]

    def related_by_entities(
        self,
        entities: Sequence[tuple[str, str]],
        exclude_id: str,
        since: datetime,
        until: datetime,
        limit: int,
    ) -> list[AlertRecord]:
        if not entities:
            return []
        ids = (
            select(ae.c.alert_id)
            .where(
                or_(*(and_(ae.c.kind == kind, ae.c.value == value) for kind, value in entities)),
                ae.c.created_at >= to_db_time(since),
                ae.c.created_at <= to_db_time(until),
                ae.c.alert_id != exclude_id,
            )
            .distinct()
            .limit(limit * 4)
        )
        rows = self._c.execute(
            select(a).where(a.c.id.in_(ids)).order_by(a.c.created_at.desc()).limit(limit)
        )
        return [alert_from_row(row) for row in rows]

    def similar(self, key: str, exclude_id: str, limit: int) -> list[AlertRecord]:
        rows = self._c.execute(
            select(a)
            .where(a.c.type_key == key, a.c.id != exclude_id)
            .order_by(a.c.created_at.desc())
            .limit(limit)
        )
        return [alert_from_row(row) for row in rows]

    def classification_counts(self, key: str) -> list[tuple[str | None, str | None, int]]:
        rows = self._c.execute(
            select(a.c.classification, a.c.determination, func.count())
            .where(a.c.type_key == key, a.c.classification != UNKNOWN)
            .group_by(a.c.classification, a.c.determination)
            .order_by(func.count().desc())
        )
        return [(c, d, n) for c, d, n in rows]

    def volume(self, since: datetime, by: str) -> list[VolumeBucket]:
        column = a.c.severity if by == "severity" else a.c.service_source
        day = func.substr(func.cast(a.c.created_at, String), 1, 10)
        rows = self._c.execute(
            select(day, column, func.count())
            .where(a.c.created_at >= to_db_time(since))
            .group_by(day, column)
            .order_by(day)
        )
        return [VolumeBucket(str(d), k, n) for d, k, n in rows]

    def count_by(self, field: str, query: ListQuery) -> dict[str, int]:
        column = ALERT_COLUMNS[field]
        stmt, _ = self._filtered(query, [column, func.count()])
        return {str(k): n for k, n in self._c.execute(stmt.group_by(column))}

    def for_incident(self, incident_id: int) -> list[AlertRecord]:
        rows = self._c.execute(
            select(a).where(a.c.incident_id == incident_id).order_by(a.c.created_at)
        )
        return [alert_from_row(row) for row in rows]

    def for_incidents(self, incident_ids: Sequence[int]) -> dict[int, list[AlertRecord]]:
        found: dict[int, list[AlertRecord]] = {incident_id: [] for incident_id in incident_ids}
        ids = list(found)
        for start in range(0, len(ids), _CHUNK):
            rows = self._c.execute(
                select(a)
                .where(a.c.incident_id.in_(ids[start : start + _CHUNK]))
                .order_by(a.c.created_at)
            )
            for row in rows:
                record = alert_from_row(row)
                assert record.incident_id is not None
                found[record.incident_id].append(record)
        return found

    def move_to_incident(self, from_incident: int, to_incident: int) -> None:
        moved = list(
            self._c.execute(select(a.c.id).where(a.c.incident_id == from_incident)).scalars()
        )
        if moved:
            # The entity rows' copy, one alert_id index probe per alert: as one UPDATE … IN
            # (subquery), PostgreSQL without statistics hash-joined all of alert_entities.
            self._c.execute(
                update(ae)
                .where(ae.c.alert_id == bindparam("moved_id"))
                .values(incident_id=to_incident),
                [{"moved_id": alert_id} for alert_id in moved],
            )
        self._c.execute(
            update(a).where(a.c.incident_id == from_incident).values(incident_id=to_incident)
        )
