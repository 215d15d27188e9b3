"""The demo tenant's telemetry, in the ingest formats of docs/telemetry.md.

It joins what the alerts' stories left in their :class:`~autoir.demo.records.TelemetryLog`
(scenario and background mail, clicks, risky sign-ins), the processes and files of the alerts'
evidence, and the everyday baseline: mail, clicks, process activity and sign-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from autoir.demo.primitives import iso
from autoir.demo.telemetry_endpoint import Fleet, alert_endpoint_events, chronological
from autoir.demo.telemetry_mail import MailRoom, message_event
from autoir.demo.telemetry_signins import SignInHistory, sign_in_records

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from random import Random

    from autoir.demo.directory import Directory
    from autoir.demo.records import Click, TelemetryLog

Record = dict[str, object]


@dataclass(frozen=True, slots=True)
class DemoTelemetry:
    """Telemetry records by kind, oldest first, each JSON-ready for ``POST /telemetry/{kind}``."""

    messages: tuple[Record, ...] = ()
    url_clicks: tuple[Record, ...] = ()
    endpoint_events: tuple[Record, ...] = ()
    sign_ins: tuple[Record, ...] = ()

    def by_kind(self) -> dict[str, tuple[Record, ...]]:
        """The records under their ingest kind names (``messages``, ``urlClicks``, …)."""
        return {
            "messages": self.messages,
            "urlClicks": self.url_clicks,
            "endpointEvents": self.endpoint_events,
            "signIns": self.sign_ins,
        }

    def __len__(self) -> int:
        """How many records of every kind."""
        return sum(len(records) for records in self.by_kind().values())


def click_record(click: Click) -> Record:
    """A click in the ``urlClicks`` ingest format."""
    record: Record = {
        "userId": click.user,
        "url": click.url,
        "timeOfClick": iso(click.at),
        "urlClickAction": click.action,
        "appName": click.app,
    }
    if click.network_message_id:
        record["sourceId"] = click.network_message_id
    if click.ip:
        record["userIp"] = click.ip
    return record


def build_telemetry(
    streams: dict[str, Random],
    directory: Directory,
    window: tuple[datetime, datetime],
    logs: Sequence[TelemetryLog],
    alerts: Sequence[Record],
) -> DemoTelemetry:
    """Everything the tenant's devices, mailboxes and identity provider reported.

    Args:
        streams: independent random streams named ``mail``, ``endpoint`` and ``sign-ins``.
        directory: the tenant's users and devices.
        window: start and end (now) of the time window.
        logs: what the scenarios and background alerts recorded.
        alerts: every alert (their process and file evidence become endpoint events).
    """
    start, now = window
    mail, clicks = MailRoom(streams["mail"], directory, start, now).generate()
    messages = {m.network_message_id: m for m in mail}
    for log in logs:
        messages.update(log.messages)
        clicks = [*clicks, *log.clicks]
    fleet = Fleet(streams["endpoint"], directory, start, now).generate()
    sign_ins = SignInHistory(streams["sign-ins"], directory, start, now).generate()
    sign_ins += [e for log in logs for e in log.sign_ins if e.at <= now]
    return DemoTelemetry(
        messages=tuple(
            message_event(m)
            for m in sorted(messages.values(), key=lambda m: m.received)
            if m.received <= now
        ),
        url_clicks=tuple(
            click_record(c) for c in sorted(clicks, key=lambda c: c.at) if c.at <= now
        ),
        endpoint_events=tuple(chronological([*fleet, *alert_endpoint_events(alerts, directory)])),
        sign_ins=tuple(sign_in_records(sign_ins)),
    )
