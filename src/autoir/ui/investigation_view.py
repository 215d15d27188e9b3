"""One investigation shaped for its page: graph, tab contents, counts (reference §2.4, §2.5).

The page reads :class:`autoir.services.investigations.InvestigationDetail`; this module groups
its evidence by tab (email messages and clusters, mailboxes and users, devices), counts the
entities per kind and verdict, and builds the graph the browser draws with Cytoscape.js.
Every graph node names the table row it stands for, so a click selects that row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from autoir.domain.alerts.record import AlertRecord
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.record import InvestigationRecord, LogEntry
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.services.investigations import MANUAL_SUBJECTS, InvestigationDetail
from autoir.ui.action_view import ActionGroup, decided, pending_groups
from autoir.ui.assets import Asset

LABEL_LENGTH = 32
PENDING_ACTION_STATUSES = frozenset({ActionStatus.PENDING})
VERDICTS = ("malicious", "suspicious", "noThreatsFound", "unknown")
EMAIL_KINDS = ("analyzedMessage", "mailCluster")
IDENTITY_KINDS = ("mailbox", "user")


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """An evidence item with the id of its table row."""

    row_id: str
    item: EvidenceItem

    @property
    def props(self) -> Mapping[str, Any]:
        """The item's Graph-shaped properties."""
        return self.item.properties


@dataclass(frozen=True, slots=True)
class KindSummary:
    """The Entities tab: one evidence kind counted by verdict and remediation state."""

    kind: str
    total: int
    by_verdict: dict[str, int]
    pending: int
    remediated: int


@dataclass(frozen=True, slots=True)
class InvestigationView:
    """Everything the investigation page shows, grouped by tab."""

    record: InvestigationRecord
    alerts: list[tuple[AlertRecord, str]]
    evidence: list[EvidenceRow]
    messages: list[EvidenceRow]
    clusters: list[EvidenceRow]
    identities: list[EvidenceRow]
    devices: list[EvidenceRow]
    kinds: list[KindSummary]
    log: list[LogEntry]
    actions: list[RemediationAction]
    pending_groups: list[ActionGroup]
    history: list[RemediationAction]
    pending_actions: int
    total_pending: timedelta
    graph: dict[str, Any]
    involved: list[Asset]


def _short(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


def build_graph(detail: InvestigationDetail, rows: Sequence[EvidenceRow]) -> dict[str, Any]:
    """Nodes (alerts, evidence) and edges (alert → evidence it named, item → related item)."""
    nodes: list[dict[str, Any]] = [
        {
            "id": f"alert:{alert.id}",
            "kind": "alert",
            "label": _short(alert.title),
            "title": alert.title,
            "severity": alert.severity.value,
            "verdict": "alert",
            "row": f"al-{index}",
            "tab": "tab-alerts",
        }
        for index, (alert, _role) in enumerate(detail.alerts)
    ]
    keys = {row.item.key for row in rows} | {node["id"] for node in nodes}
    edges: list[dict[str, str]] = []
    for row in rows:
        item = row.item
        nodes.append(
            {
                "id": item.key,
                "kind": item.kind,
                "label": _short(item.name),
                "title": item.name,
                "verdict": item.verdict.value,
                "row": row.row_id,
                "tab": "tab-evidence",
            }
        )
        edges.extend(
            {"source": related, "target": item.key} for related in item.related if related in keys
        )
    for n, edge in enumerate(edges):
        edge["id"] = f"edge-{n}"
    return {"nodes": nodes, "edges": edges}


def _kinds(rows: Sequence[EvidenceRow]) -> list[KindSummary]:
    by_kind: dict[str, list[EvidenceItem]] = {}
    for row in rows:
        by_kind.setdefault(row.item.kind, []).append(row.item)
    summaries = []
    for kind, items in sorted(by_kind.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        verdicts = Counter(item.verdict.value for item in items)
        remediation = Counter(item.remediation_status.value for item in items)
        summaries.append(
            KindSummary(
                kind=kind,
                total=len(items),
                by_verdict={v: verdicts.get(v, 0) for v in VERDICTS},
                pending=remediation.get("pendingApproval", 0),
                remediated=remediation.get("remediated", 0) + remediation.get("prevented", 0),
            )
        )
    return summaries


def total_pending(record: InvestigationRecord, now: datetime) -> timedelta:
    """Time spent waiting for approval, including the wait still going on."""
    if record.pending_since is None:
        return record.total_pending
    return record.total_pending + max(timedelta(0), (record.ended_at or now) - record.pending_since)


def investigation_view(detail: InvestigationDetail, now: datetime) -> InvestigationView:
    """Group an investigation's detail for its page."""
    rows = [EvidenceRow(f"ev-{n}", item) for n, item in enumerate(detail.evidence)]
    return InvestigationView(
        record=detail.record,
        alerts=[(alert, role.value) for alert, role in detail.alerts],
        evidence=rows,
        messages=[r for r in rows if r.item.kind == "analyzedMessage"],
        clusters=[r for r in rows if r.item.kind == "mailCluster"],
        identities=[r for r in rows if r.item.kind in IDENTITY_KINDS],
        devices=[r for r in rows if r.item.kind == "device"],
        kinds=_kinds(rows),
        log=list(detail.log),
        actions=list(detail.actions),
        pending_groups=pending_groups(detail.actions),
        history=decided(detail.actions),
        pending_actions=sum(1 for a in detail.actions if a.status in PENDING_ACTION_STATUSES),
        total_pending=total_pending(detail.record, now),
        graph=build_graph(detail, rows),
        involved=[
            *(Asset("user", name) for name in detail.record.users),
            *(Asset("mailbox", name) for name in detail.record.mailboxes),
            *(Asset("device", name) for name in detail.record.devices),
        ],
    )


def status_breakdown(counts: Mapping[str, int], order: Sequence[str]) -> list[tuple[str, int]]:
    """Statuses with at least one investigation, in the display order."""
    known = [(status, counts[status]) for status in order if counts.get(status)]
    return known + sorted((s, n) for s, n in counts.items() if s not in order and n)


def manual_subjects(alert: AlertRecord) -> list[tuple[str, str]]:
    """What an analyst may investigate from an alert: ``(type:value, kind)`` per entity."""
    found: dict[str, str] = {}
    for evidence in alert.evidence:
        kind = str(evidence.get("@odata.type", "")).rsplit(".", 1)[-1].removesuffix("Evidence")
        value: object = None
        entity_type = None
        if kind == "analyzedMessage":
            entity_type, value = "email", evidence.get("networkMessageId")
        elif kind == "mailbox":
            entity_type, value = "mailbox", evidence.get("primaryAddress")
        elif kind == "device":
            entity_type = "device"
            value = evidence.get("deviceDnsName") or evidence.get("mdeDeviceId")
        elif kind == "user":
            account = evidence.get("userAccount") or {}
            entity_type = "user"
            value = account.get("userPrincipalName") if isinstance(account, dict) else None
        if entity_type in MANUAL_SUBJECTS and isinstance(value, str) and value.strip():
            found.setdefault(f"{entity_type}:{value.strip()}", entity_type)
    return list(found.items())
