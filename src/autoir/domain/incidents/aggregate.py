"""What an incident knows about its alerts, kept up to date as alerts arrive.

Computing these from the alerts table on every ingest batch would cost a scan of each incident's
alerts (a hot entity can gather 100,000); instead each batch adds its contribution, and a full
recount happens only when analysts change alerts or incidents merge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from autoir.domain.alerts.enums import AlertSeverity, AlertStatus
from autoir.domain.alerts.evidence import Entity, EntityKind

MAX_LABELS = 3
MAX_CATEGORIES = 8
_OPAQUE = re.compile(
    r"^([0-9a-f]{32,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|s-1-[0-9-]+)$"
)
_LABEL_KINDS = (EntityKind.DEVICE, EntityKind.USER, EntityKind.MAILBOX)


@dataclass(slots=True)
class IncidentStats:
    """Aggregates of a set of alerts: counts, highest severity, categories, readable entities."""

    alert_count: int = 0
    open_count: int = 0
    severity: AlertSeverity = AlertSeverity.UNKNOWN
    first_title: str | None = None
    categories: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def add_alert(
        self,
        title: str,
        severity: AlertSeverity,
        status: AlertStatus,
        category: str | None,
        entities: Iterable[Entity],
    ) -> None:
        """Count one alert (call in creation order: the first title names the incident)."""
        self.alert_count += 1
        if status is not AlertStatus.RESOLVED:
            self.open_count += 1
        if severity.rank > self.severity.rank:
            self.severity = severity
        if self.first_title is None:
            self.first_title = title
        if category and category not in self.categories and len(self.categories) < MAX_CATEGORIES:
            self.categories.append(category)
        if len(self.labels) < MAX_LABELS:  # labels are only looked for until three are known
            self.add_labels(entity_labels(entities))

    def add_labels(self, labels: Iterable[str]) -> None:
        """Remember up to three readable entity names."""
        for label in labels:
            if len(self.labels) >= MAX_LABELS:
                return
            if label not in self.labels:
                self.labels.append(label)

    def merge(self, other: IncidentStats) -> None:
        """Add another set of alerts (this one's first title wins)."""
        self.alert_count += other.alert_count
        self.open_count += other.open_count
        if other.severity.rank > self.severity.rank:
            self.severity = other.severity
        self.first_title = self.first_title or other.first_title
        for category in other.categories:
            if category not in self.categories and len(self.categories) < MAX_CATEGORIES:
                self.categories.append(category)
        self.add_labels(other.labels)


def entity_labels(entities: Iterable[Entity]) -> list[str]:
    """Human-readable device, user and mailbox names (not opaque ids), devices first."""
    found = [
        e for e in entities if e.kind in _LABEL_KINDS and e.strong and not _OPAQUE.match(e.value)
    ]
    found.sort(key=lambda e: _LABEL_KINDS.index(e.kind))
    return list(dict.fromkeys(e.value for e in found))


def _split_words(category: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", category).capitalize()


def incident_name(stats: IncidentStats) -> str:
    """A Defender-style name.

    One alert: ``"Suspicious PowerShell command line on web-01"``; several:
    ``"Multi-stage incident involving Execution & Credential access on web-01 and alice@…"``.
    """
    on = f" on {' and '.join(stats.labels[:2])}" if stats.labels else ""
    if stats.alert_count <= 1 or not stats.categories:
        return f"{stats.first_title or 'Incident'}{on}"
    kinds = " & ".join(_split_words(c) for c in stats.categories[:3])
    prefix = "Multi-stage incident" if len(stats.categories) > 1 else f"{stats.alert_count} alerts"
    return f"{prefix} involving {kinds}{on}"
