"""The life of a remediation action: statuses, sources and the transitions between them.

::

    pending ──approve──▶ approved ──claim──▶ running ──▶ completed ──undo completed──▶ undone
       │                    │                 │  ▲ │
       ├──reject──▶ rejected│                 │  │ ├──▶ failed (the connector's error)
       ├──expire──▶ expired │     transient error │ └──▶ pendingResource (device offline)
       └──cancel──▶ cancelled ◀── queued ◀────┘  │          │ check-in
                                    └──claim─────┘   queued ◀┘   (expire ──▶ expired)

An automatic action is created ``approved`` (decided by ``Automation``); an analyst's approval
makes a pending one ``approved``. ``queued`` is an approved action waiting for its next attempt
(after a transient connector error, a lost worker, or a device's check-in). The status change
that starts execution is a compare-and-set (``approved|queued → running``), so each approval
executes at most once; the action id is the idempotency key given to the connector, so a worker
that dies while a connector call is in flight can repeat the call without repeating its effect.
A pending action approved within an hour of an identical one (same cluster) is ``completed`` at
once as its duplicate (reference §2.7).
"""

from __future__ import annotations

from enum import StrEnum


class ActionStatus(StrEnum):
    """Status of an action in the Action Center."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    QUEUED = "queued"
    RUNNING = "running"
    PENDING_RESOURCE = "pendingResource"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    UNDONE = "undone"

    @property
    def is_open(self) -> bool:
        """Not yet decided or not yet finished executing."""
        return self not in _CLOSED

    @property
    def is_history(self) -> bool:
        """Shown on the Action Center's History tab (everything decided)."""
        return self is not ActionStatus.PENDING

    @property
    def is_decided(self) -> bool:
        """Approved (and maybe executed) or rejected, expired or cancelled."""
        return self is not ActionStatus.PENDING


_CLOSED = frozenset(
    {
        ActionStatus.REJECTED,
        ActionStatus.COMPLETED,
        ActionStatus.FAILED,
        ActionStatus.CANCELLED,
        ActionStatus.EXPIRED,
        ActionStatus.UNDONE,
    }
)

S = ActionStatus
TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    S.PENDING: frozenset({S.PENDING, S.APPROVED, S.REJECTED, S.EXPIRED, S.CANCELLED, S.COMPLETED}),
    S.APPROVED: frozenset({S.RUNNING, S.CANCELLED}),
    S.QUEUED: frozenset({S.RUNNING, S.CANCELLED}),
    S.RUNNING: frozenset(
        {S.COMPLETED, S.FAILED, S.PENDING_RESOURCE, S.QUEUED, S.RUNNING, S.CANCELLED}
    ),
    S.PENDING_RESOURCE: frozenset({S.QUEUED, S.EXPIRED, S.CANCELLED}),
    S.FAILED: frozenset(),
    S.COMPLETED: frozenset({S.UNDONE}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
    S.UNDONE: frozenset(),
}
"""Allowed status changes (checked by the repository's compare-and-set). A status "changing" to
itself records bookkeeping (next re-check, poll time) under the same compare-and-set."""

CANCELLABLE = frozenset({S.PENDING, S.APPROVED, S.QUEUED, S.PENDING_RESOURCE})
CLAIMABLE = frozenset({S.APPROVED, S.QUEUED})
"""Statuses a worker may start executing from (plus ``running`` whose worker's lease expired)."""
"""Statuses from which an analyst can cancel an action."""


def can_transition(current: ActionStatus, target: ActionStatus) -> bool:
    """Whether ``current → target`` is a valid change."""
    return target in TRANSITIONS[current]


class ActionSource(StrEnum):
    """``Action source`` on the Action Center (reference §3.2)."""

    MANUAL_DEVICE = "manualDeviceAction"
    MANUAL_EMAIL = "manualEmailAction"
    AUTOMATED_DEVICE = "automatedDeviceAction"
    AUTOMATED_EMAIL = "automatedEmailAction"
    ADVANCED_HUNTING = "advancedHuntingAction"
    EXPLORER = "explorerAction"
    MANUAL_LIVE_RESPONSE = "manualLiveResponseAction"
    LIVE_RESPONSE_API = "liveResponseActionApi"


AUTOMATION = "Automation"
"""``Decided by`` of an action that ran without approval."""
