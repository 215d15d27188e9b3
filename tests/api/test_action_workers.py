"""Approved actions reach the workers through the task queue (no direct executor calls)."""

from __future__ import annotations

import time
from pathlib import Path

from autoir.bootstrap import build
from autoir.bootstrap.analysis import AnalysisComponents
from autoir.connectors.memory import InMemoryEndpointFleet
from autoir.domain.access.permissions import BUILTIN_ROLES, Principal
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.settings import Settings


def test_a_manual_action_is_executed_by_a_worker_right_after_its_request(
    tmp_path: Path, analysis: AnalysisComponents
) -> None:
    settings = Settings(data_dir=tmp_path, sweep_seconds=600, worker_threads=1)
    container = build(settings, analysis=analysis)
    try:
        fleet = container.automation.remediation.connectors.endpoints
        assert isinstance(fleet, InMemoryEndpointFleet)
        fleet.enroll("dev-1", files={}, processes={})
        container.automation.start_worker()
        time.sleep(0.5)  # the first sweep ran; the next one is 10 minutes away
        operator = Principal(
            "ana", "Ana", "Security operator", BUILTIN_ROLES["Security operator"][1]
        )
        action = container.automation.remediation.center.request(
            operator,
            {"actionType": "isolateDevice", "target": {"kind": "device", "deviceId": "dev-1"}},
        )
        deadline = time.monotonic() + 20
        status = action.status
        while time.monotonic() < deadline and status is not ActionStatus.COMPLETED:
            time.sleep(0.05)
            status = container.automation.remediation.center.get(action.id).status
        assert status is ActionStatus.COMPLETED
        assert fleet.isolation("dev-1") == "Full"
    finally:
        container.close()
