"""Wiring of automated investigation: playbooks, steps, runner, task queue and worker."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from autoir.playbooks.catalog import load_playbooks
from autoir.ports.analyzer import AnalysisContext, Analyzer
from autoir.ports.unit_of_work import UnitOfWork
from autoir.services.context import ServiceContext
from autoir.services.investigation_runner import InvestigationRunner, RunnerDeps
from autoir.services.investigation_steps.registry import STEP_FUNCTIONS
from autoir.services.investigations import InvestigationService
from autoir.settings import Settings
from autoir.tasks.queue import Handlers, HueyTaskQueue, create_huey
from autoir.tasks.worker import Worker


@dataclass(slots=True)
class Automation:
    """The investigation service, the runner and the task queue that drives it."""

    investigations: InvestigationService
    runner: InvestigationRunner
    queue: HueyTaskQueue
    settings: Settings
    worker: Worker | None = None

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
        return self.worker

    def stop_worker(self) -> None:
        """Stop consuming after the current tasks."""
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def sweep(self) -> None:
        """Triage new alerts and enqueue runs that need a worker."""
        for investigation_id in self.investigations.sweep():
            self.queue.enqueue_advance(investigation_id)

    def advance(self, investigation_id: str) -> None:
        """Advance one investigation as this thread's worker identity."""
        worker_id = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.runner.advance(investigation_id, worker_id)


def build_automation(
    settings: Settings, ctx: ServiceContext, analyzers: Sequence[Analyzer]
) -> Automation:
    """Load playbooks, wire the runner and the queue."""
    playbooks = load_playbooks(frozenset(STEP_FUNCTIONS), settings.playbook_dirs)

    def analysis_context(_uow: UnitOfWork) -> AnalysisContext:
        return AnalysisContext(now=ctx.clock.now())

    runner = InvestigationRunner(
        ctx,
        RunnerDeps(
            playbooks=playbooks,
            steps=STEP_FUNCTIONS,
            analyzers=tuple(analyzers),
            analysis_context=analysis_context,
        ),
    )
    queue = HueyTaskQueue(create_huey(settings.task_broker, settings.data_dir))
    automation = Automation(
        investigations=InvestigationService(ctx, playbooks),
        runner=runner,
        queue=queue,
        settings=settings,
    )
    queue.bind(Handlers(advance=automation.advance, sweep=automation.sweep))
    return automation
