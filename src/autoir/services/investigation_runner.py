"""Running investigations: claim the lease, run the next step, commit, repeat; finish once.

Durability (docs/architecture.md, "Durable investigations"): every step's results are committed
together with the run state that marks the step done, under a lease checked by compare-and-set. A
worker that dies leaves a lease that expires; the sweeper re-enqueues the run and the next worker
re-runs the unfinished step (steps only read and return evidence, so re-running is safe). Writes
from a worker that lost its lease are refused, so a run completes exactly once.

The lease is short (``AUTOIR_INVESTIGATION_LEASE_SECONDS``, 30 s by default) so that a dead
worker's run resumes soon; while a step runs, a helper thread renews it every third of its length,
so a live step longer than the lease keeps its run. Renewal stops at the step's time limit: a hung
step gives its run up at most one lease after its limit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from autoir.domain.alerts.enums import InvestigationState
from autoir.domain.investigations import conductor
from autoir.domain.investigations.enums import (
    InvestigationStatus,
    LogKind,
    LogStatus,
    TriggerRole,
)
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.playbook import PlaybookSpec, StepSpec
from autoir.domain.investigations.record import InvestigationRecord
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.domain.remediation.outcome import investigation_status
from autoir.ports.analyzer import AnalysisContext, Analyzer
from autoir.ports.investigations import NewLogEntry
from autoir.ports.remediation import MailboxInspector
from autoir.ports.unit_of_work import UnitOfWork
from autoir.services.context import ServiceContext
from autoir.services.investigation_steps.contract import StepFunction, StepInput, StepOutput
from autoir.services.remediation_outcome import resolve_alerts
from autoir.services.remediation_planning import RemediationPlanner

LEASE = timedelta(seconds=30)
"""The default work lease (``AUTOIR_INVESTIGATION_LEASE_SECONDS``)."""

log = logging.getLogger("autoir.investigations")


@dataclass(frozen=True, slots=True)
class RunnerDeps:
    """What the runner needs besides the service context."""

    playbooks: Mapping[str, PlaybookSpec]
    steps: Mapping[str, StepFunction]
    analyzers: Sequence[Analyzer]
    analysis_context: Callable[[UnitOfWork], AnalysisContext]
    planner: RemediationPlanner
    on_approved: Callable[[Sequence[str]], None]
    """Hands automatic actions to the executor once the finishing transaction committed."""
    lease: timedelta = LEASE
    """How long a worker's claim lasts without renewal."""
    mailboxes: MailboxInspector | None = None
    """Mailbox rules for the steps that read them (forwarding, out of office)."""
    internal_domains: tuple[str, ...] = ()


