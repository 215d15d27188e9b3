"""Remediation actions as the API shows them (Action Center columns, reference §3.2)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.catalog import CATALOGUE, ActionSpec
from autoir.domain.timestamps import format_timestamp


def _time(value: datetime | None) -> str | None:
    return format_timestamp(value) if value is not None else None


def action_json(action: RemediationAction) -> dict[str, Any]:
    """One action with its decision, execution and undo links."""
    spec = action.spec
    return {
        "id": action.id,
        "investigationId": action.investigation_id,
        "actionType": action.action_type.value,
        "actionSource": action.source.value,
        "status": action.status.value,
        "entityType": action.target_kind,
        "entityName": action.target_name,
        "target": action.target_name,
        "targetKey": action.target_key,
        "targetDetails": dict(action.properties),
        "requiresApproval": action.requires_approval,
        "reason": action.reason,
        "requestedBy": action.requested_by,
        "requestComment": action.request_comment,
        "decidedBy": action.decided_by,
        "decidedDateTime": _time(action.decided_at),
        "decisionComment": action.decision_comment,
        "comments": [
            {"comment": c.text, "createdBy": c.author, "createdDateTime": _time(c.created_at)}
            for c in action.comments
        ],
        "createdDateTime": _time(action.created_at),
        "lastUpdateDateTime": _time(action.updated_at),
        "startedDateTime": _time(action.started_at),
        "completedDateTime": _time(action.completed_at),
        "expirationDateTime": _time(action.expires_at),
        "attempts": action.attempts,
        "result": dict(action.result),
        "error": action.error,
        "undoOf": action.undo_of,
        "undoneBy": action.undone_by,
        "canUndo": action.can_undo and not action.result.get("duplicateOf"),
        "isReversible": spec.is_reversible,
        "isDestructive": spec.destructive,
        "requiredPermission": spec.permission.value,
    }


def spec_json(spec: ActionSpec) -> dict[str, Any]:
    """One catalogue entry."""
    return {
        "actionType": spec.type.value,
        "connector": spec.connector.value,
        "requiredPermission": spec.permission.value,
        "targets": sorted(t.value for t in spec.targets),
        "isReversible": spec.is_reversible,
        "undoActionType": spec.undo.value if spec.undo else None,
        "undoes": spec.undoes.value if spec.undoes else None,
        "isDestructive": spec.destructive,
    }


def catalogue_json() -> list[dict[str, Any]]:
    """Every action type."""
    return [spec_json(spec) for spec in CATALOGUE.values()]


CSV_COLUMNS = (
    ("Action ID", "id"),
    ("Investigation ID", "investigationId"),
    ("Action type", "actionType"),
    ("Action source", "actionSource"),
    ("Entity type", "entityType"),
    ("Entity", "entityName"),
    ("Status", "status"),
    ("Requested by", "requestedBy"),
    ("Decided by", "decidedBy"),
    ("Decision time", "decidedDateTime"),
    ("Created", "createdDateTime"),
    ("Completed", "completedDateTime"),
    ("Request comment", "requestComment"),
    ("Decision comment", "decisionComment"),
    ("Error", "error"),
)


def actions_csv(actions: Iterable[RemediationAction]) -> str:
    """The Action Center export: one row per action."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for title, _ in CSV_COLUMNS])
    for action in actions:
        row = action_json(action)
        writer.writerow([_cell(row.get(key)) for _, key in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # CSV injection: a spreadsheet would run a cell that starts with a formula character.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
