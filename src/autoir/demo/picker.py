"""Subjects for background alerts: weighted users and devices, recurring files, fillers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from autoir.demo.primitives import hex_string, random_file

if TYPE_CHECKING:
    from datetime import timedelta
    from random import Random

    from autoir.demo.content import Threat
    from autoir.demo.directory import DemoDevice, DemoUser
    from autoir.demo.evidence import Evidence, EvidenceKit
    from autoir.demo.primitives import FileSpec


@dataclass(frozen=True, slots=True)
class Built:
    """Evidence for one alert, how long before creation the activity began, and hints.

    ``tp_rate`` overrides the kind's true-positive rate when the evidence decides it.
    """

    evidence: list[Evidence]
    lead: timedelta
    threat: Threat | None = None
    detail: str | None = None
    tp_rate: float | None = None


class Picker:
    """Chooses users, devices and files; a few users and devices are much noisier."""

    def __init__(self, rng: Random, kit: EvidenceKit) -> None:
        """Index the directory with skewed (log-normal) activity weights."""
        self.rng = rng
        self.kit = kit
        directory = kit.directory
        self.users = directory.users
        self._user_cum = list(itertools.accumulate(rng.lognormvariate(0, 1) for _ in self.users))
        self.clients = [d for d in directory.devices if d.os_platform in ("Windows10", "Windows11")]
        self._client_cum = list(
            itertools.accumulate(rng.lognormvariate(0, 1) for _ in self.clients)
        )
        self.linux = directory.devices_where(platform_prefix="Linux")
        self.servers = directory.devices_where(platform_prefix="WindowsServer")
        self._files: dict[str, list[FileSpec]] = {}

    def user(self) -> DemoUser:
        """A user, some far more often than others."""
        return self.rng.choices(self.users, cum_weights=self._user_cum)[0]

    def client(self) -> tuple[DemoDevice, DemoUser]:
        """A Windows client and the user signed in to it."""
        device = self.rng.choices(self.clients, cum_weights=self._client_cum)[0]
        owner = self.kit.directory.user(device.owner_upn) if device.owner_upn else self.user()
        return device, owner

    def fill(self, template: str) -> str:
        """Fill ``{n}``, ``{q}``, ``{y}`` and ``{m}`` placeholders with plausible numbers."""
        rng = self.rng
        return template.format(
            n=rng.randint(1000, 99999),
            q=rng.randint(1, 4),
            y=self.kit.now.year,
            m=rng.randint(1, 12),
        )

    def family_file(self, family: str, name: str, folder: str) -> FileSpec:
        """One of a few variants per threat family, so that hashes recur across devices."""
        pool = self._files.setdefault(family, [])
        if len(pool) < 4 and (not pool or self.rng.random() < 0.3):
            pool.append(random_file(self.rng, name, folder, size=(40_000, 2_500_000)))
        return replace(self.rng.choice(pool), folder=folder)

    def phishing_url(self, domain: str) -> str:
        """A URL on ``domain`` with a random path and token."""
        path = self.rng.choice(("login", "owa/auth", "verify", "doc/view", "secure/signin"))
        return f"https://{domain}/{path}?id={hex_string(self.rng, 12)}"
