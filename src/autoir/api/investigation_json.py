"""Investigations as JSON (camelCase, like the rest of the API)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from autoir.api.action_json import action_json
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.record import InvestigationRecord, LogEntry
from autoir.domain.timestamps import format_timestamp
from autoir.services.investigations import InvestigationDetail


def _time(value: datetime | None) -> str | None:
    return format_timestamp(value) if value is not None else None


def _seconds(value: timedelta | None) -> float | None:
    return round(value.total_seconds(), 3) if value is not None else None


def investigation_json(record: InvestigationRecord) -> dict[str, Any]:
    """The list/summary shape (reference §2.3 columns)."""
    return {
        "id": record.id,
        "displayName": record.name,
        "investigationType": record.investigation_type.value,
        "playbookId": record.playbook_id,
        "status": record.status.value,
        "statusDetails": record.status_details,
        "triggeringAlertId": record.triggering_alert_id,
        "createdBy": record.created_by,
        "createdDateTime": _time(record.created_at),
        "lastModifiedDateTime": _time(record.last_modified_at),
        "startDateTime": _time(record.started_at),
        "endDateTime": _time(record.ended_at),
        "durationSeconds": _seconds(record.duration),
        "totalPendingSeconds": _seconds(record.total_pending),
        "threatCount": record.threat_count,
        "actionCount": record.action_count,
        "entityCount": record.entity_count,
        "users": list(record.users),
        "mailboxes": list(record.mailboxes),
        "devices": list(record.devices),
        "subject": dict(record.subject) or None,
    }


def evidence_json(item: EvidenceItem) -> dict[str, Any]:
    """One evidence item with its verdict and reasons."""
    return {
        "key": item.key,
        "kind": item.kind,
        "name": item.name,
        "verdict": item.verdict.value,
        "confidence": round(item.confidence, 3),
        "remediationStatus": item.remediation_status.value,
        "reasons": [
            {"code": r.code, "text": r.text, "verdict": r.verdict.value} for r in item.reasons
        ],
        "detectionOrigin": item.origin.value,
        "firstSeenDateTime": _time(item.first_seen),
        "related": list(item.related),
        "properties": dict(item.properties),
    }


def log_json(entry: LogEntry) -> dict[str, Any]:
    """One log row (reference §2.4 Log tab)."""
    return {
        "id": entry.id,
        "type": entry.kind.value,
        "name": entry.name,
        "status": entry.status.value,
        "description": entry.description,
        "stepId": entry.step_id,
        "createdDateTime": _time(entry.created_at),
        "startDateTime": _time(entry.started_at),
        "durationSeconds": _seconds(entry.duration),
        "queuedSeconds": _seconds(entry.queued),
    }


def graph_json(detail: InvestigationDetail) -> dict[str, Any]:
    """Nodes (alerts, evidence) and edges (alert → evidence it named, item → related item)."""
    nodes: list[dict[str, Any]] = [
        {
            "id": f"alert:{alert.id}",
            "type": "alert",
            "label": alert.title,
            "role": role.value,
            "severity": alert.severity.value,
        }
        for alert, role in detail.alerts
    ]
    keys = {item.key for item in detail.evidence} | {node["id"] for node in nodes}
    edges: list[dict[str, str]] = []
    for item in detail.evidence:
        nodes.append(
            {
                "id": item.key,
                "type": item.kind,
                "label": item.name,
                "verdict": item.verdict.value,
            }
        )
        edges.extend(
            {"source": related, "target": item.key} for related in item.related if related in keys
        )
    return {"nodes": nodes, "edges": edges}


def detail_json(detail: InvestigationDetail) -> dict[str, Any]:
    """The full investigation: summary, graph, alerts, evidence, clusters, log, actions."""
    evidence = [evidence_json(item) for item in detail.evidence]
    return {
        **investigation_json(detail.record),
        "graph": graph_json(detail),
        "alerts": [
            {**alert.to_graph(), "investigationRole": role.value} for alert, role in detail.alerts
        ],
        "evidence": evidence,
        "clusters": [item for item in evidence if item["kind"] == "mailCluster"],
        "log": [log_json(entry) for entry in detail.log],
        "actions": [action_json(action) for action in detail.actions],
    }
