"""A remediation action as the Action Center holds it (reference §3.2, §3.3).

``properties`` describe the target as the connector needs it: ``deviceId``/``deviceName`` for
device actions, ``sha256``/``filePath`` for files, ``networkMessageIds``/``mailboxes`` and
the cluster query (``clusterBy``/``clusterByValue``) for email, ``url`` for URL blocks,
``userPrincipalName`` for users. ``result`` is what the connector reported (per-message outcomes,
quarantine ids, the forwarding rules removed); an undo reads its original's result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from autoir.domain.remediation.catalog import ActionSpec, ActionType, spec_of
from autoir.domain.remediation.lifecycle import ActionSource, ActionStatus


@dataclass(frozen=True, slots=True)
class ActionComment:
    """A note on an action (requests, decisions, undo)."""

    text: str
    author: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RemediationAction:
    """One action: proposed by an investigation, requested by an analyst, or an undo."""

    id: str
    investigation_id: str | None
    action_type: ActionType
    target_key: str
    target_name: str
    status: ActionStatus
    requires_approval: bool
    reason: str
    created_at: datetime
    properties: Mapping[str, Any] = field(default_factory=dict)
    source: ActionSource = ActionSource.AUTOMATED_EMAIL
    target_kind: str = ""
    requested_by: str | None = None
    request_comment: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_comment: str | None = None
    comments: tuple[ActionComment, ...] = ()
    updated_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    expires_at: datetime | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    result: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    undo_of: str | None = None
    undone_by: str | None = None
    approval_key: str | None = None

    @property
    def spec(self) -> ActionSpec:
        """The catalogue entry of this action's type."""
        return spec_of(self.action_type)

    @property
    def can_undo(self) -> bool:
        """Completed, reversible, and not undone (nor being undone) yet."""
        return (
            self.status is ActionStatus.COMPLETED
            and self.spec.is_reversible
            and self.undone_by is None
        )
