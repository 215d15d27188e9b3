"""SQL investigation repository: runs with work leases, evidence, log, proposed actions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from autoir.domain.alerts.enums import (
    EvidenceRemediationStatus,
    EvidenceVerdict,
    InvestigationState,
)
from autoir.domain.alerts.evidence import Entity
from autoir.domain.investigations.enums import (
    InvestigationStatus,
    InvestigationType,
    LogKind,
    LogStatus,
    TriggerRole,
)
from autoir.domain.investigations.evidence import EvidenceItem, EvidenceOrigin
from autoir.domain.investigations.record import InvestigationRecord, LogEntry
from autoir.domain.queries.filters import EntityMatch, ListQuery
from autoir.domain.verdicts.report import Reason
from autoir.ports.investigations import NewLogEntry
from autoir.ports.repositories import Page
from autoir.storage import investigation_tables as t
from autoir.storage import tables
from autoir.storage.database import from_db_time, from_db_time_opt, to_db_time
from autoir.storage.repositories.rows import dumps, loads
from autoir.storage.sql_filters import to_condition

inv = t.investigations
links = t.investigation_alerts
keys = t.investigation_keys
ev = t.investigation_evidence
lg = t.investigation_log

COLUMNS: dict[str, ColumnElement[object]] = {
    "id": inv.c.id,
    "displayName": inv.c.name,
    "status": inv.c.status,
    "investigationType": inv.c.investigation_type,
    "playbookId": inv.c.playbook_id,
    "triggeringAlertId": inv.c.triggering_alert_id,
    "createdBy": inv.c.created_by,
    "createdDateTime": inv.c.created_at,
    "lastModifiedDateTime": inv.c.last_modified_at,
    "endDateTime": inv.c.ended_at,
    "threatCount": inv.c.threat_count,
    "actionCount": inv.c.action_count,
}
_NOT_FINISHED = tuple(
    s.value
    for s in InvestigationStatus
    if not s.is_final and s is not InvestigationStatus.PARTIALLY_INVESTIGATED
)
_ACTIVE = tuple(s.value for s in InvestigationStatus if s.is_active)
_CHUNK = 400


def _entity_condition(match: EntityMatch) -> ColumnElement[bool]:
    condition = and_(keys.c.investigation_id == inv.c.id, keys.c.value == match.value.lower())
    if match.kind is not None:
        condition = and_(condition, keys.c.kind == match.kind.value)
    return exists(select(keys.c.investigation_id).where(condition))


def _record_values(record: InvestigationRecord) -> dict[str, Any]:
    return {
        "name": record.name[:1024],
        "investigation_type": record.investigation_type.value,
        "playbook_id": record.playbook_id,
        "status": record.status.value,
        "status_details": record.status_details,
        "triggering_alert_id": record.triggering_alert_id,
        "created_by": record.created_by,
        "created_at": to_db_time(record.created_at),
        "last_modified_at": to_db_time(record.last_modified_at),
        "started_at": _opt_time(record.started_at),
        "ended_at": _opt_time(record.ended_at),
        "pending_since": _opt_time(record.pending_since),
        "total_pending_seconds": record.total_pending.total_seconds(),
        "threat_count": record.threat_count,
        "action_count": record.action_count,
        "entity_count": record.entity_count,
        "users": dumps(list(record.users)),
        "mailboxes": dumps(list(record.mailboxes)),
        "devices": dumps(list(record.devices)),
        "subject": dumps(dict(record.subject)),
        "state": dumps(dict(record.state)),
        "cancel_requested": record.cancel_requested,
    }


def _opt_time(value: datetime | None) -> datetime | None:
    return to_db_time(value) if value is not None else None


def _record(row: Any) -> InvestigationRecord:  # noqa: ANN401 - a SQLAlchemy row
    return InvestigationRecord(
        id=row.id,
        name=row.name,
        investigation_type=InvestigationType(row.investigation_type),
        playbook_id=row.playbook_id,
        status=InvestigationStatus(row.status),
        created_at=from_db_time(row.created_at),
        last_modified_at=from_db_time(row.last_modified_at),
        triggering_alert_id=row.triggering_alert_id,
        status_details=row.status_details,
        started_at=from_db_time_opt(row.started_at),
        ended_at=from_db_time_opt(row.ended_at),
        pending_since=from_db_time_opt(row.pending_since),
        total_pending=timedelta(seconds=row.total_pending_seconds or 0.0),
        threat_count=row.threat_count,
        action_count=row.action_count,
        entity_count=row.entity_count,
        users=tuple(loads(row.users)),
        mailboxes=tuple(loads(row.mailboxes)),
        devices=tuple(loads(row.devices)),
        state=loads(row.state),
        subject=loads(row.subject),
        created_by=row.created_by,
        cancel_requested=bool(row.cancel_requested),
    )


def _reasons_json(reasons: Sequence[Reason]) -> str:
    return dumps(
        [
            {"code": r.code, "text": r.text, "verdict": r.verdict.value, "weight": r.weight}
            for r in reasons
        ]
    )


def _reasons(text: str) -> tuple[Reason, ...]:
    return tuple(
        Reason(r["code"], r["text"], EvidenceVerdict(r["verdict"]), float(r.get("weight", 0.5)))
        for r in loads(text)
    )


def _evidence(row: Any) -> EvidenceItem:  # noqa: ANN401 - a SQLAlchemy row
    return EvidenceItem(
        kind=row.kind,
        key=row.key,
        name=row.name,
        properties=loads(row.properties),
        verdict=EvidenceVerdict(row.verdict),
        confidence=row.confidence,
        remediation_status=EvidenceRemediationStatus(row.remediation_status),
        reasons=_reasons(row.reasons),
        origin=EvidenceOrigin(row.origin),
        related=tuple(loads(row.related)),
        first_seen=from_db_time(row.first_seen),
        step_id=row.step_id,
    )


def _ms(value: timedelta | None) -> float | None:
    return value.total_seconds() * 1000 if value is not None else None


def _td(value: float | None) -> timedelta | None:
    return timedelta(milliseconds=value) if value is not None else None


class SqlInvestigationRepository:
    """Implements ``autoir.ports.investigations.InvestigationRepository``."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def create(self, record: InvestigationRecord, tenant_id: str) -> None:
        self._c.execute(
            insert(inv).values(id=record.id, tenant_id=tenant_id, **_record_values(record))
        )

    def get(self, investigation_id: str) -> InvestigationRecord | None:
        row = self._c.execute(select(inv).where(inv.c.id == investigation_id)).first()
        return _record(row) if row else None

    def search(self, query: ListQuery) -> Page[InvestigationRecord]:
        stmt = select(inv)
        condition = None
        if query.filter is not None:
            condition = to_condition(query.filter, COLUMNS, _entity_condition)
            stmt = stmt.where(condition)
        for term in query.order_by:
            column = COLUMNS[term.field]
            stmt = stmt.order_by(column.desc() if term.descending else column.asc())
        stmt = stmt.order_by(inv.c.created_at.desc(), inv.c.id.desc())
        rows = self._c.execute(stmt.limit(query.top).offset(query.skip))
        items = [_record(row) for row in rows]
        total = None
        if query.count:
            count = select(func.count()).select_from(inv)
            if condition is not None:
                count = count.where(condition)
            total = self._c.execute(count).scalar_one()
        return Page(items, total)

    def claim(self, investigation_id: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        db_now = to_db_time(now)
        result = self._c.execute(
            update(inv)
            .where(
                inv.c.id == investigation_id,
                or_(
                    inv.c.lease_owner.is_(None),
                    inv.c.lease_owner == owner,
                    inv.c.lease_expires_at < db_now,
                ),
            )
            .values(lease_owner=owner, lease_expires_at=to_db_time(now + ttl))
        )
        return result.rowcount == 1

    def save(
        self, record: InvestigationRecord, owner: str | None, now: datetime, ttl: timedelta
    ) -> bool:
        stmt = update(inv).where(inv.c.id == record.id)
        values = _record_values(record)
        if owner is not None:
            # A worker only writes while it holds the lease and the run is still active (an
            # analyst's cancel wins over a step finishing at the same moment).
            stmt = stmt.where(inv.c.lease_owner == owner, inv.c.status.in_(_ACTIVE))
            values["lease_expires_at"] = to_db_time(now + ttl)
        return self._c.execute(stmt.values(**values)).rowcount == 1

    def release(self, investigation_id: str, owner: str) -> None:
        self._c.execute(
            update(inv)
            .where(inv.c.id == investigation_id, inv.c.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
        )

    def due(self, now: datetime, stale_enqueue: timedelta, limit: int) -> list[str]:
        db_now = to_db_time(now)
        stale = to_db_time(now - stale_enqueue)
        rows = self._c.execute(
            select(inv.c.id)
            .where(
                inv.c.status.in_(_ACTIVE),
                or_(inv.c.lease_expires_at.is_(None), inv.c.lease_expires_at < db_now),
                or_(inv.c.enqueued_at.is_(None), inv.c.enqueued_at < stale),
            )
            .order_by(inv.c.created_at)
            .limit(limit)
        )
        return [row.id for row in rows]

    def mark_enqueued(self, investigation_ids: Sequence[str], now: datetime) -> None:
        for start in range(0, len(investigation_ids), _CHUNK):
            chunk = list(investigation_ids[start : start + _CHUNK])
            self._c.execute(
                update(inv).where(inv.c.id.in_(chunk)).values(enqueued_at=to_db_time(now))
            )

    def link_alerts(
        self, investigation_id: str, alert_ids: Sequence[str], role: TriggerRole, now: datetime
    ) -> None:
        if not alert_ids:
            return
        present = {
            row.alert_id
            for row in self._c.execute(
                select(links.c.alert_id).where(links.c.investigation_id == investigation_id)
            )
        }
        new = [alert_id for alert_id in dict.fromkeys(alert_ids) if alert_id not in present]
        if new:
            self._c.execute(
                insert(links),
                [
                    {
                        "investigation_id": investigation_id,
                        "alert_id": alert_id,
                        "role": role.value,
                        "added_at": to_db_time(now),
                    }
                    for alert_id in new
                ],
            )

    def alert_links(self, investigation_id: str) -> list[tuple[str, TriggerRole]]:
        rows = self._c.execute(
            select(links.c.alert_id, links.c.role)
            .where(links.c.investigation_id == investigation_id)
            .order_by(links.c.added_at, links.c.alert_id)
        )
        return [(row.alert_id, TriggerRole(row.role)) for row in rows]

    def for_alert(self, alert_id: str) -> str | None:
        row = self._c.execute(
            select(links.c.investigation_id).where(links.c.alert_id == alert_id).limit(1)
        ).first()
        return row.investigation_id if row else None

    def add_keys(self, investigation_id: str, entities: Sequence[Entity]) -> None:
        wanted = {(e.kind.value, e.value.lower()[:1024]) for e in entities}
        if not wanted:
            return
        present = {
            (row.kind, row.value)
            for row in self._c.execute(
                select(keys.c.kind, keys.c.value).where(keys.c.investigation_id == investigation_id)
            )
        }
        new = sorted(wanted - present)
        if new:
            self._c.execute(
                insert(keys),
                [{"kind": k, "value": v, "investigation_id": investigation_id} for k, v in new],
            )

    def open_by_entities(
        self,
        entities: Sequence[Entity],
        around: datetime | None = None,
        window: timedelta = timedelta(0),
    ) -> str | None:
        values = sorted({e.value.lower()[:1024] for e in entities})
        kinds = {e.kind.value for e in entities}
        conditions: list[ColumnElement[bool]] = [inv.c.status.in_(_NOT_FINISHED)]
        if around is not None:
            trigger = tables.alerts
            low, high = to_db_time(around - window), to_db_time(around + window)
            trigger_time = (
                select(trigger.c.created_at)
                .where(trigger.c.id == inv.c.triggering_alert_id)
                .scalar_subquery()
            )
            conditions.append(
                or_(
                    trigger_time.between(low, high),
                    and_(inv.c.triggering_alert_id.is_(None), inv.c.created_at.between(low, high)),
                )
            )
        best: tuple[datetime, str] | None = None
        for start in range(0, len(values), _CHUNK):
            chunk = values[start : start + _CHUNK]
            row = self._c.execute(
                select(inv.c.id, inv.c.created_at)
                .join(keys, keys.c.investigation_id == inv.c.id)
                .where(keys.c.value.in_(chunk), keys.c.kind.in_(kinds), *conditions)
                .order_by(inv.c.created_at)
                .limit(1)
            ).first()
            if row is not None and (best is None or row.created_at < best[0]):
                best = (row.created_at, row.id)
        return best[1] if best else None

    def upsert_evidence(
        self, investigation_id: str, items: Sequence[EvidenceItem], now: datetime
    ) -> None:
        if not items:
            return
        by_key = {item.key: item for item in items}
        existing: dict[str, datetime] = {}
        key_list = list(by_key)
        for start in range(0, len(key_list), _CHUNK):
            chunk = key_list[start : start + _CHUNK]
            for row in self._c.execute(
                select(ev.c.key, ev.c.first_seen).where(
                    ev.c.investigation_id == investigation_id, ev.c.key.in_(chunk)
                )
            ):
                existing[row.key] = row.first_seen
            self._c.execute(
                delete(ev).where(ev.c.investigation_id == investigation_id, ev.c.key.in_(chunk))
            )
        db_now = to_db_time(now)
        self._c.execute(
            insert(ev),
            [
                {
                    "investigation_id": investigation_id,
                    "key": item.key,
                    "kind": item.kind,
                    "name": item.name[:1024],
                    "properties": dumps(dict(item.properties)),
                    "verdict": item.verdict.value,
                    "confidence": item.confidence,
                    "remediation_status": item.remediation_status.value,
                    "reasons": _reasons_json(item.reasons),
                    "origin": item.origin.value,
                    "related": dumps(list(item.related)),
                    "step_id": item.step_id,
                    "first_seen": existing.get(item.key) or (_opt_time(item.first_seen) or db_now),
                    "updated_at": db_now,
                }
                for item in by_key.values()
            ],
        )

    def evidence(self, investigation_id: str) -> list[EvidenceItem]:
        rows = self._c.execute(
            select(ev)
            .where(ev.c.investigation_id == investigation_id)
            .order_by(ev.c.first_seen, ev.c.key)
        )
        return [_evidence(row) for row in rows]

    def add_log(self, entry: NewLogEntry) -> int:
        result = self._c.execute(
            insert(lg).values(
                investigation_id=entry.investigation_id,
                step_id=entry.step_id,
                kind=entry.kind.value,
                name=entry.name[:256],
                status=entry.status.value,
                description=entry.description,
                created_at=to_db_time(entry.created_at),
                started_at=_opt_time(entry.started_at),
                duration_ms=_ms(entry.duration),
                queued_ms=_ms(entry.queued),
            )
        )
        primary_key = result.inserted_primary_key
        assert primary_key is not None
        return int(primary_key[0])

    def finish_log(
        self, log_id: int, status: LogStatus, description: str, duration: timedelta
    ) -> None:
        self._c.execute(
            update(lg)
            .where(lg.c.id == log_id)
            .values(status=status.value, description=description, duration_ms=_ms(duration))
        )

    def abandon_running_logs(self, investigation_id: str, description: str) -> int:
        result = self._c.execute(
            update(lg)
            .where(
                lg.c.investigation_id == investigation_id,
                lg.c.status == LogStatus.RUNNING.value,
            )
            .values(status=LogStatus.FAILED.value, description=description)
        )
        return int(result.rowcount)

    def log(self, investigation_id: str) -> list[LogEntry]:
        rows = self._c.execute(
            select(lg).where(lg.c.investigation_id == investigation_id).order_by(lg.c.id)
        )
        return [
            LogEntry(
                id=row.id,
                investigation_id=row.investigation_id,
                kind=LogKind(row.kind),
                name=row.name,
                status=LogStatus(row.status),
                description=row.description,
                created_at=from_db_time(row.created_at),
                started_at=from_db_time_opt(row.started_at),
                duration=_td(row.duration_ms),
                queued=_td(row.queued_ms),
                step_id=row.step_id,
            )
            for row in rows
        ]

    def untriaged_alerts(self, since: datetime, limit: int) -> list[str]:
        alerts = tables.alerts
        rows = self._c.execute(
            select(alerts.c.id)
            .where(
                alerts.c.investigation_state == InvestigationState.UNKNOWN.value,
                alerts.c.created_at >= to_db_time(since),
            )
            .order_by(alerts.c.created_at)
            .limit(limit)
            # PostgreSQL: lock them until the triage commits, so that a concurrent sweep (another
            # worker process) waits, then skips those now triaged, instead of starting a second
            # investigation for the same alert. SQLite renders no FOR UPDATE: its writers are
            # serialised already (BEGIN IMMEDIATE).
            .with_for_update()
        )
        return [row.id for row in rows]

    def set_alert_states(
        self, alert_ids: Sequence[str], state: InvestigationState, now: datetime
    ) -> None:
        alerts = tables.alerts
        ids = list(dict.fromkeys(alert_ids))
        for start in range(0, len(ids), _CHUNK):
            self._c.execute(
                update(alerts)
                .where(alerts.c.id.in_(ids[start : start + _CHUNK]))
                .values(investigation_state=state.value, last_update_at=to_db_time(now))
            )

    def counts_by_status(self, since: datetime) -> dict[str, int]:
        rows = self._c.execute(
            select(inv.c.status, func.count())
            .where(inv.c.created_at >= to_db_time(since))
            .group_by(inv.c.status)
        )
        return {row[0]: int(row[1]) for row in rows}
