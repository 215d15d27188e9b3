"""Loading the demo tenant with a progress bar."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.progress import Progress

from autoir.bootstrap import Container
from autoir.demo import generate_demo_tenant
from autoir.domain.queries.filters import Compare, CompareOp, ListQuery

BATCH = 500
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def load_demo(container: Container, *, seed: int = 7, days: int = 30, progress: bool = True) -> int:
    """Generate the seeded demo tenant ending now and ingest it; return the alert count."""
    tenant = generate_demo_tenant(seed=seed, now=datetime.now(UTC), days=days)
    alerts: list[object] = list(tenant.alerts)
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("Loading demo alerts", total=len(alerts))
        for start in range(0, len(alerts), BATCH):
            chunk = alerts[start : start + BATCH]
            container.ingest.ingest(chunk)
            bar.advance(task, len(chunk))
    return len(alerts)


def has_alerts(container: Container) -> bool:
    """True when the database already holds alerts."""
    page, _ = container.alerts.queue(
        ListQuery(filter=Compare("createdDateTime", CompareOp.GE, EPOCH), top=1)
    )
    return bool(page.items)