class InvestigationRunner:
    """Advances investigations; called by task-queue workers."""

    def __init__(self, ctx: ServiceContext, deps: RunnerDeps) -> None:
        """Keep the dependencies."""
        self._ctx = ctx
        self._deps = deps
        self._lease = deps.lease

    def advance(self, investigation_id: str, worker_id: str) -> InvestigationStatus | None:
        """Run the investigation as far as it goes; returns its status, None if not ours."""
        claimed = self._claim(investigation_id, worker_id)
        if claimed is None:
            return None
        record, ready_since = claimed
        spec = self._deps.playbooks.get(record.playbook_id)
        if spec is None:
            return self._end(
                record,
                worker_id,
                InvestigationStatus.FAILED,
                f"Playbook {record.playbook_id} is not installed.",
            )
        while True:
            state = conductor.RunState.from_json(record.state)
            now = self._ctx.clock.now()
            step = conductor.next_step(spec, state)
            if step is None:
                # Every step ran: what is left is remediation, which its actions' expiry bounds.
                return self._finish(record, worker_id)
            reason = conductor.limit_reason(
                spec.limits,
                started_at=record.started_at or now,
                now=now,
                entity_count=record.entity_count,
            )
            if reason is not None:
                return self._end(
                    record, worker_id, InvestigationStatus.TERMINATED_BY_SYSTEM, reason
                )
            if conductor.attempts_exhausted(state, step.id, spec.limits):
                return self._end(
                    record,
                    worker_id,
                    InvestigationStatus.FAILED,
                    f"Step {step.id} failed {spec.limits.max_step_attempts} times.",
                )
            updated = self._run_step(record, spec, step, state, worker_id, ready_since)
            if updated is None:
                return None
            record = updated
            ready_since = self._ctx.clock.now()

    def _claim(
        self, investigation_id: str, worker_id: str
    ) -> tuple[InvestigationRecord, datetime] | None:
        """Take the lease; returns the record and since when it waited for a worker."""
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            repo = uow.investigations
            if not repo.claim(investigation_id, worker_id, now, self._lease):
                return None
            record = repo.get(investigation_id)
            if record is None or not record.status.is_active:
                repo.release(investigation_id, worker_id)
                uow.commit()
                return None
            abandoned = repo.abandon_running_logs(
                investigation_id, "The worker running this step stopped; the step is run again."
            )
            ready_since = record.last_modified_at
            if abandoned:
                self._log(uow, record, LogKind.SYSTEM, "Resumed", f"Resumed by {worker_id}.")
            if record.status is not InvestigationStatus.RUNNING:
                record = replace(
                    record,
                    status=InvestigationStatus.RUNNING,
                    started_at=record.started_at or now,
                    last_modified_at=now,
                )
                self._set_alert_states(uow, record, InvestigationState.RUNNING)
                self._log(uow, record, LogKind.SYSTEM, "Investigation started", record.name)
            repo.save(record, worker_id, now, self._lease)
            uow.commit()
        return record, min(ready_since, now)

    def _run_step(
        self,
        record: InvestigationRecord,
        spec: PlaybookSpec,
        step: StepSpec,
        state: conductor.RunState,
        worker_id: str,
        ready_since: datetime,
    ) -> InvestigationRecord | None:
        """Run one step; its log row says since when it was ready (queued time) and its start."""
        clock = self._ctx.clock
        now = clock.now()
        with self._ctx.uow() as uow:
            record = replace(
                record,
                state=conductor.begin_attempt(state, step.id).to_json(),
                last_modified_at=now,
            )
            if not uow.investigations.save(record, worker_id, now, self._lease):
                return None
            log_id = uow.investigations.add_log(
                NewLogEntry(
                    investigation_id=record.id,
                    kind=LogKind.STEP,
                    name=step.id,
                    status=LogStatus.RUNNING,
                    description=step.function,
                    created_at=min(ready_since, now),
                    step_id=step.id,
                    started_at=now,
                    queued=max(now - ready_since, timedelta(0)),
                )
            )
            uow.commit()
        started = time.perf_counter()
        failure: str | None = None
        output = StepOutput()
        try:
            with self._lease_renewed(record, worker_id, step.timeout):
                output = self._execute(record, spec, step)
        except Exception as exc:  # noqa: BLE001 - a failing step is logged and retried
            failure = f"{type(exc).__name__}: {exc}"
        elapsed = timedelta(seconds=time.perf_counter() - started)
        if failure is None and elapsed > step.timeout:
            failure = f"The step ran {elapsed.total_seconds():.1f} s, over its time limit."
        now = clock.now()
        with self._ctx.uow() as uow:
            repo = uow.investigations
            if failure is not None:
                repo.finish_log(log_id, LogStatus.FAILED, failure, elapsed)
                if not repo.save(
                    replace(record, last_modified_at=now), worker_id, now, self._lease
                ):
                    return None
                uow.commit()
                return record
            current = repo.get(record.id)
            if current is None or not current.status.is_active:
                return None
            repo.upsert_evidence(record.id, output.evidence, now)
            repo.add_keys(record.id, output.entities)
            for run in output.analyzer_runs:
                repo.add_log(
                    NewLogEntry(
                        investigation_id=record.id,
                        kind=LogKind.ANALYZER,
                        name=run.name,
                        status=run.status,
                        description=run.description,
                        created_at=now,
                        step_id=step.id,
                        duration=run.duration,
                    )
                )
            repo.finish_log(log_id, LogStatus.COMPLETED, output.summary or step.function, elapsed)
            items = repo.evidence(record.id)
            record = _with_involved(
                replace(
                    record,
                    state=conductor.complete(
                        conductor.RunState.from_json(record.state), step.id
                    ).to_json(),
                    last_modified_at=now,
                    threat_count=conductor.threat_count(items),
                ),
                items,
            )
            if not repo.save(record, worker_id, now, self._lease):
                return None
            uow.commit()
        return record

    @contextmanager
    def _lease_renewed(
        self, record: InvestigationRecord, worker_id: str, limit: timedelta
    ) -> Iterator[None]:
        """Renew the lease every third of its length while the block runs, for at most ``limit``.

        The renewal writes the record as it was saved when the step began (nothing else writes it
        while the lease is held), so it changes nothing but the expiry; it stops on the first
        refusal (the lease was lost or the run cancelled: the step's results will be refused).
        """
        stop = threading.Event()
        interval = self._lease.total_seconds() / 3
        deadline = time.monotonic() + limit.total_seconds()

        def renew() -> None:
            while not stop.wait(interval) and time.monotonic() < deadline:
                now = self._ctx.clock.now()
                try:
                    with self._ctx.uow() as uow:
                        if not uow.investigations.save(record, worker_id, now, self._lease):
                            return
                        uow.commit()
                except Exception:
                    log.exception("Renewing the lease of %s failed; retrying", record.id)

        thread = threading.Thread(target=renew, name=f"autoir-lease-{record.id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _execute(
        self, record: InvestigationRecord, spec: PlaybookSpec, step: StepSpec
    ) -> StepOutput:
        function = self._deps.steps[step.function]
        with self._ctx.read_uow() as uow:
            alert_ids = [alert_id for alert_id, _ in uow.investigations.alert_links(record.id)]
            step_input = StepInput(
                investigation=record,
                step=step,
                limits=spec.limits,
                alerts=uow.alerts.get_many(alert_ids),
                evidence={item.key: item for item in uow.investigations.evidence(record.id)},
                now=self._ctx.clock.now(),
                uow=uow,
                analyzers=self._deps.analyzers,
                analysis_context=self._deps.analysis_context(uow),
                mailboxes=self._deps.mailboxes,
                internal_domains=self._deps.internal_domains,
            )
            return function(step_input)

    def _finish(self, record: InvestigationRecord, worker_id: str) -> InvestigationStatus | None:
        """Plan actions from the verdicts and conclude.

        Run again while actions execute (the sweeper re-sends active investigations), it plans
        nothing new and only re-reads the actions' state.
        """
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            repo = uow.investigations
            plan = self._deps.planner.plan(uow, record, repo.evidence(record.id), now)
            repo.upsert_evidence(record.id, plan.items, now)
            uow.actions.add(plan.actions)
            actions = uow.actions.for_investigation(record.id)
            status = investigation_status(actions) or conductor.conclude(plan.items, 0)
            waiting = status in {
                InvestigationStatus.PENDING_ACTION,
                InvestigationStatus.PARTIALLY_REMEDIATED,
            }
            changed = status is not record.status
            record = _with_involved(
                replace(
                    record,
                    status=status,
                    last_modified_at=now,
                    ended_at=now if status.is_final else None,
                    pending_since=(record.pending_since or now) if waiting else None,
                    threat_count=conductor.threat_count(plan.items),
                    action_count=sum(1 for a in actions if a.undo_of is None),
                ),
                plan.items,
            )
            if not repo.save(record, worker_id, now, self._lease):
                return None
            repo.release(record.id, worker_id)
            self._set_alert_states(uow, record, status.alert_state)
            if changed and status is InvestigationStatus.REMEDIATED:
                links = repo.alert_links(record.id)
                resolve_alerts(uow, [a for a, role in links if role is TriggerRole.TRIGGER], now)
            if changed or plan.actions:
                automatic = sum(1 for a in plan.actions if a.status is ActionStatus.APPROVED)
                self._log(
                    uow,
                    record,
                    LogKind.SYSTEM,
                    "Investigation finished",
                    f"{status.value}: {record.threat_count} threats, {record.action_count} "
                    f"actions ({automatic} automatic)",
                )
            uow.commit()
        approved = [a.id for a in plan.actions if a.status is ActionStatus.APPROVED]
        if approved:
            self._deps.on_approved(approved)
        return status

    def _end(
        self,
        record: InvestigationRecord,
        worker_id: str,
        status: InvestigationStatus,
        details: str,
    ) -> InvestigationStatus | None:
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            record = replace(
                record, status=status, status_details=details, ended_at=now, last_modified_at=now
            )
            if not uow.investigations.save(record, worker_id, now, self._lease):
                return None
            uow.investigations.release(record.id, worker_id)
            self._set_alert_states(uow, record, status.alert_state)
            self._log(uow, record, LogKind.SYSTEM, "Investigation ended", details)
            uow.commit()
        return status

    def _set_alert_states(
        self, uow: UnitOfWork, record: InvestigationRecord, state: InvestigationState
    ) -> None:
        links = uow.investigations.alert_links(record.id)
        triggers = [alert_id for alert_id, role in links if role is TriggerRole.TRIGGER]
        uow.investigations.set_alert_states(triggers, state, self._ctx.clock.now())

    def _log(
        self,
        uow: UnitOfWork,
        record: InvestigationRecord,
        kind: LogKind,
        name: str,
        description: str,
    ) -> None:
        now = self._ctx.clock.now()
        uow.investigations.add_log(
            NewLogEntry(
                investigation_id=record.id,
                kind=kind,
                name=name,
                status=LogStatus.COMPLETED,
                description=description,
                created_at=now,
                started_at=now,
            )
        )


def _with_involved(
    record: InvestigationRecord, items: Sequence[EvidenceItem]
) -> InvestigationRecord:
    users = sorted({i.name for i in items if i.kind == "user"})
    mailboxes = sorted({i.name for i in items if i.kind == "mailbox"})
    devices = sorted({i.name for i in items if i.kind == "device"})
    return replace(
        record,
        users=tuple(users[:100]),
        mailboxes=tuple(mailboxes[:100]),
        devices=tuple(devices[:100]),
        entity_count=len(items),
    )
