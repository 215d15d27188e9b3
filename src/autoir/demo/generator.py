"""The entry point: :func:`generate_demo_tenant`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from autoir.demo.alerts import Triage
from autoir.demo.directory import build_directory
from autoir.demo.evidence import EvidenceKit
from autoir.demo.noise import Background
from autoir.demo.scenarios import build_scenarios
from autoir.demo.telemetry import DemoTelemetry, build_telemetry

if TYPE_CHECKING:
    from autoir.demo.directory import DemoDevice, DemoUser, Directory
    from autoir.demo.storyline import Scenario

DEFAULT_DOMAIN = "fabrikam.example"


@dataclass(frozen=True, slots=True)
class DemoTenant:
    """A generated tenant: its directory, its alerts (oldest first) and its telemetry.

    Each alert is a JSON-ready Graph ``alert`` request body for AutoIR's ingest API; the
    telemetry holds records for ``POST /api/v1/telemetry/{kind}`` that tell the same stories.
    """

    domain: str
    users: tuple[DemoUser, ...]
    devices: tuple[DemoDevice, ...]
    alerts: tuple[dict[str, object], ...]
    telemetry: DemoTelemetry = field(default_factory=DemoTelemetry)


def _stream(seed: int, name: str) -> random.Random:
    """An independent random stream per part, so that changing one part leaves the others."""
    return random.Random(f"autoir-demo/{seed}/{name}")


def _window(now: datetime, days: int) -> tuple[datetime, datetime]:
    if days < 1:
        raise ValueError("days must be at least 1")
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    return now - timedelta(days=days), now


def build_demo_directory(*, seed: int, user_count: int, device_count: int) -> Directory:
    """The users and devices of the tenant for ``seed`` (the first step of generation)."""
    return build_directory(_stream(seed, "directory"), DEFAULT_DOMAIN, user_count, device_count)


def _scenarios(
    seed: int, directory: Directory, triage: Triage, start: datetime
) -> tuple[list[Scenario], EvidenceKit]:
    kit = EvidenceKit(_stream(seed, "scenario-evidence"), directory, triage.now)
    return build_scenarios(_stream(seed, "scenarios"), kit, triage, start), kit


def generate_demo_scenarios(
    *, seed: int, now: datetime, days: int = 30, user_count: int = 300, device_count: int = 250
) -> list[Scenario]:
    """The attack scenarios of the tenant, by name; their alerts are part of the tenant.

    Takes the same arguments as :func:`generate_demo_tenant` and shows which alerts belong
    together.
    """
    start, now = _window(now, days)
    directory = build_demo_directory(seed=seed, user_count=user_count, device_count=device_count)
    return _scenarios(seed, directory, Triage(now, directory.analysts), start)[0]


def generate_demo_tenant(
    *, seed: int, now: datetime, days: int = 30, user_count: int = 300, device_count: int = 250
) -> DemoTenant:
    """Generate a deterministic demo tenant.

    The same ``seed`` and ``now`` always give an equal tenant. Nothing is read from the clock
    or the global random state.

    Args:
        seed: selects the tenant.
        now: the end of the time window (naive values are taken as UTC).
        days: length of the time window; every alert is created within it.
        user_count: how many users the directory has.
        device_count: how many devices the directory has.

    Returns:
        The tenant, its alerts sorted by ``createdDateTime`` and its telemetry.

    Raises:
        ValueError: if ``days`` is below 1 or the directory would be too small.
    """
    start, now = _window(now, days)
    directory = build_demo_directory(seed=seed, user_count=user_count, device_count=device_count)
    triage = Triage(now, directory.analysts)
    kit = EvidenceKit(_stream(seed, "background-evidence"), directory, now)
    alerts = Background(_stream(seed, "background"), kit, triage).alerts(start, now)
    scenarios, scenario_kit = _scenarios(seed, directory, triage, start)
    for scenario in scenarios:
        alerts.extend(scenario.alerts)
    alerts.sort(key=lambda alert: str(alert["createdDateTime"]))
    telemetry = build_telemetry(
        {name: _stream(seed, f"telemetry-{name}") for name in ("mail", "endpoint", "sign-ins")},
        directory,
        (start, now),
        (kit.log, scenario_kit.log),
        alerts,
    )
    return DemoTenant(
        domain=directory.domain,
        users=directory.users,
        devices=directory.devices,
        alerts=tuple(alerts),
        telemetry=telemetry,
    )
