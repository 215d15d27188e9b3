"""Wiring of automated investigation: playbooks, steps, runner, task queue and worker."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from autoir.bootstrap.analysis import AnalysisComponents
from autoir.bootstrap.remediation import Remediation, build_remediation
from autoir.domain.remediation.automation import AutomationPolicy
from autoir.domain.telemetry.normalize import normalize_address, normalize_sha256
from autoir.playbooks.catalog import load_playbooks
from autoir.ports.analyzer import AnalysisContext
from autoir.ports.unit_of_work import UnitOfWork
from autoir.services.action_dispatch import Connectors
from autoir.services.context import ServiceContext
from autoir.services.investigation_runner import InvestigationRunner, RunnerDeps
from autoir.services.investigation_steps.registry import STEP_FUNCTIONS
from autoir.services.investigations import InvestigationService
from autoir.settings import Settings
from autoir.tasks.mail_poller import MailPoller
from autoir.tasks.queue import Handlers, HueyTaskQueue, create_huey
from autoir.tasks.worker import Worker


@dataclass(slots=True)
class Automation:
    """The investigation service, the runner and the task queue that drives it."""

    investigations: InvestigationService
    runner: InvestigationRunner
    queue: HueyTaskQueue
    settings: Settings
    remediation: Remediation
    worker: Worker | None = None
    mail_poller: MailPoller | None = None
    """Reads the mailboxes while a worker runs (when a mail server is configured)."""
    fresh_analysis_context: Callable[[], AnalysisContext] = field(
        default=lambda: AnalysisContext(now=datetime.now(UTC)), repr=False
    )
    """An analysis context with telemetry lookups, in its own read transaction."""
    also_on_sweep: list[Callable[[], object]] = field(default_factory=list)
    """More work for every sweep (alert notifications); a failure is logged, not raised."""
    housekeeping: Callable[[], object] | None = None
    """Periodic upkeep run by the sweeper (telemetry retention purge), at most every
    ``settings.housekeeping_minutes``."""
    _housekeeping_at: float | None = field(default=None, repr=False)
    _sweep_requested_at: float | None = field(default=None, repr=False)

    def start_worker(self, threads: int | None = None) -> Worker:
        """Start consuming (inside ``serve``, or as the ``autoir worker`` process)."""
        if self.worker is None:
            self.worker = Worker(
                self.queue.huey,
                threads=self.settings.worker_threads if threads is None else threads,
                sweep=self.sweep,
                sweep_interval=self.settings.sweep_seconds,
            )
            self.worker.start()
            if self.mail_poller is not None:
                self.mail_poller.start()
        return self.worker

    def stop_worker(self) -> None:
        """Stop consuming after the current tasks."""
        if self.mail_poller is not None:
            self.mail_poller.stop()
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def request_sweep(self) -> None:
        """Ask a worker to triage new alerts now (after an ingest), at most every 0.2 s."""
        now = time.monotonic()
        with _REQUEST_LOCK:
            if (
                self._sweep_requested_at is not None
                and now - self._sweep_requested_at < SWEEP_REQUEST_GAP
            ):
                return
            self._sweep_requested_at = now
        self.queue.enqueue_sweep()

    def sweep(self) -> None:
        """Triage alerts, enqueue runs and actions, expire approvals, run upkeep when due."""
        for investigation_id in self.investigations.sweep():
            self.queue.enqueue_advance(investigation_id)
        self.queue.enqueue_actions(self.remediation.executor.sweep())
        for work in self.also_on_sweep:
            try:
                work()
            except Exception:
                log.exception("sweep work %s failed; retried at the next sweep", work)
        self.run_housekeeping_if_due()

    def run_housekeeping_if_due(self, now: float | None = None) -> bool:
        """Run ``housekeeping`` when the interval has passed since the last run (or never ran).

        Returns whether it ran. A failure is logged and retried at the next interval.
        """
        if self.housekeeping is None:
            return False
        now = time.monotonic() if now is None else now
        interval = self.settings.housekeeping_minutes * 60
        if self._housekeeping_at is not None and now - self._housekeeping_at < interval:
            return False
        self._housekeeping_at = now
        try:
            result = self.housekeeping()
        except Exception:
            log.exception("housekeeping failed; retried in %s minutes", interval / 60)
            return True
        log.info("housekeeping: %s", result)
        return True

    def advance(self, investigation_id: str) -> None:
        """Advance one investigation as this thread's worker identity."""
        self.runner.advance(investigation_id, _worker_id())

    def execute_action(self, action_id: str) -> None:
        """Execute one approved action as this thread's worker identity."""
        self.remediation.executor.execute(action_id, _worker_id())


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


log = logging.getLogger("autoir.automation")
_REQUEST_LOCK = threading.Lock()
SWEEP_REQUEST_GAP = 0.2  # seconds: one triage request per burst of ingest batches


def build_automation(
    settings: Settings,
    ctx: ServiceContext,
    analysis: AnalysisComponents,
    connectors: Connectors,
    policy: Callable[[], AutomationPolicy],
    housekeeping: Callable[[], object] | None = None,
) -> Automation:
    """Load playbooks; wire the runner (analyzers, telemetry lookups), remediation, queue."""
    steps = {**STEP_FUNCTIONS, **analysis.registry.steps()}
    playbooks = load_playbooks(frozenset(steps), settings.playbook_dirs)
    lease = timedelta(seconds=settings.investigation_lease_seconds)

    def analysis_context(uow: UnitOfWork) -> AnalysisContext:
        telemetry = uow.telemetry

        def sender_seen_before(address: str, before: datetime) -> bool:
            normal = normalize_address(address)
            return normal is not None and telemetry.sender_seen_before(normal, before)

        def file_prevalence(sha256: str) -> int:
            normal = normalize_sha256(sha256)
            return 0 if normal is None else telemetry.file_sightings(normal, None, None, 0)[0]

        return analysis.context(
            ctx.clock.now(),
            sender_seen_before=sender_seen_before,
            file_prevalence=file_prevalence,
        )

    def fresh_analysis_context() -> AnalysisContext:
        def sender_seen_before(address: str, before: datetime) -> bool:
            normal = normalize_address(address)
            if normal is None:
                return False
            with ctx.read_uow() as uow:
                return uow.telemetry.sender_seen_before(normal, before)

        def file_prevalence(sha256: str) -> int:
            normal = normalize_sha256(sha256)
            if normal is None:
                return 0
            with ctx.read_uow() as uow:
                return uow.telemetry.file_sightings(normal, None, None, 0)[0]

        return analysis.context(
            ctx.clock.now(),
            sender_seen_before=sender_seen_before,
            file_prevalence=file_prevalence,
        )

    queue = HueyTaskQueue(create_huey(settings.task_broker, settings.data_dir))
    remediation = build_remediation(settings, ctx, connectors, policy, queue.enqueue_actions)
    runner = InvestigationRunner(
        ctx,
        RunnerDeps(
            playbooks=playbooks,
            steps=steps,
            analyzers=analysis.analyzers,
            analysis_context=analysis_context,
            planner=remediation.planner,
            on_approved=queue.enqueue_actions,
            lease=lease,
            mailboxes=connectors.mailboxes,
            internal_domains=connectors.internal_domains,
        ),
    )
    automation = Automation(
        investigations=InvestigationService(ctx, playbooks, lease=lease),
        runner=runner,
        queue=queue,
        settings=settings,
        remediation=remediation,
        housekeeping=housekeeping,
        fresh_analysis_context=fresh_analysis_context,
    )
    queue.bind(
        Handlers(
            advance=automation.advance, sweep=automation.sweep, execute=automation.execute_action
        )
    )
    return automation
