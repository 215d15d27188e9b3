"""Manifest and settings of ``analyzer.user``."""

from __future__ import annotations

from pydantic import Field

from autoir.domain.verdicts.observables import ObservableKind
from autoir.plugins.manifest import Manifest, PluginKind, PluginSettings


class UserSettings(PluginSettings):
    """Thresholds of the sign-in checks."""

    impossible_travel_kmh: float = Field(
        default=900.0, gt=0, description="Speed between two sign-ins no traveller reaches."
    )
    min_travel_km: float = Field(
        default=500.0, ge=0, description="Shorter hops are ignored (IP geolocation is coarse)."
    )
    recent_hours: float = Field(
        default=48.0, gt=0, description="Sign-ins this close to the investigation are 'recent'."
    )
    baseline_sign_ins: int = Field(
        default=5, ge=1, description="Older sign-ins needed before a new country counts."
    )
    failure_burst: int = Field(
        default=10, ge=2, description="Failed sign-ins within burst_minutes that make a burst."
    )
    burst_minutes: float = Field(default=60.0, gt=0)


MANIFEST = Manifest(
    id="analyzer.user",
    name="User sign-ins and mailbox",
    version="1.0",
    kind=PluginKind.ANALYZER,
    description=(
        "Judges a user from recent sign-ins — impossible travel, a country never seen before, "
        "bursts of failures and a success right after — and external mail forwarding when a "
        "mail connector reports it."
    ),
    observable_kinds=frozenset({ObservableKind.USER}),
    settings_model=UserSettings,
)
