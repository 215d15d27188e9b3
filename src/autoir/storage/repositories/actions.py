"""SQL action repository: the Action Center's rows, with compare-and-set status changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, insert, or_, select, update

from autoir.domain.queries.filters import EntityMatch
from autoir.domain.remediation.action import ActionComment, RemediationAction
from autoir.domain.remediation.catalog import ActionType
from autoir.domain.remediation.lifecycle import ActionSource, ActionStatus, can_transition
from autoir.ports.actions import ActionSearch
from autoir.ports.repositories import Page
from autoir.storage import investigation_tables as t
from autoir.storage.database import from_db_time, from_db_time_opt, to_db_time
from autoir.storage.repositories.rows import dumps, loads
from autoir.storage.sql_filters import to_condition

act = t.remediation_actions
_CHUNK = 500
_TIME_COLUMNS = frozenset(
    {
        "decided_at",
        "started_at",
        "completed_at",
        "expires_at",
        "next_attempt_at",
        "lease_expires_at",
    }
)
_JSON_COLUMNS = frozenset({"result", "properties"})

COLUMNS: dict[str, ColumnElement[object]] = {
    "id": act.c.id,
    "investigationId": act.c.investigation_id,
    "actionType": act.c.action_type,
    "actionSource": act.c.source,
    "status": act.c.status,
    "entityType": act.c.target_kind,
    "entityName": act.c.target_name,
    "requestedBy": act.c.requested_by,
    "decidedBy": act.c.decided_by,
    "createdDateTime": act.c.created_at,
    "lastUpdateDateTime": act.c.updated_at,
    "decidedDateTime": act.c.decided_at,
    "completedDateTime": act.c.completed_at,
}


def _no_entities(_match: EntityMatch) -> ColumnElement[bool]:
    msg = "actions have no evidence/any() filters"
    raise AssertionError(msg)


def _opt_time(value: datetime | None) -> datetime | None:
    return None if value is None else to_db_time(value)


def _row_values(action: RemediationAction) -> dict[str, Any]:
    return {
        "id": action.id,
        "investigation_id": action.investigation_id,
        "action_type": action.action_type.value,
        "source": action.source.value,
        "target_kind": action.target_kind,
        "target_key": action.target_key[:1100],
        "target_name": action.target_name[:1024],
        "status": action.status.value,
        "requires_approval": action.requires_approval,
        "reason": action.reason,
        "properties": dumps(dict(action.properties)),
        "requested_by": action.requested_by,
        "request_comment": action.request_comment,
        "decided_by": action.decided_by,
        "decided_at": _opt_time(action.decided_at),
        "decision_comment": action.decision_comment,
        "comments": dumps([_comment_json(c) for c in action.comments]),
        "created_at": to_db_time(action.created_at),
        "updated_at": to_db_time(action.updated_at or action.created_at),
        "started_at": _opt_time(action.started_at),
        "completed_at": _opt_time(action.completed_at),
        "expires_at": _opt_time(action.expires_at),
        "attempts": action.attempts,
        "next_attempt_at": _opt_time(action.next_attempt_at),
        "result": dumps(dict(action.result)),
        "error": action.error,
        "undo_of": action.undo_of,
        "undone_by": action.undone_by,
        "approval_key": action.approval_key,
    }


def _comment_json(comment: ActionComment) -> dict[str, str]:
    return {
        "text": comment.text,
        "author": comment.author,
        "createdDateTime": to_db_time(comment.created_at).isoformat(),
    }


def _comment(data: Mapping[str, str]) -> ActionComment:
    return ActionComment(
        data["text"], data["author"], from_db_time(datetime.fromisoformat(data["createdDateTime"]))
    )


def _status(raw: str) -> ActionStatus:
    # Rows written before migration 0006 said pendingApproval for pending.
    return ActionStatus.PENDING if raw == "pendingApproval" else ActionStatus(raw)


def action_from_row(row: Any) -> RemediationAction:  # noqa: ANN401 - a SQLAlchemy row
    """Build a :class:`RemediationAction` from a ``remediation_actions`` row."""
    m = row._mapping
    return RemediationAction(
        id=m["id"],
        investigation_id=m["investigation_id"],
        action_type=ActionType(m["action_type"]),
        target_key=m["target_key"],
        target_name=m["target_name"],
        status=_status(m["status"]),
        requires_approval=bool(m["requires_approval"]),
        reason=m["reason"],
        created_at=from_db_time(m["created_at"]),
        properties=loads(m["properties"]),
        source=ActionSource(m["source"]) if m["source"] else ActionSource.AUTOMATED_EMAIL,
        target_kind=m["target_kind"],
        requested_by=m["requested_by"],
        request_comment=m["request_comment"],
        decided_by=m["decided_by"],
        decided_at=from_db_time_opt(m["decided_at"]),
        decision_comment=m["decision_comment"],
        comments=tuple(_comment(c) for c in loads(m["comments"])),
        updated_at=from_db_time_opt(m["updated_at"]),
        started_at=from_db_time_opt(m["started_at"]),
        completed_at=from_db_time_opt(m["completed_at"]),
        expires_at=from_db_time_opt(m["expires_at"]),
        attempts=int(m["attempts"]),
        next_attempt_at=from_db_time_opt(m["next_attempt_at"]),
        result=loads(m["result"]),
        error=m["error"],
        undo_of=m["undo_of"],
        undone_by=m["undone_by"],
        approval_key=m["approval_key"],
    )


class SqlActionRepository:
    """Implements ``autoir.ports.actions.ActionRepository``."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, actions: Sequence[RemediationAction]) -> None:
        rows = [_row_values(a) for a in actions]
        for start in range(0, len(rows), _CHUNK):
            self._c.execute(insert(act), rows[start : start + _CHUNK])

    def get(self, action_id: str) -> RemediationAction | None:
        row = self._c.execute(select(act).where(act.c.id == action_id)).first()
        return None if row is None else action_from_row(row)

    def get_many(self, action_ids: Sequence[str]) -> list[RemediationAction]:
        ids = list(dict.fromkeys(action_ids))
        found: dict[str, RemediationAction] = {}
        for start in range(0, len(ids), _CHUNK):
            rows = self._c.execute(select(act).where(act.c.id.in_(ids[start : start + _CHUNK])))
            found.update({row.id: action_from_row(row) for row in rows})
        return [found[i] for i in ids if i in found]

    def search(self, search: ActionSearch) -> Page[RemediationAction]:
        query = search.query
        conditions: list[ColumnElement[bool]] = []
        if query.filter is not None:
            conditions.append(to_condition(query.filter, COLUMNS, _no_entities))
        if search.statuses is not None:
            conditions.append(act.c.status.in_(sorted(s.value for s in search.statuses)))
        if search.since is not None:
            conditions.append(act.c.updated_at >= to_db_time(search.since))
        stmt = select(act)
        if conditions:
            stmt = stmt.where(and_(*conditions))
        for term in query.order_by:
            column = COLUMNS[term.field]
            stmt = stmt.order_by(column.desc() if term.descending else column.asc())
        stmt = stmt.order_by(act.c.updated_at.desc(), act.c.id.desc())
        items = [
            action_from_row(r) for r in self._c.execute(stmt.limit(query.top).offset(query.skip))
        ]
        total = None
        if query.count:
            count = select(func.count()).select_from(act)
            if conditions:
                count = count.where(and_(*conditions))
            total = int(self._c.execute(count).scalar_one())
        return Page(items, total)

    def for_investigation(self, investigation_id: str) -> list[RemediationAction]:
        rows = self._c.execute(
            select(act)
            .where(act.c.investigation_id == investigation_id)
            .order_by(act.c.created_at, act.c.id)
        )
        return [action_from_row(row) for row in rows]

    def proposed(self, investigation_id: str) -> set[tuple[str, str]]:
        rows = self._c.execute(
            select(act.c.action_type, act.c.target_key).where(
                act.c.investigation_id == investigation_id, act.c.undo_of.is_(None)
            )
        )
        return {(row[0], row[1]) for row in rows}

    def transition(
        self,
        action_id: str,
        expected: frozenset[ActionStatus],
        target: ActionStatus,
        now: datetime,
        changes: Mapping[str, Any] | None = None,
    ) -> bool:
        allowed = sorted(s.value for s in expected if can_transition(s, target))
        if not allowed:
            msg = f"no transition from {sorted(expected)} to {target.value}"
            raise ValueError(msg)
        values: dict[str, Any] = {"status": target.value, "updated_at": to_db_time(now)}
        for column, value in (changes or {}).items():
            if column in _TIME_COLUMNS:
                values[column] = _opt_time(value)
            elif column in _JSON_COLUMNS:
                values[column] = dumps(dict(value))
            else:
                values[column] = value
        result = self._c.execute(
            update(act).where(act.c.id == action_id, act.c.status.in_(allowed)).values(**values)
        )
        return result.rowcount == 1

    def heartbeat(
        self,
        action_id: str,
        owner: str,
        now: datetime,
        ttl: timedelta,
        progress: Mapping[str, Any],
    ) -> bool:
        result = self._c.execute(
            update(act)
            .where(
                act.c.id == action_id,
                act.c.status == ActionStatus.RUNNING.value,
                act.c.lease_owner == owner,
            )
            .values(
                lease_expires_at=to_db_time(now + ttl),
                result=dumps({"progress": dict(progress)}),
                updated_at=to_db_time(now),
            )
        )
        return result.rowcount == 1

    def claim(
        self, action_id: str, owner: str, now: datetime, ttl: timedelta
    ) -> RemediationAction | None:
        db_now = to_db_time(now)
        result = self._c.execute(
            update(act)
            .where(
                act.c.id == action_id,
                or_(
                    act.c.status.in_((ActionStatus.APPROVED.value, ActionStatus.QUEUED.value)),
                    and_(
                        act.c.status == ActionStatus.RUNNING.value,
                        or_(act.c.lease_expires_at.is_(None), act.c.lease_expires_at < db_now),
                    ),
                ),
                or_(act.c.next_attempt_at.is_(None), act.c.next_attempt_at <= db_now),
            )
            .values(
                status=ActionStatus.RUNNING.value,
                lease_owner=owner,
                lease_expires_at=to_db_time(now + ttl),
                attempts=act.c.attempts + 1,
                started_at=func.coalesce(act.c.started_at, db_now),
                updated_at=db_now,
            )
        )
        if result.rowcount != 1:
            return None
        return self.get(action_id)

    def due(self, now: datetime, limit: int) -> list[str]:
        db_now = to_db_time(now)
        rows = self._c.execute(
            select(act.c.id)
            .where(
                or_(
                    and_(
                        act.c.status.in_((ActionStatus.APPROVED.value, ActionStatus.QUEUED.value)),
                        or_(act.c.next_attempt_at.is_(None), act.c.next_attempt_at <= db_now),
                    ),
                    and_(
                        act.c.status == ActionStatus.RUNNING.value,
                        or_(act.c.lease_expires_at.is_(None), act.c.lease_expires_at < db_now),
                        or_(act.c.next_attempt_at.is_(None), act.c.next_attempt_at <= db_now),
                    ),
                )
            )
            .order_by(act.c.updated_at)
            .limit(limit)
        )
        return [row.id for row in rows]

    def set_undone_by(
        self, action_id: str, expected: str | None, undo_id: str | None, now: datetime
    ) -> bool:
        current = act.c.undone_by.is_(None) if expected is None else act.c.undone_by == expected
        result = self._c.execute(
            update(act)
            .where(act.c.id == action_id, act.c.status == ActionStatus.COMPLETED.value, current)
            .values(undone_by=undo_id, updated_at=to_db_time(now))
        )
        return result.rowcount == 1

    def pending_recheck_due(self, now: datetime, limit: int) -> list[RemediationAction]:
        rows = self._c.execute(
            select(act)
            .where(
                act.c.status == ActionStatus.PENDING.value,
                act.c.target_kind.in_(("analyzedMessage", "mailCluster")),
                or_(act.c.next_attempt_at.is_(None), act.c.next_attempt_at <= to_db_time(now)),
            )
            .order_by(act.c.next_attempt_at)
            .limit(limit)
        )
        return [action_from_row(row) for row in rows]

    def waiting_for_resource(self, limit: int) -> list[RemediationAction]:
        rows = self._c.execute(
            select(act)
            .where(act.c.status == ActionStatus.PENDING_RESOURCE.value)
            .order_by(act.c.updated_at)
            .limit(limit)
        )
        return [action_from_row(row) for row in rows]

    def expired(self, now: datetime, limit: int) -> list[RemediationAction]:
        rows = self._c.execute(
            select(act)
            .where(
                act.c.status.in_((ActionStatus.PENDING.value, ActionStatus.PENDING_RESOURCE.value)),
                act.c.expires_at <= to_db_time(now),
            )
            .limit(limit)
        )
        return [action_from_row(row) for row in rows]

    def recently_approved(
        self, approval_key: str, action_type: ActionType, since: datetime
    ) -> RemediationAction | None:
        row = self._c.execute(
            select(act)
            .where(
                act.c.approval_key == approval_key[:1200],
                act.c.action_type == action_type.value,
                act.c.decided_at >= to_db_time(since),
                # Approved and not failed, rejected or undone: its effect stands or is coming.
                act.c.status.in_(
                    [
                        ActionStatus.APPROVED.value,
                        ActionStatus.QUEUED.value,
                        ActionStatus.RUNNING.value,
                        ActionStatus.PENDING_RESOURCE.value,
                        ActionStatus.COMPLETED.value,
                    ]
                ),
                act.c.undone_by.is_(None),
            )
            .order_by(act.c.decided_at.desc())
            .limit(1)
        ).first()
        return None if row is None else action_from_row(row)

    def add_comment(self, action_id: str, comment: ActionComment, now: datetime) -> None:
        current = self._c.execute(select(act.c.comments).where(act.c.id == action_id)).scalar()
        comments = [*loads(current or "[]"), _comment_json(comment)]
        self._c.execute(
            update(act)
            .where(act.c.id == action_id)
            .values(comments=dumps(comments), updated_at=to_db_time(now))
        )

    def counts_by_status(self, since: datetime) -> dict[str, int]:
        rows = self._c.execute(
            select(act.c.status, func.count())
            .where(act.c.created_at >= to_db_time(since))
            .group_by(act.c.status)
        )
        return {row[0]: int(row[1]) for row in rows}
