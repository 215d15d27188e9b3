"""Repository port for remediation actions (the Action Center)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from autoir.domain.queries.filters import ListQuery
from autoir.domain.remediation.action import ActionComment, RemediationAction
from autoir.domain.remediation.catalog import ActionType
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.ports.repositories import Page


@dataclass(frozen=True, slots=True)
class ActionSearch:
    """What the Action Center lists: a tab, a time range and an OData query."""

    query: ListQuery
    statuses: frozenset[ActionStatus] | None = None
    since: datetime | None = None


class ActionRepository(Protocol):
    """Actions. Status changes are compare-and-set on the current status."""

    def add(self, actions: Sequence[RemediationAction]) -> None:
        """Insert new actions."""
        ...

    def get(self, action_id: str) -> RemediationAction | None:
        """One action."""
        ...

    def get_many(self, action_ids: Sequence[str]) -> list[RemediationAction]:
        """These actions (missing ids are left out), in the order asked."""
        ...

    def search(self, search: ActionSearch) -> Page[RemediationAction]:
        """A page of actions, newest first unless ordered otherwise."""
        ...

    def for_investigation(self, investigation_id: str) -> list[RemediationAction]:
        """An investigation's actions, oldest first."""
        ...

    def proposed(self, investigation_id: str) -> set[tuple[str, str]]:
        """``(actionType, targetKey)`` of the investigation's actions that are not undo actions."""
        ...

    def transition(
        self,
        action_id: str,
        expected: frozenset[ActionStatus],
        target: ActionStatus,
        now: datetime,
        changes: Mapping[str, Any] | None = None,
    ) -> bool:
        """Set ``target`` (and ``changes``, keyed by column) if the status is one of ``expected``.

        Returns whether the row changed: the compare-and-set that makes each decision and each
        execution happen once.
        """
        ...

    def heartbeat(
        self,
        action_id: str,
        owner: str,
        now: datetime,
        ttl: timedelta,
        progress: Mapping[str, Any],
    ) -> bool:
        """A running action's owner renews its lease and records how far it got.

        ``progress`` becomes the action's result until it finishes. False when the action is
        no longer running under ``owner`` (its lease was lost).
        """
        ...

    def claim(
        self, action_id: str, owner: str, now: datetime, ttl: timedelta
    ) -> RemediationAction | None:
        """``approved|queued → running`` under a lease, counting an attempt.

        A running action whose lease expired (its worker died) can be claimed again. Returns
        None when the action is not claimable.
        """
        ...

    def due(self, now: datetime, limit: int) -> list[str]:
        """Approved or queued actions ready to run, and running ones whose lease expired."""
        ...

    def set_undone_by(
        self, action_id: str, expected: str | None, undo_id: str | None, now: datetime
    ) -> bool:
        """Compare-and-set a completed action's ``undone_by`` from ``expected`` to ``undo_id``."""
        ...

    def pending_recheck_due(self, now: datetime, limit: int) -> list[RemediationAction]:
        """Pending actions on messages or clusters whose re-check time has come (or never set)."""
        ...

    def waiting_for_resource(self, limit: int) -> list[RemediationAction]:
        """Actions waiting for an offline device."""
        ...

    def expired(self, now: datetime, limit: int) -> list[RemediationAction]:
        """Pending (or waiting-for-device) actions whose expiry time has passed."""
        ...

    def recently_approved(
        self, approval_key: str, action_type: ActionType, since: datetime
    ) -> RemediationAction | None:
        """An action with this de-duplication key approved since ``since`` (one-hour rule)."""
        ...

    def add_comment(self, action_id: str, comment: ActionComment, now: datetime) -> None:
        """Append a comment."""
        ...

    def counts_by_status(self, since: datetime) -> dict[str, int]:
        """Actions created since ``since`` per status."""
        ...
