"""Loading the demo tenant with a progress bar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.progress import Progress

from autoir.bootstrap import Container
from autoir.demo import generate_demo_tenant
from autoir.domain.queries.filters import Compare, CompareOp, ListQuery
from autoir.services.telemetry_ingest import parse_kind

BATCH = 500
TELEMETRY_BATCH = 2_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
    return len(alerts)


def has_alerts(container: Container) -> bool:
    """True when the database already holds alerts."""
    page, _ = container.alerts.queue(
        ListQuery(filter=Compare("createdDateTime", CompareOp.GE, EPOCH), top=1)
    )
    return bool(page.items)
