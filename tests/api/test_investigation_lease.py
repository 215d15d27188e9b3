"""The work lease on the wall clock: renewed while a long step runs, given up by a hung step.

The lease is one second here (the smallest AUTOIR_INVESTIGATION_LEASE_SECONDS allows), and the
steps run two to three times as long, so without renewal another worker would take the run over.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from autoir.bootstrap import Container
from autoir.domain.investigations.playbook import PlaybookSpec, parse_playbook
from autoir.platform.clock import SystemClock
from autoir.ports.analyzer import AnalysisContext
from autoir.services.alert_ingest import AlertIngestService
from autoir.services.context import ServiceContext
from autoir.services.investigation_runner import InvestigationRunner, RunnerDeps
from autoir.services.investigation_steps.contract import StepFunction, StepInput, StepOutput
from autoir.services.investigation_steps.registry import STEP_FUNCTIONS
from autoir.services.investigations import InvestigationService
from tests.support import alerts as A

LEASE = timedelta(seconds=1)
TITLE = "Lease drill"


@dataclass
class Harness:
    ctx: ServiceContext
    service: InvestigationService
    runner: InvestigationRunner
    investigation_id: str


def _harness(container: Container, step: StepFunction, timeout: float) -> Harness:
    """A run of ``collect_alert_evidence`` then ``step`` on the wall clock, triaged and queued."""
    ctx = replace(container.ctx, clock=SystemClock())
    steps = {**STEP_FUNCTIONS, "test.step": step}
    spec: PlaybookSpec = parse_playbook(
        {
            "id": "playbook.lease_drill",
            "name": "Lease drill",
            "investigationType": "userReportedMessage",
            "triggers": {"alertTitles": [TITLE]},
            "steps": [
                {"id": "evidence", "function": "collect_alert_evidence"},
                {"id": "long", "function": "test.step", "timeoutSeconds": timeout},
            ],
        },
        known_functions=frozenset(steps),
    )
    service = InvestigationService(ctx, {spec.id: spec}, lease=LEASE)
    runner = InvestigationRunner(
        ctx,
        RunnerDeps(
            playbooks={spec.id: spec},
            steps=steps,
            analyzers=(),
            analysis_context=lambda _uow: AnalysisContext(now=datetime.now(UTC)),
            planner=container.automation.remediation.planner,
            on_approved=lambda _ids: None,
            lease=LEASE,
        ),
    )
    AlertIngestService(ctx).ingest([A.alert(title=TITLE, category="LeaseDrill")])
    (investigation_id,) = service.sweep()
    return Harness(ctx, service, runner, investigation_id)


def test_a_live_step_longer_than_the_lease_keeps_its_run(container: Container) -> None:
    seen: dict[str, Any] = {"thief": [], "swept": []}
    harness: Harness | None = None

    def long_step(_: StepInput) -> StepOutput:
        assert harness is not None
        for pause in (1.4, 1.0):  # each pause is longer than the lease
            time.sleep(pause)
            seen["thief"].append(harness.runner.advance(harness.investigation_id, "thief"))
            seen["swept"].append(harness.investigation_id in harness.service.sweep())
        return StepOutput(summary="long step done")

    harness = _harness(container, long_step, timeout=30)
    status = harness.runner.advance(harness.investigation_id, "worker-1")

    assert seen == {"thief": [None, None], "swept": [False, False]}
    assert status is not None
    assert status.value == "noThreatsFound"
    with harness.ctx.read_uow() as uow:
        steps = [
            (row.name, row.status.value)
            for row in uow.investigations.log(harness.investigation_id)
            if row.kind.value == "step"
        ]
    assert steps == [("evidence", "completed"), ("long", "completed")]


def test_a_hung_step_gives_its_run_up_one_lease_after_its_time_limit(
    container: Container,
) -> None:
    taken: list[bool] = []
    harness: Harness | None = None

    def hung_step(_: StepInput) -> StepOutput:
        assert harness is not None
        time.sleep(2.2)  # the limit is 0.5 s: renewal stops then, the lease ends by ~1.5 s
        with harness.ctx.uow() as uow:
            taken.append(
                uow.investigations.claim(
                    harness.investigation_id, "next-worker", harness.ctx.clock.now(), LEASE
                )
            )
            uow.commit()
        return StepOutput(summary="too late")

    harness = _harness(container, hung_step, timeout=0.5)
    # The hung worker's result is refused: it no longer holds the lease.
    assert harness.runner.advance(harness.investigation_id, "worker-1") is None
    assert taken == [True]
    with harness.ctx.read_uow() as uow:
        record = uow.investigations.get(harness.investigation_id)
        assert record is not None
        assert record.status.value == "running"
        assert record.state["completed"] == ["evidence"]
