"""SQL suppression-rule repository."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from autoir.domain.alerts.enums import AlertStatus, InvestigationState
from autoir.domain.alerts.record import AlertRecord
from autoir.domain.suppression.rule import StoredRule, SuppressionRule
from autoir.domain.suppression.rule_json import parse_rule
from autoir.ports.suppression import RuleSetVersion
from autoir.storage import tables
from autoir.storage.database import from_db_time, from_db_time_opt, to_db_time
from autoir.storage.repositories.rows import alert_from_row, dumps, loads
from autoir.storage.suppression_tables import suppression_rules as sr

a = tables.alerts
_PAGE = 1000


def _stored(row: object) -> StoredRule:
    m = row._mapping  # type: ignore[attr-defined]
    return StoredRule(
        id=m["id"],
        rule=parse_rule(loads(m["document"])),
        created_by=m["created_by"],
        created=from_db_time(m["created_at"]),
        updated_by=m["updated_by"],
        updated=from_db_time(m["updated_at"]),
        match_count=m["match_count"],
        last_match=from_db_time_opt(m["last_match_at"]),
    )


def _columns(rule: SuppressionRule) -> dict[str, object]:
    return {
        "name": rule.name,
        "document": dumps(rule.to_json()),
        "enabled": rule.enabled,
        "expires_at": to_db_time(rule.expires) if rule.expires else None,
    }


class SqlSuppressionRuleRepository:
    """Rules in ``suppression_rules``; suppressed alerts through ``alerts.suppression_rule_id``."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, stored: StoredRule) -> None:
        self._c.execute(
            insert(sr).values(
                id=stored.id,
                created_by=stored.created_by,
                created_at=to_db_time(stored.created),
                updated_by=stored.updated_by,
                updated_at=to_db_time(stored.updated),
                match_count=stored.match_count,
                last_match_at=None,
                **_columns(stored.rule),
            )
        )

    def replace(self, rule_id: str, rule: SuppressionRule, by: str, now: datetime) -> bool:
        result = self._c.execute(
            update(sr)
            .where(sr.c.id == rule_id)
            .values(updated_by=by, updated_at=to_db_time(now), **_columns(rule))
        )
        return bool(result.rowcount)

    def get(self, rule_id: str) -> StoredRule | None:
        row = self._c.execute(select(sr).where(sr.c.id == rule_id)).first()
        return _stored(row) if row else None

    def list_rules(self) -> list[StoredRule]:
        return [_stored(row) for row in self._c.execute(select(sr).order_by(sr.c.id))]

    def delete(self, rule_id: str) -> bool:
        return bool(self._c.execute(delete(sr).where(sr.c.id == rule_id)).rowcount)

    def version(self) -> RuleSetVersion:
        count, latest = self._c.execute(select(func.count(), func.max(sr.c.updated_at))).one()
        return int(count), from_db_time_opt(latest)

    def all_rules(self) -> list[tuple[str, SuppressionRule]]:
        rows = self._c.execute(select(sr.c.id, sr.c.document).order_by(sr.c.id))
        return [(rule_id, parse_rule(loads(document))) for rule_id, document in rows]

    def record_matches(self, matches: Mapping[str, tuple[int, datetime]]) -> None:
        if not matches:
            return
        # Counters only: updated_at stays, so a batch's matches do not invalidate the cache.
        self._c.execute(
            update(sr)
            .where(sr.c.id == bindparam("rule_id"))
            .values(
                match_count=sr.c.match_count + bindparam("added"),
                last_match_at=func.coalesce(
                    func.max(sr.c.last_match_at, bindparam("at"))
                    if self._c.dialect.name == "sqlite"
                    else func.greatest(sr.c.last_match_at, bindparam("at")),
                    bindparam("at"),
                ),
            ),
            [
                {"rule_id": rule_id, "added": added, "at": to_db_time(at)}
                for rule_id, (added, at) in sorted(matches.items())
            ],
        )

    def release_alerts(self, rule_id: str, now: datetime) -> list[int]:
        mine = a.c.suppression_rule_id == rule_id
        incidents = sorted(
            {
                i
                for i in self._c.execute(select(a.c.incident_id).where(mine).distinct()).scalars()
                if i is not None
            }
        )
        stamp = to_db_time(now)
        suppressed = a.c.investigation_state == InvestigationState.SUPPRESSED_ALERT.value
        # Resolved by the rule and still suppressed: reopen; then every one is shown again and
        # goes back to automated investigation's inbox.
        self._c.execute(
            update(a)
            .where(mine, suppressed, a.c.status == AlertStatus.RESOLVED.value)
            .values(status=AlertStatus.NEW.value, resolved_at=None)
        )
        self._c.execute(
            update(a)
            .where(mine, suppressed)
            .values(investigation_state=InvestigationState.UNKNOWN.value)
        )
        self._c.execute(
            update(a)
            .where(mine)
            .values(hidden=False, suppression_rule_id=None, last_update_at=stamp)
        )
        return incidents

    def alerts_since(
        self,
        since: datetime,
        service_sources: Sequence[str],
        detector_id: str | None,
        limit: int,
    ) -> Iterator[AlertRecord]:
        stmt = select(a).where(
            a.c.created_at >= to_db_time(since), a.c.service_source.in_(list(service_sources))
        )
        if detector_id is not None:
            stmt = stmt.where(a.c.type_key == f"d:{detector_id.lower()}")
        stmt = stmt.order_by(a.c.created_at.desc(), a.c.id.desc()).limit(limit)
        for row in self._c.execute(stmt.execution_options(yield_per=_PAGE)):
            yield alert_from_row(row)
