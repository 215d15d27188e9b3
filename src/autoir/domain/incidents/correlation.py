"""Grouping new alerts with each other and with active incidents through shared strong entities.

A pure union-find. The service gives, for each new alert, its strong entity keys, its creation
time and the active incidents that saw one of those keys within the correlation window; two new
alerts sharing a key link only when they are within the window of each other. Per group the
oldest incident (lowest id) is kept and the others are absorbed, so merges are deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

EntityKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class CorrelationInput:
    """One new alert as correlation sees it."""

    keys: tuple[EntityKey, ...]
    created: datetime
    incident_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CorrelationGroup:
    """Alerts (by batch index) that belong together, and the incidents they touch."""

    alert_indexes: tuple[int, ...]
    incident_ids: tuple[int, ...]

    @property
    def keeper(self) -> int | None:
        """The incident that survives (the oldest), or None when a new incident is needed."""
        return min(self.incident_ids) if self.incident_ids else None

    @property
    def absorbed(self) -> tuple[int, ...]:
        """Incidents merged into the keeper (they become ``redirected``)."""
        keeper = self.keeper
        return tuple(i for i in self.incident_ids if i != keeper)


class _UnionFind:
    def __init__(self, size: int, alerts: int) -> None:
        self.parent = list(range(size))
        self.size = [1 if node < alerts else 0 for node in range(size)]

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int, limit: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b or self.size[root_a] + self.size[root_b] > limit:
            return
        low, high = min(root_a, root_b), max(root_a, root_b)
        self.parent[high] = low
        self.size[low] += self.size[high]


def correlate(
    alerts: Sequence[CorrelationInput], window: timedelta, max_alerts: int = 1000
) -> list[CorrelationGroup]:
    """Group the batch's new alerts; one group per connected component, by first alert index.

    A group stops growing at ``max_alerts`` new alerts (the incident correlation limit); later
    alerts that would join it start or join another group.
    """
    order = sorted(range(len(alerts)), key=lambda index: alerts[index].created)
    incident_nodes: dict[int, int] = {}
    for alert in alerts:
        for incident_id in alert.incident_ids:
            incident_nodes.setdefault(incident_id, len(alerts) + len(incident_nodes))
    uf = _UnionFind(len(alerts) + len(incident_nodes), len(alerts))
    last_seen: dict[EntityKey, int] = {}
    for index in order:
        alert = alerts[index]
        for incident_id in alert.incident_ids:
            uf.union(index, incident_nodes[incident_id], max_alerts)
        for key in alert.keys:
            previous = last_seen.get(key)
            if previous is not None and alert.created - alerts[previous].created <= window:
                uf.union(index, previous, max_alerts)
            last_seen[key] = index
    members: dict[int, list[int]] = {}
    for index in range(len(alerts)):
        members.setdefault(uf.find(index), []).append(index)
    touched: dict[int, set[int]] = {}
    for incident_id, node in incident_nodes.items():
        touched.setdefault(uf.find(node), set()).add(incident_id)
    return [
        CorrelationGroup(tuple(indexes), tuple(sorted(touched.get(root, ()))))
        for root, indexes in sorted(members.items(), key=lambda item: item[1][0])
    ]
