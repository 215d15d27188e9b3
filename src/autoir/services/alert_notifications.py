"""Alert notifications: the SOC's mail about new alerts, by rule (see the domain module).

The rules are one JSON document in system settings (``PUT /api/v1/settings/alert-notifications``).
The worker's sweep calls :meth:`AlertNotificationService.sweep`, which reads the alerts created
after its cursor (creation time, then id), oldest first, mails each rule that covers one, and
moves the cursor past each alert once its mails went out: delivery is at least once (a crash
between a send and the cursor re-sends that alert's mail, never skips it). The cursor starts
at the newest alert when rules are first saved, so saving rules does not mail the backlog. A
notifier that is down stops the sweep where it is; the next sweep retries from there.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from autoir.domain.access.permissions import Principal
from autoir.domain.alerts.record import AlertRecord
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.domain.notifications.alert_rules import AlertNotificationRule, parse_rules, render
from autoir.domain.queries.filters import And, Compare, CompareOp, ListQuery, Or, OrderBy
from autoir.domain.timestamps import format_timestamp, parse_timestamp
from autoir.ports.remediation import Notification, Notifier
from autoir.services.context import ServiceContext

log = logging.getLogger("autoir.notifications")
RULES_KEY = "alert_notifications.rules"
CURSOR_KEY = "alert_notifications.cursor"
SWEEP_BATCH = 200


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What one sweep did."""

    alerts: int = 0
    mails: int = 0
    error: str | None = None


class AlertNotificationService:
    """Rules in, mails out."""

    def __init__(self, ctx: ServiceContext, notifier: Notifier, base_url: str) -> None:
        self._ctx = ctx
        self._notifier = notifier
        self._base_url = base_url
        self._lock = threading.Lock()

    def rules(self) -> list[AlertNotificationRule]:
        """The stored rules, in order."""
        with self._ctx.read_uow() as uow:
            stored = uow.system.get(RULES_KEY)
        return parse_rules(json.loads(stored)) if stored else []

    def put_rules(self, principal: Principal, body: object) -> list[AlertNotificationRule]:
        """Replace every rule (all checked first: nothing is saved with an error)."""
        rules = parse_rules(body)
        with self._ctx.uow() as uow:
            uow.system.put(RULES_KEY, json.dumps([r.to_json() for r in rules]))
            if uow.system.get(CURSOR_KEY) is None:
                newest = uow.alerts.search(
                    ListQuery(
                        order_by=(
                            OrderBy("createdDateTime", descending=True),
                            OrderBy("id", descending=True),
                        ),
                        top=1,
                        include_hidden=True,
                    )
                ).items
                start = (newest[0].created, newest[0].id) if newest else (self._ctx.clock.now(), "")
                uow.system.put(CURSOR_KEY, _cursor(*start))
            uow.commit()
        log.info("alert notification rules saved by %s (%d rules)", principal.name, len(rules))
        return rules

    def send_test(self, rule: AlertNotificationRule) -> str:
        """Mail the rule's recipients a test message now; returns the message id."""
        subject = f"[AutoIR] Test of the notification rule {rule.name!r}"
        body = (
            f"This is a test of the alert notification rule {rule.name!r}.\n"
            f"Alerts will be sent to: {', '.join(rule.recipients)}.\n"
        )
        return self._notifier.send(Notification(rule.recipients, subject, body))

    def sweep(self, limit: int = SWEEP_BATCH) -> SweepResult:
        """Mail what the rules say about the alerts created since the cursor."""
        with self._lock:
            with self._ctx.read_uow() as uow:
                raw_rules = uow.system.get(RULES_KEY)
                raw_cursor = uow.system.get(CURSOR_KEY)
            if not raw_rules or raw_cursor is None:
                return SweepResult()
            rules = [r for r in parse_rules(json.loads(raw_rules)) if r.enabled]
            after, after_id = _read_cursor(raw_cursor)
            if not rules:
                self._save_cursor(self._ctx.clock.now(), "")
                return SweepResult()
            alerts = self._created_after(after, after_id, limit)
            mails = 0
            for done, alert in enumerate(alerts):
                try:
                    mails += self._notify(rules, alert)
                except (ConnectorUnavailable, ConnectorRejected) as exc:
                    log.warning("alert notifications stopped at %s: %s", alert.id, exc)
                    return SweepResult(done, mails, str(exc))
                self._save_cursor(alert.created, alert.id)
            return SweepResult(len(alerts), mails)

    def _notify(self, rules: Sequence[AlertNotificationRule], alert: AlertRecord) -> int:
        sent = 0
        for rule in rules:
            if rule.covers(alert):
                subject, body = render(rule, alert, self._base_url)
                self._notifier.send(Notification(rule.recipients, subject, body))
                sent += 1
        return sent

    def _created_after(self, after: datetime, after_id: str, limit: int) -> list[AlertRecord]:
        later = Compare("createdDateTime", CompareOp.GT, after)
        same_time = And(
            (Compare("createdDateTime", CompareOp.EQ, after), Compare("id", CompareOp.GT, after_id))
        )
        query = ListQuery(
            filter=Or((later, same_time)),
            order_by=(
                OrderBy("createdDateTime", descending=False),
                OrderBy("id", descending=False),
            ),
            top=limit,
            include_hidden=True,
        )
        with self._ctx.read_uow() as uow:
            return list(uow.alerts.search(query).items)

    def _save_cursor(self, created: datetime, alert_id: str) -> None:
        with self._ctx.uow() as uow:
            uow.system.put(CURSOR_KEY, _cursor(created, alert_id))
            uow.commit()


def _cursor(created: datetime, alert_id: str) -> str:
    return json.dumps({"createdDateTime": format_timestamp(created), "id": alert_id})


def _read_cursor(raw: str) -> tuple[datetime, str]:
    data = json.loads(raw)
    created = parse_timestamp(str(data["createdDateTime"]))
    if created is None:
        raise ValueError(f"unreadable alert notification cursor {raw!r}")
    return created, str(data.get("id") or "")
