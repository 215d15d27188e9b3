"""Executing approved actions through the connector ports, at most once per approval.

A worker claims an action (``approved|queued → running`` under a lease, compare-and-set),
calls its connector with the action id as the idempotency key, and records the outcome in one
transaction with the investigation's new status. A transient connector error puts the action
back in the queue with exponential back-off until ``max_attempts``; a permanent one fails it
with the connector's message. A device that is offline makes the action wait
(``pendingResource``) until it checks in or the action expires; a device command that takes time
is polled. A worker that dies mid-call leaves a lease that expires; the next claim repeats the
call, which the connector answers from its record of that action id.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from autoir.domain.errors import ConnectorError, ConnectorUnavailable
from autoir.domain.investigations.enums import LogKind, LogStatus
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.ports.investigations import NewLogEntry
from autoir.ports.unit_of_work import UnitOfWork
from autoir.services.action_dispatch import (
    Connectors,
    Dispatch,
    Outcome,
    copies_left,
    perform,
    withdraw,
)
from autoir.services.context import ServiceContext
from autoir.services.remediation_outcome import refresh_investigation

log = logging.getLogger("autoir.actions")
_RUNNING = frozenset({ActionStatus.RUNNING})
_EXPIRED = {
    ActionStatus.PENDING: "Expired before anyone approved or rejected it.",
    ActionStatus.PENDING_RESOURCE: (
        "Expired while its device was offline; the command was withdrawn."
    ),
}
SWEEP_BATCH = 200
HEARTBEAT_SECONDS = 2.0
"""How often a bulk action records its progress and renews its lease."""


@dataclass(frozen=True, slots=True)
class ExecutionSettings:
    """Retries and leases."""

    max_attempts: int = 5
    retry_base: timedelta = timedelta(seconds=5)
    retry_cap: timedelta = timedelta(minutes=10)
    lease: timedelta = timedelta(minutes=2)
    poll_interval: timedelta = timedelta(seconds=5)
    cluster_limit: int = 10_000
    resource_wait: timedelta = timedelta(days=7)
    """How long an action waits for an offline device before it expires."""
    recheck_interval: timedelta = timedelta(minutes=10)
    """How often a pending mailbox action checks whether its messages are still there."""


class ActionExecutor:
    """Runs actions; called by task-queue workers and by the sweeper."""

    def __init__(
        self,
        ctx: ServiceContext,
        connectors: Connectors,
        settings: ExecutionSettings,
        enqueue: Callable[[Sequence[str]], None],
    ) -> None:
        """``enqueue`` hands action ids to workers."""
        self._ctx = ctx
        self._connectors = connectors
        self._settings = settings
        self._enqueue = enqueue

    def execute(self, action_id: str, worker_id: str) -> ActionStatus | None:
        """Run one action if it can be claimed; returns its status, None if not ours."""
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            action = uow.actions.claim(action_id, worker_id, now, self._settings.lease)
            if action is None:
                return None
            original = uow.actions.get(action.undo_of) if action.undo_of else None
            uow.commit()
        dispatch = Dispatch(
            action=action,
            original=original,
            connectors=self._connectors,
            read_uow=self._ctx.read_uow,
            cluster_limit=self._settings.cluster_limit,
            progress=self._heartbeat(action.id, worker_id),
        )
        try:
            outcome = perform(dispatch)
        except ConnectorUnavailable as exc:
            return self._retry(action, str(exc) or type(exc).__name__)
        except ConnectorError as exc:
            return self._finish(action, Outcome(ActionStatus.FAILED, {}, str(exc)))
        except Exception as exc:  # a bug or an unexpected adapter error: retried, then failed
            log.exception("Action %s (%s) raised", action.id, action.action_type.value)
            return self._retry(action, f"{type(exc).__name__}: {exc}")
        return self._finish(action, outcome)

    def _heartbeat(self, action_id: str, worker_id: str) -> Callable[[int, int], None]:
        """A progress callback that records (done, total) and renews the lease, throttled."""
        last = [0.0]

        def beat(done: int, total: int) -> None:
            now_s = time.monotonic()
            if now_s - last[0] < HEARTBEAT_SECONDS and done < total:
                return
            last[0] = now_s
            try:
                with self._ctx.uow() as uow:
                    uow.actions.heartbeat(
                        action_id,
                        worker_id,
                        self._ctx.clock.now(),
                        self._settings.lease,
                        {"done": done, "total": total},
                    )
                    uow.commit()
            except Exception:  # progress is a courtesy: never fail the action for it
                log.warning("could not record the progress of action %s", action_id, exc_info=True)

        return beat

    def sweep(self) -> list[str]:
        """Expire overdue actions, wake those whose device checked in, collect work.

        Returns the ids of actions that need a worker.
        """
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            for action in uow.actions.expired(now, SWEEP_BATCH):
                if not withdraw(self._connectors, action):
                    # The device ran it as it came back: record the true result instead.
                    uow.actions.transition(
                        action.id,
                        frozenset({ActionStatus.PENDING_RESOURCE}),
                        ActionStatus.QUEUED,
                        now,
                        {"next_attempt_at": None},
                    )
                elif uow.actions.transition(
                    action.id,
                    frozenset({ActionStatus.PENDING, ActionStatus.PENDING_RESOURCE}),
                    ActionStatus.EXPIRED,
                    now,
                    {"completed_at": now, "error": _EXPIRED[action.status]},
                ):
                    refresh_investigation(uow, action.investigation_id, now, "Automation")
            for action in uow.actions.waiting_for_resource(SWEEP_BATCH):
                device = str(action.properties.get("deviceId") or "")
                if device and self._connectors.endpoints.is_online(device):
                    uow.actions.transition(
                        action.id,
                        frozenset({ActionStatus.PENDING_RESOURCE}),
                        ActionStatus.QUEUED,
                        now,
                        {"next_attempt_at": None},
                    )
            due = uow.actions.due(now, SWEEP_BATCH)
            recheck = uow.actions.pending_recheck_due(now, SWEEP_BATCH)
            uow.commit()
        self._recheck_pending(recheck)
        return due

    def _recheck_pending(self, actions: list[RemediationAction]) -> None:
        """Cancel pending mailbox actions whose messages all left the mailboxes.

        Moved, deleted or purged by someone else meanwhile: nothing is left to remediate, and
        the action counts as remediated (reference §2.5).
        """
        for action in actions:
            left = copies_left(
                Dispatch(
                    action, None, self._connectors, self._ctx.read_uow, self._settings.cluster_limit
                )
            )
            now = self._ctx.clock.now()
            with self._ctx.uow() as uow:
                if left == 0:
                    changed = uow.actions.transition(
                        action.id,
                        frozenset({ActionStatus.PENDING}),
                        ActionStatus.CANCELLED,
                        now,
                        {
                            "completed_at": now,
                            "decided_by": "Automation",
                            "decided_at": now,
                            "result": {
                                "summary": "Every copy left the mailboxes before approval: "
                                "nothing left to remediate."
                            },
                        },
                    )
                    if changed:
                        refresh_investigation(uow, action.investigation_id, now, "Automation")
                else:
                    uow.actions.transition(
                        action.id,
                        frozenset({ActionStatus.PENDING}),
                        ActionStatus.PENDING,
                        now,
                        {"next_attempt_at": now + self._settings.recheck_interval},
                    )
                uow.commit()

    def _retry(self, action: RemediationAction, error: str) -> ActionStatus | None:
        failures = int(action.result.get("transientFailures", 0)) + 1
        if failures >= self._settings.max_attempts:
            return self._finish(
                action,
                Outcome(
                    ActionStatus.FAILED,
                    {"transientFailures": failures},
                    f"{error} (after {failures} attempts)",
                ),
            )
        now = self._ctx.clock.now()
        delay = min(self._settings.retry_cap, self._settings.retry_base * 2 ** (failures - 1))
        with self._ctx.uow() as uow:
            changed = uow.actions.transition(
                action.id,
                _RUNNING,
                ActionStatus.QUEUED,
                now,
                {
                    "next_attempt_at": now + delay,
                    "lease_owner": None,
                    "lease_expires_at": None,
                    "error": error,
                    "result": {**action.result, "transientFailures": failures},
                },
            )
            uow.commit()
        return ActionStatus.QUEUED if changed else None

    def _finish(self, action: RemediationAction, outcome: Outcome) -> ActionStatus | None:
        now = self._ctx.clock.now()
        changes: dict[str, Any] = {
            "lease_owner": None,
            "lease_expires_at": None,
            "result": {**_kept(action.result), **outcome.result},
            "error": outcome.error,
        }
        if outcome.status is ActionStatus.RUNNING:
            changes["next_attempt_at"] = now + self._settings.poll_interval
        elif outcome.status is ActionStatus.PENDING_RESOURCE:
            changes["next_attempt_at"] = None
            changes["expires_at"] = action.expires_at or now + self._settings.resource_wait
        else:
            changes["completed_at"] = now
        with self._ctx.uow() as uow:
            if not uow.actions.transition(action.id, _RUNNING, outcome.status, now, changes):
                return None
            if outcome.status is ActionStatus.COMPLETED:
                outcome.apply_effects(uow, now)
                if action.undo_of is not None:
                    uow.actions.transition(
                        action.undo_of,
                        frozenset({ActionStatus.COMPLETED}),
                        ActionStatus.UNDONE,
                        now,
                    )
            elif outcome.status is ActionStatus.FAILED and action.undo_of is not None:
                uow.actions.set_undone_by(action.undo_of, action.id, None, now)
            _log_execution(uow, action, outcome, now)
            refresh_investigation(uow, action.investigation_id, now, "Automation")
            uow.commit()
        log.info("Action %s %s: %s", action.id, action.action_type.value, outcome.status.value)
        return outcome.status


_LOG_STATUS = {
    ActionStatus.COMPLETED: LogStatus.COMPLETED,
    ActionStatus.FAILED: LogStatus.FAILED,
    ActionStatus.CANCELLED: LogStatus.SKIPPED,
    ActionStatus.PENDING_RESOURCE: LogStatus.RUNNING,
}


def _log_execution(
    uow: UnitOfWork, action: RemediationAction, outcome: Outcome, now: datetime
) -> None:
    """A row in the investigation's Log tab for each execution that ended or has to wait."""
    status = _LOG_STATUS.get(outcome.status)
    if action.investigation_id is None or status is None:
        return
    started = action.started_at or now
    detail = outcome.error or str(outcome.result.get("summary") or outcome.status.value)
    if outcome.status is ActionStatus.PENDING_RESOURCE:
        detail = "Waiting for the device to come back on line."
    uow.investigations.add_log(
        NewLogEntry(
            investigation_id=action.investigation_id,
            kind=LogKind.ACTION,
            name=action.action_type.value,
            status=status,
            description=f"{action.target_name}: {detail}",
            created_at=now,
            started_at=started,
            duration=now - started,
            queued=started - (action.decided_at or started),
        )
    )


def _kept(result: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k == "transientFailures"}
