"""The frame every attack scenario is written in: its cast, its clock and its alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from autoir.demo.alerts import build_alert
from autoir.demo.catalog import alert_kind

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime
    from random import Random

    from autoir.demo.alerts import Alert, Outcome, Triage
    from autoir.demo.content import Threat
    from autoir.demo.directory import DemoDevice, DemoUser, Directory
    from autoir.demo.evidence import Evidence, EvidenceKit


@dataclass(slots=True)
class Cast:
    """Hands out users and devices, each to at most one scenario, so incidents stay apart."""

    rng: Random
    directory: Directory
    taken: set[str] = field(default_factory=set)

    def user(self, accept: Callable[[DemoUser], bool] = lambda _: True) -> DemoUser:
        """A user not yet in any scenario that ``accept`` likes (any free user as fallback)."""
        free = [u for u in self.directory.users if u.upn not in self.taken]
        chosen = self.rng.choice(
            [u for u in free if accept(u)] or free or list(self.directory.users)
        )
        self.taken.add(chosen.upn)
        return chosen

    def users(self, count: int) -> list[DemoUser]:
        """``count`` distinct free users."""
        return [self.user() for _ in range(count)]

    def with_workstation(
        self, accept: Callable[[DemoUser], bool] = lambda _: True
    ) -> tuple[DemoUser, DemoDevice]:
        """A free user who owns a free Windows workstation, and that workstation.

        In a directory too small for every scenario to get its own, users and then devices
        are shared.
        """
        directory = self.directory
        owned = [
            (u, d)
            for u in directory.users
            if (d := directory.windows_workstation_of(u)) is not None
        ]
        free_devices = [p for p in owned if p[1].device_id not in self.taken]
        free = [p for p in free_devices if p[0].upn not in self.taken]
        for pool in (free, free_devices, owned):
            liked = [p for p in pool if accept(p[0])]
            if liked or pool:
                user, device = self.rng.choice(liked or pool)
                break
        else:
            raise ValueError("the directory has no user-owned Windows workstation")
        self.taken.update((user.upn, device.device_id))
        return user, device

    def device(
        self,
        accept: Callable[[DemoDevice], bool],
        fallback: Callable[[DemoDevice], bool] = lambda _: True,
    ) -> DemoDevice:
        """A free device that ``accept`` likes, else one that ``fallback`` likes."""
        free = [d for d in self.directory.devices if d.device_id not in self.taken]
        chosen = self.rng.choice(
            [d for d in free if accept(d)] or [d for d in free if fallback(d)] or free
        )
        self.taken.add(chosen.device_id)
        return chosen


@dataclass(frozen=True, slots=True)
class Scenario:
    """One attack (or red-team exercise): a name and the alerts it raised."""

    name: str
    alerts: tuple[Alert, ...]


@dataclass(slots=True)
class Story:
    """Writes the alerts of one scenario on a clock that fits the scenario into the window.

    Builders place events at offsets from the start of the scenario; :meth:`at` maps an
    offset onto the real clock (compressed when the window is shorter than the scenario).
    """

    name: str
    rng: Random
    kit: EvidenceKit
    triage: Triage
    outcome: Outcome
    origin: datetime
    scale: float
    alerts: list[Alert] = field(default_factory=list)

    def at(self, offset: timedelta) -> datetime:
        """The moment ``offset`` after the start of the scenario (never after now)."""
        moment = self.origin + offset * self.scale
        return min(moment, self.kit.now - timedelta(seconds=1))

    def emit(
        self,
        key: str,
        created: datetime,
        evidence: Sequence[Evidence],
        *,
        lead: timedelta = timedelta(minutes=3),
        threat: Threat | None = None,
        detail: str | None = None,
    ) -> None:
        """Add an alert of kind ``key`` created at ``created``; activity began ``lead`` before."""
        first = max(created - lead * self.scale, min(self.origin, created))
        last = first + (created - first) * self.rng.uniform(0.7, 1.0)
        self.alerts.append(
            build_alert(
                self.rng,
                alert_kind(key),
                created=created,
                first=first,
                last=last,
                evidence=evidence,
                lifecycle=self.triage.scenario(self.rng, created, self.outcome),
                threat=threat,
                detail=detail,
            )
        )
