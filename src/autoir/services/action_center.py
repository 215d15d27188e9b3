"""The Action Center's decisions: approve, reject, cancel, undo, manual actions, comments.

Every decision is a compare-and-set on the action's status inside one transaction with the
investigation it belongs to (:mod:`autoir.services.remediation_outcome`); approved actions are
handed to the executor only after the commit (``on_approved``), so a worker never sees an
approval that could still roll back. Permissions: the route requires the response permission;
each action type also requires its own (reference §6.1: email actions need the email advanced
actions permission, live response its own).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from autoir.domain.access.permissions import Principal
from autoir.domain.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from autoir.domain.remediation.action import ActionComment, RemediationAction
from autoir.domain.remediation.catalog import ActionSpec, Connector, spec_of
from autoir.domain.remediation.lifecycle import CANCELLABLE, ActionSource, ActionStatus
from autoir.domain.remediation.manual import parse_manual_request
from autoir.domain.remediation.planning import approval_key
from autoir.ports.actions import ActionSearch
from autoir.ports.repositories import Page
from autoir.ports.unit_of_work import UnitOfWork
from autoir.services.context import ServiceContext
from autoir.services.remediation_outcome import cancel_changes, refresh_investigation

MAX_BULK = 500
DEDUP_WINDOW = timedelta(hours=1)
_PENDING = frozenset({ActionStatus.PENDING})


@dataclass(frozen=True, slots=True)
class ActionCenterSettings:
    """Installation rules for decisions."""

    four_eyes: bool = False
    """Whoever requested a manual action cannot approve it (manual actions then wait)."""
    pending_expiry: Callable[[], timedelta] = lambda: timedelta(days=7)
    """How long a pending action waits (read at each request: the policy can change)."""


class ActionCenterService:
    """Decisions on actions and the lists the Action Center shows."""

    def __init__(
        self,
        ctx: ServiceContext,
        settings: ActionCenterSettings,
        on_approved: Callable[[Sequence[str]], None],
        withdraw: Callable[[RemediationAction], bool] = lambda _action: True,
    ) -> None:
        """Keep the dependencies.

        ``on_approved`` hands approved action ids to the executor (after commit); ``withdraw``
        takes back a command an offline device has not run yet (False if it ran).
        """
        self._ctx = ctx
        self._settings = settings
        self._on_approved = on_approved
        self._withdraw = withdraw

    # --- reading ----------------------------------------------------------------------------

    def search(self, search: ActionSearch) -> Page[RemediationAction]:
        """A page of actions."""
        with self._ctx.read_uow() as uow:
            return uow.actions.search(search)

    def get(self, action_id: str) -> RemediationAction:
        """One action."""
        with self._ctx.read_uow() as uow:
            action = uow.actions.get(action_id)
        if action is None:
            raise NotFound("action", action_id)
        return action

    def get_many(self, action_ids: Sequence[str]) -> list[RemediationAction]:
        """Several actions (missing ids left out)."""
        with self._ctx.read_uow() as uow:
            return uow.actions.get_many(action_ids)

    # --- decisions --------------------------------------------------------------------------

    def approve(
        self, principal: Principal, ids: Sequence[str], comment: str | None
    ) -> list[RemediationAction]:
        """Approve pending actions of one type; all or nothing. Returns them as they are now."""
        now = self._ctx.clock.now()
        queued: list[str] = []
        with self._ctx.uow() as uow:
            actions = self._pending_of_one_type(uow.actions.get_many(ids), ids, principal)
            for action in actions:
                if self._settings.four_eyes and action.requested_by == principal.name:
                    raise PermissionDenied(
                        f"Four-eyes rule: {principal.name} requested action {action.id} and "
                        "cannot approve it."
                    )
                duplicate = (
                    uow.actions.recently_approved(
                        action.approval_key, action.action_type, now - DEDUP_WINDOW
                    )
                    if action.approval_key
                    else None
                )
                decision = {
                    "decided_by": principal.name,
                    "decided_at": now,
                    "decision_comment": comment,
                    # A pending action's re-check time is not a reason to wait once approved.
                    "next_attempt_at": None,
                }
                if duplicate is not None and duplicate.id != action.id:
                    changed = uow.actions.transition(
                        action.id,
                        _PENDING,
                        ActionStatus.COMPLETED,
                        now,
                        {
                            **decision,
                            "completed_at": now,
                            # A duplicate is not itself an approval later ones de-duplicate on.
                            "approval_key": None,
                            "result": {
                                "duplicateOf": duplicate.id,
                                "summary": (
                                    f"Approved within an hour of action {duplicate.id} on the same "
                                    "target; that action carries it out."
                                ),
                            },
                        },
                    )
                else:
                    changed = uow.actions.transition(
                        action.id, _PENDING, ActionStatus.APPROVED, now, decision
                    )
                    queued.append(action.id)
                if not changed:
                    raise Conflict(f"Action {action.id} was decided by someone else meanwhile.")
                self._note(uow, action.id, principal, comment, now)
            for investigation_id in sorted(
                {a.investigation_id for a in actions if a.investigation_id}
            ):
                refresh_investigation(uow, investigation_id, now, principal.name)
            uow.commit()
        if queued:
            self._on_approved(queued)
        return self.get_many([a.id for a in actions])

    def reject(
        self, principal: Principal, ids: Sequence[str], comment: str | None
    ) -> list[RemediationAction]:
        """Reject pending actions of one type; all or nothing."""
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            actions = self._pending_of_one_type(uow.actions.get_many(ids), ids, principal)
            for action in actions:
                if not uow.actions.transition(
                    action.id,
                    _PENDING,
                    ActionStatus.REJECTED,
                    now,
                    {
                        "decided_by": principal.name,
                        "decided_at": now,
                        "decision_comment": comment,
                        "completed_at": now,
                    },
                ):
                    raise Conflict(f"Action {action.id} was decided by someone else meanwhile.")
                self._note(uow, action.id, principal, comment, now)
            for investigation_id in sorted(
                {a.investigation_id for a in actions if a.investigation_id}
            ):
                refresh_investigation(uow, investigation_id, now, principal.name)
            uow.commit()
        return self.get_many([a.id for a in actions])

    def cancel(
        self, principal: Principal, action_id: str, comment: str | None
    ) -> RemediationAction:
        """Cancel an action that has not started executing."""
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            action = uow.actions.get(action_id)
            if action is None:
                raise NotFound("action", action_id)
            self._require(principal, action.spec)
            if not self._withdraw(action):
                raise Conflict(
                    f"Action {action_id}'s device ran it as it came back; it cannot be cancelled."
                )
            if action.status not in CANCELLABLE or not uow.actions.transition(
                action.id,
                CANCELLABLE,
                ActionStatus.CANCELLED,
                now,
                cancel_changes(action, principal.name, now),
            ):
                raise Conflict(
                    f"Action {action_id} is {action.status.value} and cannot be cancelled."
                )
            self._note(uow, action.id, principal, comment or "Cancelled.", now)
            if action.undo_of is not None:
                uow.actions.set_undone_by(action.undo_of, action.id, None, now)
            refresh_investigation(uow, action.investigation_id, now, principal.name)
            uow.commit()
        return self.get(action_id)

    def undo(self, principal: Principal, action_id: str, comment: str | None) -> RemediationAction:
        """Start the undo of a completed reversible action; returns the undo action."""
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            original = uow.actions.get(action_id)
            if original is None:
                raise NotFound("action", action_id)
            spec = original.spec
            if spec.undo is None:
                raise Conflict(f"{original.action_type.value} cannot be undone.")
            undo_spec = spec_of(spec.undo)
            self._require(principal, undo_spec)
            if original.status is not ActionStatus.COMPLETED or original.result.get("duplicateOf"):
                raise Conflict(
                    f"Action {action_id} is {original.status.value}: only a completed action "
                    "that did the work itself can be undone."
                )
            undo = RemediationAction(
                id=self._ctx.ids.guid(),
                investigation_id=original.investigation_id,
                action_type=undo_spec.type,
                target_key=original.target_key,
                target_name=original.target_name,
                status=ActionStatus.APPROVED,
                requires_approval=False,
                reason=f"Undo of {original.action_type.value} ({original.id})",
                created_at=now,
                properties=original.properties,
                source=_manual_source(undo_spec),
                target_kind=original.target_kind,
                requested_by=principal.name,
                request_comment=comment,
                decided_by=principal.name,
                decided_at=now,
                updated_at=now,
                undo_of=original.id,
            )
            # Compare-and-set on undone_by: two analysts undoing at once start one undo.
            if not uow.actions.set_undone_by(original.id, None, undo.id, now):
                raise Conflict(f"Action {action_id} is already undone or being undone.")
            uow.actions.add([undo])
            self._note(uow, original.id, principal, comment or f"Undo requested ({undo.id}).", now)
            uow.commit()
        self._on_approved([undo.id])
        return self.get(undo.id)

    def request(self, principal: Principal, body: Mapping[str, Any]) -> RemediationAction:
        """A manual action on an entity: runs at once, or waits for a second person (four-eyes)."""
        now = self._ctx.clock.now()
        request = parse_manual_request(body)
        spec = spec_of(request.action_type)
        self._require(principal, spec)
        waits = self._settings.four_eyes
        action = RemediationAction(
            id=self._ctx.ids.guid(),
            investigation_id=request.investigation_id,
            action_type=request.action_type,
            target_key=request.target_key,
            target_name=request.target_name,
            status=ActionStatus.PENDING if waits else ActionStatus.APPROVED,
            requires_approval=waits,
            reason=f"Requested by {principal.name}",
            created_at=now,
            properties=request.properties,
            source=_manual_source(spec),
            target_kind=request.target_kind.value,
            requested_by=principal.name,
            request_comment=request.comment,
            decided_by=None if waits else principal.name,
            decided_at=None if waits else now,
            updated_at=now,
            expires_at=now + self._settings.pending_expiry() if waits else None,
            approval_key=approval_key(request.action_type, request.properties, request.target_key),
        )
        with self._ctx.uow() as uow:
            if (
                request.investigation_id
                and uow.investigations.get(request.investigation_id) is None
            ):
                raise NotFound("investigation", request.investigation_id)
            uow.actions.add([action])
            uow.commit()
        if not waits:
            self._on_approved([action.id])
        return self.get(action.id)

    def comment(self, principal: Principal, action_id: str, text: str) -> RemediationAction:
        """Add a comment to an action."""
        if not text.strip():
            raise ValidationFailed([FieldError("comment", "a comment needs text")])
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            if uow.actions.get(action_id) is None:
                raise NotFound("action", action_id)
            self._note(uow, action_id, principal, text, now)
            uow.commit()
        return self.get(action_id)

    # --- rules ------------------------------------------------------------------------------

    @staticmethod
    def _require(principal: Principal, spec: ActionSpec) -> None:
        if not principal.can(spec.permission):
            raise PermissionDenied(
                f"The role '{principal.role}' lacks the permission '{spec.permission.value}' "
                f"that {spec.type.value} needs."
            )

    def _pending_of_one_type(
        self, actions: list[RemediationAction], ids: Sequence[str], principal: Principal
    ) -> list[RemediationAction]:
        if not ids:
            raise ValidationFailed([FieldError("ids", "name at least one action")])
        if len(ids) > MAX_BULK:
            raise ValidationFailed([FieldError("ids", f"at most {MAX_BULK} actions at once")])
        found = {a.id for a in actions}
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFound("action", missing[0])
        types = {a.action_type for a in actions}
        if len(types) > 1:
            raise ValidationFailed(
                [
                    FieldError(
                        "ids",
                        "approve or reject actions of one type at a time: "
                        + ", ".join(sorted(t.value for t in types)),
                    )
                ]
            )
        not_pending = [a for a in actions if a.status is not ActionStatus.PENDING]
        if not_pending:
            first = not_pending[0]
            raise Conflict(f"Action {first.id} is {first.status.value}, not pending.")
        self._require(principal, actions[0].spec)
        return actions

    @staticmethod
    def _note(
        uow: UnitOfWork, action_id: str, principal: Principal, text: str | None, now: datetime
    ) -> None:
        if text:
            uow.actions.add_comment(action_id, ActionComment(text, principal.name, now), now)


def _manual_source(spec: ActionSpec) -> ActionSource:
    if spec.connector is Connector.ENDPOINT:
        if spec.permission.value == "live_response":
            return ActionSource.MANUAL_LIVE_RESPONSE
        return ActionSource.MANUAL_DEVICE
    return ActionSource.MANUAL_EMAIL
