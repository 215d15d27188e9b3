"""Executing actions: at most once per approval, retries, failures, offline devices, expiry,
de-duplication, four-eyes and cancel — against the in-memory connectors, on both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from autoir.bootstrap import Container
from autoir.domain.access.permissions import BUILTIN_ROLES, Principal
from autoir.domain.errors import Conflict, PermissionDenied
from autoir.domain.messages.enums import DeliveryLocation
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.services.action_center import ActionCenterService, ActionCenterSettings
from tests.api.test_action_center import (
    _actions,
    _campaign,
    _fleet,
    _investigate,
    _mail,
    _report,
    _run_actions,
    _url_cluster_delete,
)
from tests.conftest import ApiClient
from tests.support.clock import FakeClock


def _isolate(api: ApiClient, device: str = "dev-1", **extra: Any) -> dict[str, Any]:
    body = {"actionType": "isolateDevice", "target": {"kind": "device", "deviceId": device}}
    response = api.post("/api/v1/actions", json={**body, **extra})
    assert response.status_code == 201, response.text
    action: dict[str, Any] = response.json()
    return action


def _get(api: ApiClient, action_id: str) -> dict[str, Any]:
    action: dict[str, Any] = api.get(f"/api/v1/actions/{action_id}").json()
    return action


def _person(name: str, role: str = "Security operator") -> Principal:
    return Principal(name, name, role, BUILTIN_ROLES[role][1])


def test_a_manual_isolation_runs_once_and_a_second_execution_finds_nothing_to_claim(
    api: ApiClient, container: Container
) -> None:
    fleet = _fleet(container)
    fleet.enroll("dev-1", files={}, processes={})
    action = _isolate(api, parameters={"isolationType": "Selective"})
    assert (action["status"], action["actionSource"]) == ("approved", "manualDeviceAction")
    executor = container.automation.remediation.executor
    assert executor.execute(action["id"], "w1") is ActionStatus.COMPLETED
    assert executor.execute(action["id"], "w2") is None
    assert fleet.isolation("dev-1") == "Selective"
    done = _get(api, action["id"])
    assert (done["status"], done["attempts"], done["result"]["machineActionStatus"]) == (
        "completed",
        1,
        "Succeeded",
    )
    undo = api.post(f"/api/v1/actions/{action['id']}/undo", json={})
    assert undo.status_code == 201, undo.text
    assert executor.execute(undo.json()["id"], "w1") is ActionStatus.COMPLETED
    assert fleet.isolation("dev-1") is None
    assert _get(api, action["id"])["status"] == "undone"


def test_a_worker_that_dies_mid_call_is_replaced_and_the_effect_happens_once(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    _campaign(api, container)
    _report(api)
    investigation_id = _investigate(container)
    delete = _url_cluster_delete(api, investigation_id)
    center = container.automation.remediation.center
    center.approve(_person("ana"), [delete["id"]], None)
    # A worker claims the action and dies before recording anything.
    with container.ctx.uow() as uow:
        assert uow.actions.claim(delete["id"], "dead", clock.now(), timedelta(minutes=2))
        uow.commit()
    executor = container.automation.remediation.executor
    assert executor.sweep() == [], "a live lease is left alone"
    assert executor.execute(delete["id"], "w2") is None
    clock.advance(minutes=3)
    assert executor.sweep() == [delete["id"]]
    assert executor.execute(delete["id"], "w2") is ActionStatus.COMPLETED
    done = _get(api, delete["id"])
    assert (done["attempts"], done["result"]["counts"]["done"]) == (2, 6)
    email = _mail(container)
    assert all(
        email.folder_of(f"user{i}@fabrikam.example", f"phish-{i}") == "Deleted Items"
        for i in range(6)
    )


def test_transient_errors_are_retried_with_back_off_then_fail_with_the_connectors_message(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    fleet = _fleet(container)
    fleet.enroll("dev-1", files={}, processes={})
    executor = container.automation.remediation.executor
    first = _isolate(api)
    fleet.fail_next(2, transient=True)
    assert executor.execute(first["id"], "w") is ActionStatus.QUEUED
    queued = _get(api, first["id"])
    assert queued["status"] == "queued"
    assert queued["error"]
    assert executor.execute(first["id"], "w") is None, "not before its next attempt time"
    clock.advance(seconds=6)
    assert executor.execute(first["id"], "w") is ActionStatus.QUEUED
    clock.advance(seconds=11)
    assert executor.execute(first["id"], "w") is ActionStatus.COMPLETED
    assert fleet.isolation("dev-1") == "Full"

    second = _isolate(api, "dev-2")
    fleet.enroll("dev-2", files={}, processes={})
    fleet.fail_next(1, transient=False)
    assert executor.execute(second["id"], "w") is ActionStatus.FAILED
    failed = _get(api, second["id"])
    assert failed["status"] == "failed"
    assert failed["error"]

    third = _isolate(api, "dev-3")
    fleet.enroll("dev-3", files={}, processes={})
    fleet.fail_next(50, transient=True)
    for _ in range(10):
        clock.advance(minutes=11)
        if executor.execute(third["id"], "w") is ActionStatus.FAILED:
            break
    gave_up = _get(api, third["id"])
    assert gave_up["status"] == "failed"
    assert gave_up["attempts"] == 5
    assert "after 5 attempts" in gave_up["error"]


def test_an_offline_device_waits_for_its_check_in_then_runs_once(
    api: ApiClient, container: Container
) -> None:
    fleet = _fleet(container)
    fleet.enroll("dev-9", files={}, processes={}, online=False)
    executor = container.automation.remediation.executor
    action = _isolate(api, "dev-9")
    assert executor.execute(action["id"], "w") is ActionStatus.PENDING_RESOURCE
    assert _get(api, action["id"])["status"] == "pendingResource"
    assert executor.sweep() == []
    fleet.set_online("dev-9", online=True)
    assert executor.sweep() == [action["id"]]
    assert executor.execute(action["id"], "w") is ActionStatus.COMPLETED
    assert fleet.isolation("dev-9") == "Full"


def test_pending_actions_expire_after_a_week_and_the_investigation_ends_terminated_by_system(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    _campaign(api, container)
    alert_id = _report(api)
    investigation_id = _investigate(container)
    clock.advance(days=6, hours=23)
    container.automation.remediation.executor.sweep()
    assert {a["status"] for a in _actions(api, investigation_id)} == {"pending"}
    clock.advance(hours=2)
    container.automation.remediation.executor.sweep()
    assert {a["status"] for a in _actions(api, investigation_id)} == {"expired"}
    body = api.get(f"/api/v1/investigations/{investigation_id}").json()
    assert body["status"] == "terminatedBySystem"
    assert api.get(f"/api/v1/alerts/{alert_id}").json()["investigationState"] == (
        "terminatedBySystem"
    )


def test_approving_the_same_cluster_again_within_an_hour_is_deduplicated(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    _campaign(api, container)
    _report(api)
    investigation_id = _investigate(container)
    first = _url_cluster_delete(api, investigation_id)
    center = container.automation.remediation.center
    center.approve(_person("ana"), [first["id"]], None)
    # Someone else asks for the same cluster to be soft deleted (four-eyes: it waits).
    careful = ActionCenterService(
        container.ctx, ActionCenterSettings(four_eyes=True), on_approved=lambda _ids: None
    )
    target = {
        "kind": "mailCluster",
        "clusterBy": "url",
        "clusterByValue": first["targetDetails"]["clusterByValue"],
    }
    body = {"actionType": "softDeleteEmail", "target": target}
    within = careful.request(_person("ben"), body)
    clock.advance(minutes=30)
    (again,) = careful.approve(_person("cy"), [within.id], None)
    assert again.status is ActionStatus.COMPLETED
    assert again.result["duplicateOf"] == first["id"]
    later = careful.request(_person("ben"), body)
    clock.advance(minutes=45)
    (fresh,) = careful.approve(_person("cy"), [later.id], None)
    assert fresh.status is ActionStatus.APPROVED, "more than an hour after the first approval"


def test_the_four_eyes_rule_keeps_requesters_from_approving_their_own_actions(
    container: Container,
) -> None:
    fleet = _fleet(container)
    fleet.enroll("dev-1", files={}, processes={})
    queued: list[str] = []
    center = ActionCenterService(
        container.ctx, ActionCenterSettings(four_eyes=True), on_approved=queued.extend
    )
    body = {"actionType": "isolateDevice", "target": {"kind": "device", "deviceId": "dev-1"}}
    action = center.request(_person("ana"), body)
    assert action.status is ActionStatus.PENDING
    assert queued == []
    with pytest.raises(PermissionDenied):
        center.approve(_person("ana"), [action.id], None)
    (approved,) = center.approve(_person("ben"), [action.id], "checked")
    assert approved.status is ActionStatus.APPROVED
    assert queued == [action.id]
    with pytest.raises(Conflict):
        center.approve(_person("cy"), [action.id], None)


def test_cancel_stops_an_action_that_has_not_run_and_refuses_one_that_has(
    api: ApiClient, container: Container
) -> None:
    fleet = _fleet(container)
    fleet.enroll("dev-1", files={}, processes={}, online=False)
    action = _isolate(api)
    cancelled = api.post(f"/api/v1/actions/{action['id']}/cancel", json={"comment": "oops"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["comments"][0]["comment"] == "oops"
    assert container.automation.remediation.executor.execute(action["id"], "w") is None
    fleet.set_online("dev-1", online=True)
    done = _isolate(api)
    container.automation.remediation.executor.execute(done["id"], "w")
    assert api.post(f"/api/v1/actions/{done['id']}/cancel", json={}).status_code == 409


def test_the_csv_export_lists_the_actions_and_defuses_formulas(
    api: ApiClient, container: Container
) -> None:
    _fleet(container).enroll("dev-1", files={}, processes={})
    _isolate(api, comment="=HYPERLINK(1)")
    response = api.get("/api/v1/actions/export.csv", params={"timeRange": "day"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("Action ID,Investigation ID,Action type")
    assert len(lines) == 2
    assert "isolateDevice" in lines[1]
    assert ",'=HYPERLINK(1)," in lines[1], "a formula is quoted, not run by a spreadsheet"


def test_a_pending_soft_delete_whose_mail_left_the_mailboxes_is_cancelled_as_remediated(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    _campaign(api, container)
    _report(api)
    investigation_id = _investigate(container)
    executor = container.automation.remediation.executor
    executor.sweep()  # first check: every copy is still in an inbox
    assert {a["status"] for a in _actions(api, investigation_id)} == {"pending"}
    with container.ctx.uow() as uow:  # a user (or ZAP) deleted every copy meanwhile
        uow.telemetry.set_delivery_location(
            [f"phish-{i}" for i in range(6)], DeliveryLocation.DELETED_FOLDER
        )
        uow.commit()
    clock.advance(minutes=5)
    executor.sweep()
    assert {a["status"] for a in _actions(api, investigation_id)} == {"pending"}, "not yet due"
    clock.advance(minutes=6)
    executor.sweep()
    statuses = {a["actionType"]: a["status"] for a in _actions(api, investigation_id)}
    assert statuses["softDeleteEmail"] == "cancelled"
    assert statuses["blockUrl"] == "pending", "a URL block does not depend on the mail"


def test_an_action_whose_device_stays_offline_expires_and_its_command_is_withdrawn(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    fleet = _fleet(container)
    fleet.enroll("dev-5", files={}, processes={}, online=False)
    executor = container.automation.remediation.executor
    action = _isolate(api, "dev-5")
    assert executor.execute(action["id"], "w") is ActionStatus.PENDING_RESOURCE
    waiting = _get(api, action["id"])
    assert waiting["expirationDateTime"] is not None
    clock.advance(days=7, minutes=1)
    executor.sweep()
    expired = _get(api, action["id"])
    assert expired["status"] == "expired"
    assert "withdrawn" in expired["error"]
    fleet.set_online("dev-5", online=True)
    assert executor.sweep() == []
    assert fleet.isolation("dev-5") is None, "the withdrawn command never ran"


def test_cancelling_an_action_waiting_for_its_device_withdraws_the_command(
    api: ApiClient, container: Container
) -> None:
    fleet = _fleet(container)
    fleet.enroll("dev-6", files={}, processes={}, online=False)
    executor = container.automation.remediation.executor
    action = _isolate(api, "dev-6")
    assert executor.execute(action["id"], "w") is ActionStatus.PENDING_RESOURCE
    response = api.post(f"/api/v1/actions/{action['id']}/cancel", json={})
    assert response.status_code == 200, response.text
    fleet.set_online("dev-6", online=True)
    assert executor.sweep() == []
    assert fleet.isolation("dev-6") is None


def test_executions_are_written_to_the_investigation_log(
    api: ApiClient, container: Container
) -> None:
    _campaign(api, container)
    _report(api)
    investigation_id = _investigate(container)
    delete = _url_cluster_delete(api, investigation_id)
    api.post("/api/v1/actions/approve", json={"ids": [delete["id"]]})
    _run_actions(container)
    log = api.get(f"/api/v1/investigations/{investigation_id}").json()["log"]
    rows = [r for r in log if r["type"] == "action" and r["name"] == "softDeleteEmail"]
    assert len(rows) == 1
    assert rows[0]["status"] == "completed"
    assert "6 of 6 copies done" in rows[0]["description"]


def test_an_action_approved_after_its_pending_re_check_runs_at_once(
    api: ApiClient, container: Container
) -> None:
    _campaign(api, container)
    _report(api)
    investigation_id = _investigate(container)
    executor = container.automation.remediation.executor
    executor.sweep()  # the pending re-check sets the next check 10 minutes ahead
    delete = _url_cluster_delete(api, investigation_id)
    api.post("/api/v1/actions/approve", json={"ids": [delete["id"]]})
    assert delete["id"] in executor.sweep(), "due now, not at the next re-check"
    assert executor.execute(delete["id"], "w") is ActionStatus.COMPLETED


def test_a_running_action_records_its_progress_and_keeps_its_lease(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    action = _isolate(api, "dev-progress")
    lease = timedelta(minutes=2)
    with container.ctx.uow() as uow:
        assert uow.actions.claim(action["id"], "worker-1", clock.now(), lease) is not None
        uow.commit()
    clock.advance(seconds=100)
    with container.ctx.uow() as uow:
        renewed = uow.actions.heartbeat(
            action["id"], "worker-1", clock.now(), lease, {"done": 40, "total": 100}
        )
        stolen = uow.actions.heartbeat(
            action["id"], "worker-2", clock.now(), lease, {"done": 1, "total": 100}
        )
        uow.commit()
    assert (renewed, stolen) == (True, False)
    assert _get(api, action["id"])["result"] == {"progress": {"done": 40, "total": 100}}
    # Past the first lease but inside the renewed one: no other worker can take it.
    clock.advance(seconds=60)
    with container.ctx.uow() as uow:
        assert uow.actions.claim(action["id"], "worker-2", clock.now(), lease) is None
