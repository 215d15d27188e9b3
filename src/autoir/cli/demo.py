"""Loading the demo tenant with a progress bar, and seeding the stand-in connectors with it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.progress import Progress

from autoir.bootstrap import Container
from autoir.demo import generate_demo_tenant
from autoir.demo.connectors import SeedCounts, seed_connectors
from autoir.demo.generator import build_demo_directory
from autoir.domain.messages.message import EmailMessage
from autoir.domain.queries.filters import Compare, CompareOp, ListQuery
from autoir.domain.telemetry.clusters import ClusterKey
from autoir.domain.telemetry.endpoint import EndpointEventKind
from autoir.domain.telemetry.fleet import Device
from autoir.domain.timestamps import format_timestamp
from autoir.services.telemetry_ingest import parse_kind
from autoir.services.telemetry_queries import MAX_CLUSTER_IDS, MAX_LIST

BATCH = 500
TELEMETRY_BATCH = 2_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEMO_KEY = "demo_tenant"
"""System setting recording that (and how) the demo tenant was loaded."""
MESSAGE_CHUNK = 1_000
FILE_EVENTS = (EndpointEventKind.FILE, EndpointEventKind.PROCESS)


@dataclass(frozen=True, slots=True)
class DemoParameters:
    """What the demo tenant in a database was generated with (its directory depends on these)."""

    seed: int = 7
    user_count: int = 300
    device_count: int = 250


def load_demo(
    container: Container,
    *,
    seed: int = 7,
    days: int = 30,
    progress: bool = True,
    user_count: int = 300,
    device_count: int = 250,
    now: datetime | None = None,
) -> int:
    """Generate the seeded demo tenant ending ``now`` and ingest it; return the alert count.

    The telemetry (mail, clicks, endpoint events, sign-ins) goes in first, so that the
    investigations the alerts start find it.
    """
    end = now or datetime.now(UTC)
    window_start = end - timedelta(days=days)
    tenant = generate_demo_tenant(
        seed=seed,
        now=end,
        days=days,
        user_count=user_count,
        device_count=device_count,
    )
    alerts: list[object] = list(tenant.alerts)
    with Progress(disable=not progress, transient=True) as bar:
        for name, records in tenant.telemetry.by_kind().items():
            kind = parse_kind(name)
            task = bar.add_task(f"Loading demo {name}", total=len(records))
            for start in range(0, len(records), TELEMETRY_BATCH):
                chunk: list[object] = list(records[start : start + TELEMETRY_BATCH])
                container.telemetry_ingest.ingest(kind, chunk)
                bar.advance(task, len(chunk))
        task = bar.add_task("Loading demo alerts", total=len(alerts))
        for start in range(0, len(alerts), BATCH):
            chunk = alerts[start : start + BATCH]
            container.ingest.ingest(chunk)
            bar.advance(task, len(chunk))
        # The demo's alerts are a month old: the sweeper takes only recent ones, so the month
        # is triaged here (its investigations run in the background once workers start).
        bar.add_task("Triaging demo alerts", total=None)
        container.automation.investigations.triage_backlog(window_start)
    _remember(container, DemoParameters(seed, user_count, device_count), end, days)
    seed_connectors(
        container.automation.remediation.connectors,
        tenant.telemetry.messages,
        tenant.devices,
        endpoint_events=tenant.telemetry.endpoint_events,
        users=tenant.users,
    )
    return len(alerts)


def seed_demo_connectors(container: Container) -> SeedCounts | None:
    """When the database holds the demo tenant, seed the stand-in connectors from it again.

    The in-memory connectors lose their state when the process ends, so ``autoir serve`` and
    ``autoir worker`` call this on every start. Messages come from the stored telemetry, by
    recipient for every user of the demo directory, so a copy remediated before the restart is
    back where remediation left it (a soft-deleted one in Deleted Items); devices are the
    directory's and those that reported events, each with the files of its stored events.
    Returns None (and does nothing) when the database holds no demo tenant.
    """
    parameters = demo_parameters(container)
    if parameters is None:
        return None
    directory = build_demo_directory(
        seed=parameters.seed,
        user_count=parameters.user_count,
        device_count=parameters.device_count,
    )
    telemetry = container.telemetry
    ids: dict[str, None] = {}
    for user in directory.users:
        found = telemetry.cluster(ClusterKey.RECIPIENT, user.upn, limit=MAX_CLUSTER_IDS)
        ids.update(dict.fromkeys(found.network_message_ids))
    wanted = list(ids)
    records: list[dict[str, Any]] = []
    for start in range(0, len(wanted), MESSAGE_CHUNK):
        for message in telemetry.messages(wanted[start : start + MESSAGE_CHUNK]):
            records.extend(_message_records(message))
    devices = dict.fromkeys(d.device_id for d in directory.devices)
    devices.update(dict.fromkeys(d.device_id for d in _stored_devices(container)))
    events = [
        event.to_json()
        for device_id in devices
        for event in telemetry.device_events(device_id, kinds=FILE_EVENTS, limit=MAX_LIST)
    ]
    return seed_connectors(
        container.automation.remediation.connectors,
        records,
        list(devices),
        endpoint_events=events,
        users=directory.users,
    )


def demo_parameters(container: Container) -> DemoParameters | None:
    """How the database's demo tenant was generated; None when it holds none.

    ``load_demo`` records it; a database loaded before it did is recognised by the devices of
    the default tenant in its telemetry.
    """
    with container.ctx.read_uow() as uow:
        stored = uow.system.get(DEMO_KEY)
    if stored is not None:
        raw = json.loads(stored)
        return DemoParameters(int(raw["seed"]), int(raw["userCount"]), int(raw["deviceCount"]))
    default = DemoParameters()
    known = {
        d.device_id
        for d in build_demo_directory(
            seed=default.seed, user_count=default.user_count, device_count=default.device_count
        ).devices
    }
    if any(device.device_id in known for device in _stored_devices(container)):
        return default
    return None


def _remember(container: Container, parameters: DemoParameters, end: datetime, days: int) -> None:
    value = {
        "seed": parameters.seed,
        "userCount": parameters.user_count,
        "deviceCount": parameters.device_count,
        "days": days,
        "endDateTime": format_timestamp(end),
    }
    with container.ctx.uow() as uow:
        uow.system.put(DEMO_KEY, json.dumps(value, separators=(",", ":")))
        uow.commit()


def _stored_devices(container: Container) -> Iterator[Device]:
    offset = 0
    while True:
        page = container.telemetry.devices(limit=MAX_LIST, offset=offset)
        yield from page
        if len(page) < MAX_LIST:
            return
        offset += len(page)


def _message_records(message: EmailMessage) -> list[dict[str, Any]]:
    """A stored message as the ingest records the connectors are seeded from (one a copy)."""
    return [
        {
            "networkMessageId": message.network_message_id,
            "internetMessageId": message.internet_message_id,
            "receivedDateTime": format_timestamp(message.received_at),
            "subject": message.subject,
            "senderFromAddress": message.sender_from_address,
            "recipientEmailAddress": recipient,
            "deliveryLocation": message.delivery_location.value,
            "attachments": [{"fileName": a.name, "sha256": a.sha256} for a in message.attachments],
        }
        for recipient in message.recipients
    ]


def has_alerts(container: Container) -> bool:
    """True when the database already holds alerts."""
    page, _ = container.alerts.queue(
        ListQuery(filter=Compare("createdDateTime", CompareOp.GE, EPOCH), top=1)
    )
    return bool(page.items)
