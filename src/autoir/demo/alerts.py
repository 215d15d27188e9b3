"""Assembling Graph ``alert`` request bodies, and the triage state an alert has reached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from autoir.demo.primitives import dotnet_ticks, hex_string, iso, new_guid

if TYPE_CHECKING:
    from collections.abc import Sequence
    from random import Random

    from autoir.demo.content import Threat
    from autoir.demo.evidence import Evidence
    from autoir.demo.kinds import AlertKind

Alert = dict[str, object]

FALSE_POSITIVE = ("notMalicious", "notEnoughDataToValidate", "other")
_FALSE_POSITIVE_WEIGHTS = (6, 3, 1)
# (new, inProgress, resolved) weights for alerts older than three days, by severity.
_OLD_ALERT_WEIGHTS = {
    "informational": (55, 8, 37),
    "low": (48, 12, 40),
    "medium": (32, 20, 48),
    "high": (12, 18, 70),
}


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Where an alert is in triage: status, owner and, once resolved, the verdict."""

    status: str = "new"
    assigned_to: str | None = None
    classification: str | None = None
    determination: str | None = None
    resolved: datetime | None = None
    updated: datetime | None = None


def provider_alert_id(rng: Random, kind: AlertKind, created: datetime) -> str:
    """An id in the style of the source product (e.g. ``da638…_-1234`` for Defender)."""
    if kind.service == "microsoftDefenderForEndpoint":
        return f"da{dotnet_ticks(created)}_{rng.randint(-(2**31), 2**31 - 1)}"
    if kind.service == "microsoftDefenderForCloudApps":
        return "ca" + hex_string(rng, 24)
    if kind.service == "azureAdIdentityProtection":
        return "ad" + hex_string(rng, 64)
    prefix = {
        "microsoftDefenderForOffice365": "fa",
        "microsoftDefenderForIdentity": "aa",
        "microsoftAppGovernance": "ma",
        "dataLossPrevention": "dl",
        "microsoft365Defender": "ea" if kind.detection == "customDetection" else "ra",
    }.get(kind.service, "xa")
    return prefix + new_guid(rng)


def build_alert(
    rng: Random,
    kind: AlertKind,
    *,
    created: datetime,
    first: datetime,
    last: datetime,
    evidence: Sequence[Evidence],
    lifecycle: Lifecycle,
    threat: Threat | None = None,
    detail: str | None = None,
    with_provider_id: bool = True,
) -> Alert:
    """A Graph ``alert`` body for ingestion (no ``id`` or ``incidentId``: AutoIR assigns them).

    Args:
        rng: the seeded source of randomness (provider alert id).
        kind: the catalog entry: title, sources, category, severity, MITRE techniques.
        created: ``createdDateTime``.
        first: ``firstActivityDateTime``.
        last: ``lastActivityDateTime``.
        evidence: the evidence objects.
        lifecycle: status, assignment and classification.
        threat: the threat name, for kinds that name one.
        detail: a sentence appended to the kind's description.
        with_provider_id: False for the few alerts whose source sends no id.

    Returns:
        The JSON-ready alert.
    """
    title = kind.title.format(family=threat.family) if threat else kind.title
    description = f"{kind.description} {detail}" if detail else kind.description
    alert: Alert = {}
    if with_provider_id:
        alert["providerAlertId"] = provider_alert_id(rng, kind, created)
    alert |= {
        "serviceSource": kind.service,
        "detectionSource": kind.detection,
        "productName": kind.product_name,
        "detectorId": kind.detector_id,
        "title": title,
        "description": description,
        "recommendedActions": kind.actions,
        "category": kind.category,
        "severity": kind.severity,
        "status": lifecycle.status,
        "assignedTo": lifecycle.assigned_to,
        "mitreTechniques": list(kind.mitre),
        "createdDateTime": iso(created),
        "lastUpdateDateTime": iso(lifecycle.updated or created),
        "firstActivityDateTime": iso(first),
        "lastActivityDateTime": iso(last),
    }
    if lifecycle.status == "resolved" and lifecycle.resolved is not None:
        alert["resolvedDateTime"] = iso(lifecycle.resolved)
    if lifecycle.classification is not None:
        alert["classification"] = lifecycle.classification
        alert["determination"] = lifecycle.determination
    if threat is not None:
        alert["threatDisplayName"] = threat.display_name
        alert["threatFamilyName"] = threat.family
    alert["evidence"] = list(evidence)
    return alert


