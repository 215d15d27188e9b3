"""Remediation actions shaped for pages: who may do what, groups, wait times, the history chart.

The Action Center, the action page and the investigation page's Actions tab read
:class:`autoir.domain.remediation.action.RemediationAction` directly; this module answers the
questions their templates ask: which buttons the viewer may use (the route permission and the
action type's own, reference §6.1), how long an action waited for its decision, pending actions
by type (approved or rejected one type at a time), and actions per day by status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from autoir.domain.access.permissions import Permission
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.catalog import ActionType, spec_of
from autoir.domain.remediation.lifecycle import CANCELLABLE, ActionStatus
from autoir.ui.auth import Viewer

Label = Callable[[object, str], str]
STATUS_COLOURS = {
    "pending": "#8764b8",
    "approved": "#4f6bed",
    "queued": "#a19f9d",
    "running": "#0078d4",
    "pendingResource": "#c19c00",
    "completed": "#107c10",
    "failed": "#c50f1f",
    "rejected": "#d13438",
    "cancelled": "#69797e",
    "expired": "#986f0b",
    "undone": "#038387",
}
STATUS_ORDER = tuple(STATUS_COLOURS)


@dataclass(frozen=True, slots=True)
class ActionRights:
    """The buttons a viewer may use on an action (hidden otherwise)."""

    viewer: Viewer

    @property
    def responds(self) -> bool:
        """The route permission every decision needs."""
        return self.viewer.can(Permission.RESPONSE_ACTIONS)

    def may_take(self, action_type: ActionType) -> bool:
        """Whether the viewer may request or decide actions of this type."""
        return self.responds and self.viewer.can(spec_of(action_type).permission)

    def decide(self, action: RemediationAction) -> bool:
        """Approve or reject: a pending action of a type the viewer may take."""
        return action.status is ActionStatus.PENDING and self.may_take(action.action_type)

    def undo(self, action: RemediationAction) -> bool:
        """A completed reversible action that did the work itself (not a duplicate)."""
        undo_type = action.spec.undo
        return (
            action.can_undo
            and not action.result.get("duplicateOf")
            and undo_type is not None
            and self.may_take(undo_type)
        )

    def cancel(self, action: RemediationAction) -> bool:
        """An action that has not started executing."""
        return action.status in CANCELLABLE and self.may_take(action.action_type)

    def comment(self, _action: RemediationAction) -> bool:
        """Anyone who may take actions may comment on them."""
        return self.responds


@dataclass(frozen=True, slots=True)
class ActionGroup:
    """Pending actions of one type (the investigation page approves them together)."""

    action_type: ActionType
    actions: tuple[RemediationAction, ...]

    @property
    def ids(self) -> list[str]:
        """The group's action ids."""
        return [a.id for a in self.actions]


def pending_groups(actions: Iterable[RemediationAction]) -> list[ActionGroup]:
    """Pending actions by type, in the order the types first appear."""
    groups: dict[ActionType, list[RemediationAction]] = {}
    for action in actions:
        if action.status is ActionStatus.PENDING:
            groups.setdefault(action.action_type, []).append(action)
    return [ActionGroup(kind, tuple(items)) for kind, items in groups.items()]


def decided(actions: Iterable[RemediationAction]) -> list[RemediationAction]:
    """Everything not pending, last change first."""
    return sorted(
        (a for a in actions if a.status is not ActionStatus.PENDING),
        key=lambda a: a.updated_at or a.created_at,
        reverse=True,
    )


def wait_time(action: RemediationAction, now: datetime) -> timedelta | None:
    """From creation to the decision (still waiting: until now); None for automatic ones."""
    if not action.requires_approval:
        return None
    end = action.decided_at or (now if action.status is ActionStatus.PENDING else None)
    return max(timedelta(0), end - action.created_at) if end else None


def last_update(action: RemediationAction) -> datetime:
    """When the action last changed."""
    return action.updated_at or action.created_at


def per_day_chart(
    actions: Sequence[RemediationAction], now: datetime, days: int, label: Label
) -> dict[str, Any]:
    """Actions per day (of their last update) stacked by status, for ``initCharts``."""
    first = (now - timedelta(days=days - 1)).date()
    labels = [(first + timedelta(days=n)).isoformat() for n in range(days)]
    counts: dict[str, Counter[str]] = {}
    for action in actions:
        day = last_update(action).date().isoformat()
        counts.setdefault(action.status.value, Counter())[day] += 1
    statuses = [s for s in STATUS_ORDER if s in counts]
    return {
        "labels": labels,
        "datasets": [
            {
                "label": label(status, "actionStatus"),
                "data": [counts[status].get(day, 0) for day in labels],
                "backgroundColor": STATUS_COLOURS[status],
            }
            for status in statuses
        ],
        "total": sum(sum(c.values()) for c in counts.values()),
    }


def message_rows(action: RemediationAction) -> list[dict[str, Any]]:
    """The per-message outcomes of an email action's result (mailbox, ids, folders, status)."""
    rows = []
    for entry in action.result.get("messages") or []:
        if not isinstance(entry, dict):
            continue
        raw = entry.get("message")
        ref: dict[str, Any] = raw if isinstance(raw, dict) else {}
        rows.append(
            {
                "mailbox": ref.get("mailbox"),
                "networkMessageId": ref.get("networkMessageId"),
                "internetMessageId": ref.get("internetMessageId"),
                "status": entry.get("status"),
                "folderBefore": entry.get("folderBefore") or ref.get("restoreTo"),
                "folderAfter": entry.get("folderAfter"),
                "locationBefore": entry.get("locationBefore"),
                "detail": entry.get("detail"),
            }
        )
    return rows


def result_summary(action: RemediationAction) -> str | None:
    """``result.summary``, or a device action's machine-action status."""
    summary = action.result.get("summary")
    if isinstance(summary, str) and summary:
        return summary
    return None
