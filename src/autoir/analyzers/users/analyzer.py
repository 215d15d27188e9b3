"""``analyzer.user``: sign-in anomalies and external forwarding.

- **Impossible travel**: two successful sign-ins whose locations are further apart than
  ``min_travel_km`` and would need more than ``impossible_travel_kmh``.
- **New country**: a recent successful sign-in from a country absent from the user's older
  sign-ins (needs ``baseline_sign_ins`` of them; without history nothing is new).
- **Failure burst**: ``failure_burst`` failures within ``burst_minutes``; a success from one of
  the failing IPs right after it is the signature of a guessed password.
- **External forwarding** (when a mail connector reports it).
"""

from __future__ import annotations

import math
from datetime import timedelta
from itertools import pairwise

from autoir.analyzers.manifested import ManifestedAnalyzer
from autoir.analyzers.reporting import build_report
from autoir.analyzers.users.manifest import MANIFEST, UserSettings
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.telemetry.signins import SignIn
from autoir.domain.verdicts.observables import (
    Observable,
    ObservableKind,
    Subject,
    UserActivitySubject,
)
from autoir.domain.verdicts.report import AnalyzerReport, Reason
from autoir.ports.analyzer import AnalysisContext

EARTH_RADIUS_KM = 6371.0


def distance_km(a: SignIn, b: SignIn) -> float | None:
    """Great-circle distance between two geolocated sign-ins (None when either has no point)."""
    la, lb = a.location, b.location
    if None in (la.latitude, la.longitude, lb.latitude, lb.longitude):
        return None
    lat1, lon1 = math.radians(la.latitude or 0.0), math.radians(la.longitude or 0.0)
    lat2, lon2 = math.radians(lb.latitude or 0.0), math.radians(lb.longitude or 0.0)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _place(sign_in: SignIn) -> str:
    loc = sign_in.location
    parts = [p for p in (loc.city, loc.country) if p]
    return ", ".join(parts) or (sign_in.ip or "unknown place")


class UserAnalyzer(ManifestedAnalyzer):
    """``analyzer.user``."""

    MANIFEST = MANIFEST

    def __init__(self, settings: UserSettings = UserSettings()) -> None:
        """Keep the thresholds."""
        self._s = settings

    def analyze(self, subject: Subject, context: AnalysisContext) -> AnalyzerReport:  # noqa: ARG002 - the port's signature
        """Judge one user's recent activity."""
        if not isinstance(subject, UserActivitySubject):
            return build_report(self.id, (), examined=False)
        ordered = sorted(subject.sign_ins, key=lambda s: s.time)
        reasons: list[Reason] = []
        reasons.extend(self._travel(ordered))
        reasons.extend(self._new_country(ordered, subject))
        reasons.extend(self._bursts(ordered))
        if subject.external_forwarding:
            targets = ", ".join(subject.external_forwarding[:3])
            reasons.append(
                Reason(
                    "user.external_forwarding",
                    f"The mailbox forwards mail outside the organisation ({targets})",
                    EvidenceVerdict.SUSPICIOUS,
                    0.6,
                )
            )
        examined = bool(ordered) or subject.external_forwarding is not None
        ips = dict.fromkeys(s.ip for s in ordered if s.ip and s.success)
        observables = [subject.observable, *(Observable(ObservableKind.IP, ip) for ip in ips)]
        return build_report(self.id, reasons, observables, examined=examined)

    def _travel(self, ordered: list[SignIn]) -> list[Reason]:
        successes = [s for s in ordered if s.success]
        worst: tuple[float, SignIn, SignIn, float] | None = None
        for before, after in pairwise(successes):
            km = distance_km(before, after)
            if km is None or km < self._s.min_travel_km:
                continue
            hours = max((after.time - before.time).total_seconds() / 3600, 1 / 60)
            speed = km / hours
            if speed > self._s.impossible_travel_kmh and (worst is None or speed > worst[0]):
                worst = (speed, before, after, km)
        if worst is None:
            return []
        speed, before, after, km = worst
        minutes = (after.time - before.time).total_seconds() / 60
        return [
            Reason(
                "user.impossible_travel",
                f"Signed in from {_place(before)} and {_place(after)}, {km:,.0f} km apart, "
                f"{minutes:,.0f} minutes apart ({speed:,.0f} km/h)",
                EvidenceVerdict.SUSPICIOUS,
                0.6,
            )
        ]

    def _new_country(self, ordered: list[SignIn], subject: UserActivitySubject) -> list[Reason]:
        cutoff = subject.window_end - timedelta(hours=self._s.recent_hours)
        baseline = [s for s in ordered if s.time < cutoff and s.success and s.location.country]
        if len(baseline) < self._s.baseline_sign_ins:
            return []
        known = {s.location.country.lower() for s in baseline if s.location.country}
        fresh = [
            s
            for s in ordered
            if s.time >= cutoff
            and s.success
            and s.location.country
            and s.location.country.lower() not in known
        ]
        if not fresh:
            return []
        countries = ", ".join(dict.fromkeys(s.location.country or "" for s in fresh))
        return [
            Reason(
                "user.new_country",
                f"Recent sign-in from a country not seen in {len(baseline)} earlier sign-ins "
                f"({countries})",
                EvidenceVerdict.SUSPICIOUS,
                0.4,
            )
        ]

    def _bursts(self, ordered: list[SignIn]) -> list[Reason]:
        window = timedelta(minutes=self._s.burst_minutes)
        failures = [s for s in ordered if not s.success]
        start = 0
        burst: list[SignIn] = []
        for end, failure in enumerate(failures):
            while failure.time - failures[start].time > window:
                start += 1
            if end - start + 1 >= self._s.failure_burst and end - start + 1 > len(burst):
                burst = failures[start : end + 1]
        if not burst:
            return []
        ips = {s.ip for s in burst if s.ip}
        reasons = [
            Reason(
                "user.failure_burst",
                f"{len(burst)} failed sign-ins within {self._s.burst_minutes:.0f} minutes "
                f"from {len(ips)} addresses",
                EvidenceVerdict.SUSPICIOUS,
                0.4,
            )
        ]
        last = burst[-1].time
        guessed = next(
            (
                s
                for s in ordered
                if s.success and last <= s.time <= last + window and (s.ip in ips or not s.ip)
            ),
            None,
        )
        if guessed is not None:
            reasons.append(
                Reason(
                    "user.success_after_failure_burst",
                    f"A successful sign-in from {guessed.ip or 'the same source'} followed the "
                    "burst of failures (a guessed or sprayed password)",
                    EvidenceVerdict.MALICIOUS,
                    0.85,
                )
            )
        return reasons