@dataclass(frozen=True, slots=True)
class Triage:
    """Decides the triage state of alerts from their age, like a busy SOC would leave it."""

    now: datetime
    analysts: tuple[str, ...]

    def _later(
        self, rng: Random, created: datetime, low_hours: float, high_hours: float
    ) -> datetime:
        """A moment some hours after ``created`` (log-uniform), never after now."""
        delta = timedelta(hours=low_hours * (high_hours / low_hours) ** rng.random())
        latest = self.now - timedelta(seconds=rng.uniform(5, 300))
        return max(created, min(created + delta, latest))

    def background(
        self, rng: Random, kind: AlertKind, created: datetime, tp_rate: float | None = None
    ) -> Lifecycle:
        """The state of a background alert created at ``created``.

        ``tp_rate`` overrides the kind's true-positive rate when the evidence says more
        (a reported newsletter is never phishing).
        """
        age = (self.now - created) / timedelta(days=1)
        if age < 0.5:
            weights = (97, 3, 0)
        elif age < 3:
            weights = (62, 22, 16)
        else:  # the backlog: low-severity alerts are the ones left untouched
            weights = _OLD_ALERT_WEIGHTS.get(kind.severity, (40, 15, 45))
        status = rng.choices(("new", "inProgress", "resolved"), weights)[0]
        if status == "new":
            owner = rng.choice(self.analysts) if rng.random() < 0.08 else None
            return Lifecycle(assigned_to=owner, updated=created)
        owner = rng.choice(self.analysts)
        if status == "inProgress":
            return Lifecycle("inProgress", owner, updated=self._later(rng, created, 0.1, 30))
        resolved = self._later(rng, created, 0.3, 60)
        owner = owner if rng.random() < 0.9 else None
        if rng.random() < 0.25:  # resolved without a classification
            return Lifecycle("resolved", owner, resolved=resolved, updated=resolved)
        classification, determination = self.verdict(rng, kind, tp_rate)
        return Lifecycle("resolved", owner, classification, determination, resolved, resolved)

    @staticmethod
    def verdict(rng: Random, kind: AlertKind, tp_rate: float | None = None) -> tuple[str, str]:
        """A consistent (classification, determination) pair for a resolved alert."""
        rate = kind.tp_rate if tp_rate is None else tp_rate
        roll = rng.random()
        if roll < rate:
            return "truePositive", kind.tp
        if roll < rate + (1 - rate) * 0.55:
            return "informationalExpectedActivity", kind.benign
        determination = rng.choices(FALSE_POSITIVE, _FALSE_POSITIVE_WEIGHTS)[0]
        return "falsePositive", determination

    def scenario(
        self,
        rng: Random,
        created: datetime,
        outcome: Outcome,
    ) -> Lifecycle:
        """The state of one alert of an attack scenario with the given ``outcome``."""
        if outcome.mode == "open":
            if rng.random() < 0.7 or outcome.analyst is None:
                return Lifecycle(updated=created)
            return Lifecycle(
                "inProgress", outcome.analyst, updated=self._later(rng, created, 0.05, 4)
            )
        if outcome.mode == "investigating" and rng.random() < 0.7:
            return Lifecycle(
                "inProgress", outcome.analyst, updated=self._later(rng, created, 0.1, 12)
            )
        resolved = max(outcome.resolve_at, created + timedelta(minutes=rng.uniform(10, 90)))
        resolved = max(created, min(resolved, self.now - timedelta(seconds=rng.uniform(5, 120))))
        return Lifecycle(
            "resolved",
            outcome.analyst,
            outcome.classification,
            outcome.determination,
            resolved,
            resolved,
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the SOC handled a scenario: still open, being investigated, or resolved."""

    mode: str
    analyst: str | None
    classification: str
    determination: str
    resolve_at: datetime
