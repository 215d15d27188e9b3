"""EndpointFleet contract: every machine action, quarantine round trip, offline devices, retries."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.ports.remediation import CommandOutcome, CommandState, DeviceCommand, DeviceOperation
from tests.contract.conftest import FleetHarness, settle

Op = DeviceOperation
HOST = "dev-web-01"
OTHER = "dev-db-02"
EVIL = b"\x7fELF\x02\x01\x01 coinminer \x00\xde\xad\xbe\xef" * 8
EVIL_SHA = hashlib.sha256(EVIL).hexdigest()
FILES = {
    "/usr/local/lib/.cache/kworkerd": EVIL,
    "/opt/app/bin/helper": EVIL,
    "/usr/bin/nginx": b"\x7fELF nginx",
    "/home/alice/notes.txt": b"remember the milk\n",
}
PROCESSES = {
    4242: "/usr/local/lib/.cache/kworkerd",
    4243: "/opt/app/bin/helper",
    80: "/usr/bin/nginx",
}
TASKS = {
    "kworkerd": "*/5 * * * * /usr/local/lib/.cache/kworkerd",
    "logrotate": "0 0 * * * /usr/sbin/logrotate",
}


@pytest.fixture
def devices(fleet: FleetHarness) -> FleetHarness:
    """Two enrolled, online devices; HOST runs two copies of a miner."""
    fleet.enroll(HOST, FILES, PROCESSES, TASKS)
    fleet.enroll(OTHER, FILES, PROCESSES, TASKS)
    return fleet


def run(harness: FleetHarness, action_id: str, op: Op, **parameters: Any) -> CommandOutcome:
    harness.fleet.dispatch(DeviceCommand(action_id, HOST, op, parameters))
    return settle(harness.fleet, action_id)


def assert_other_device_untouched(harness: FleetHarness) -> None:
    assert harness.files(OTHER) == FILES
    assert harness.processes(OTHER) == PROCESSES
    assert harness.scheduled_tasks(OTHER) == TASKS
    assert harness.isolation(OTHER) is None
    assert not harness.is_code_restricted(OTHER)


# --- containment -----------------------------------------------------------------------------


@pytest.mark.parametrize("isolation_type", ["Full", "Selective"])
def test_isolate_then_unisolate_sets_and_clears_isolation(
    devices: FleetHarness, isolation_type: str
) -> None:
    isolated = run(devices, "act-1", Op.ISOLATE, isolationType=isolation_type)

    assert isolated.state is CommandState.SUCCEEDED
    assert devices.isolation(HOST) == isolation_type
    assert run(devices, "act-2", Op.UNISOLATE).state is CommandState.SUCCEEDED
    assert devices.isolation(HOST) is None
    assert_other_device_untouched(devices)


def test_isolate_with_unknown_isolation_type_is_rejected(devices: FleetHarness) -> None:
    with pytest.raises(ConnectorRejected):
        devices.fleet.dispatch(DeviceCommand("act-1", HOST, Op.ISOLATE, {"isolationType": "Air"}))

    assert devices.isolation(HOST) is None
    assert devices.fleet.outcome("act-1") is None


def test_restrict_then_unrestrict_code_execution(devices: FleetHarness) -> None:
    assert run(devices, "act-1", Op.RESTRICT_CODE_EXECUTION).state is CommandState.SUCCEEDED
    assert devices.is_code_restricted(HOST)
    assert run(devices, "act-2", Op.UNRESTRICT_CODE_EXECUTION).state is CommandState.SUCCEEDED
    assert not devices.is_code_restricted(HOST)
    assert_other_device_untouched(devices)


# --- antivirus -------------------------------------------------------------------------------


def test_full_scan_reports_every_known_bad_file_and_changes_nothing(
    devices: FleetHarness,
) -> None:
    devices.add_indicator(EVIL_SHA)

    outcome = run(devices, "act-1", Op.RUN_ANTIVIRUS_SCAN, scanType="Full")

    assert outcome.state is CommandState.SUCCEEDED
    threats = {(t["path"], t["sha256"]) for t in outcome.details["threats"]}
    assert threats == {
        ("/usr/local/lib/.cache/kworkerd", EVIL_SHA),
        ("/opt/app/bin/helper", EVIL_SHA),
    }
    assert devices.files(HOST) == FILES
    assert devices.processes(HOST) == PROCESSES


def test_quick_scan_reports_known_bad_running_image(devices: FleetHarness) -> None:
    devices.add_indicator(EVIL_SHA)

    outcome = run(devices, "act-1", Op.RUN_ANTIVIRUS_SCAN, scanType="Quick")

    assert outcome.state is CommandState.SUCCEEDED
    assert "/usr/local/lib/.cache/kworkerd" in {t["path"] for t in outcome.details["threats"]}


def test_scan_without_indicators_reports_no_threats(devices: FleetHarness) -> None:
    outcome = run(devices, "act-1", Op.RUN_ANTIVIRUS_SCAN, scanType="Full")

    assert outcome.state is CommandState.SUCCEEDED
    assert outcome.details["threats"] == []


# --- quarantine ------------------------------------------------------------------------------


def test_stop_and_quarantine_kills_matching_processes_and_quarantines_every_copy(
    devices: FleetHarness,
) -> None:
    outcome = run(devices, "act-1", Op.STOP_AND_QUARANTINE_FILE, sha256=EVIL_SHA)

    assert outcome.state is CommandState.SUCCEEDED
    assert devices.processes(HOST) == {80: "/usr/bin/nginx"}
    assert devices.files(HOST) == {
        "/usr/bin/nginx": FILES["/usr/bin/nginx"],
        "/home/alice/notes.txt": FILES["/home/alice/notes.txt"],
    }
    assert len(outcome.details["quarantineIds"]) == 2
    assert_other_device_untouched(devices)


def test_release_from_quarantine_restores_paths_and_bytes_exactly(devices: FleetHarness) -> None:
    held = run(devices, "act-1", Op.STOP_AND_QUARANTINE_FILE, sha256=EVIL_SHA)

    released = run(
        devices,
        "act-2",
        Op.RELEASE_FROM_QUARANTINE,
        quarantineIds=list(held.details["quarantineIds"]),
    )

    assert released.state is CommandState.SUCCEEDED
    assert devices.files(HOST) == FILES
    assert devices.files(HOST)["/usr/local/lib/.cache/kworkerd"] == EVIL


def test_release_from_quarantine_by_sha256_restores_every_copy(devices: FleetHarness) -> None:
    run(devices, "act-1", Op.STOP_AND_QUARANTINE_FILE, sha256=EVIL_SHA)

    run(devices, "act-2", Op.RELEASE_FROM_QUARANTINE, sha256=EVIL_SHA)

    assert devices.files(HOST) == FILES


def test_stop_and_quarantine_of_absent_file_changes_nothing(devices: FleetHarness) -> None:
    absent = hashlib.sha256(b"not on this host").hexdigest()

    outcome = run(devices, "act-1", Op.STOP_AND_QUARANTINE_FILE, sha256=absent)

    assert outcome.state in {CommandState.SUCCEEDED, CommandState.FAILED}
    assert devices.files(HOST) == FILES
    assert devices.processes(HOST) == PROCESSES


# --- collection ------------------------------------------------------------------------------


def test_collect_investigation_package_lists_artifacts(devices: FleetHarness) -> None:
    outcome = run(devices, "act-1", Op.COLLECT_INVESTIGATION_PACKAGE)

    assert outcome.state is CommandState.SUCCEEDED
    artifacts = outcome.details["artifacts"]
    assert artifacts
    assert all(a["name"] and a["size"] >= 0 for a in artifacts)
    assert devices.files(HOST) == FILES


def test_request_sample_returns_the_file_bytes(devices: FleetHarness) -> None:
    outcome = run(devices, "act-1", Op.REQUEST_SAMPLE, sha256=EVIL_SHA)

    assert outcome.state is CommandState.SUCCEEDED
    assert outcome.details["sha256"] == EVIL_SHA
    assert outcome.details["size"] == len(EVIL)
    if "contentBase64" in outcome.details:
        assert base64.b64decode(outcome.details["contentBase64"]) == EVIL
    assert devices.files(HOST) == FILES


def test_request_sample_of_absent_file_fails(devices: FleetHarness) -> None:
    absent = hashlib.sha256(b"not on this host").hexdigest()

    outcome = run(devices, "act-1", Op.REQUEST_SAMPLE, sha256=absent)

    assert outcome.state is CommandState.FAILED
    assert outcome.error


# --- live response ---------------------------------------------------------------------------


def test_live_response_delete_file_removes_only_that_file(devices: FleetHarness) -> None:
    outcome = run(devices, "act-1", Op.DELETE_FILE, sha256=EVIL_SHA, path="/opt/app/bin/helper")

    assert outcome.state is CommandState.SUCCEEDED
    expected = {p: d for p, d in FILES.items() if p != "/opt/app/bin/helper"}
    assert devices.files(HOST) == expected


def test_live_response_delete_absent_file_fails(devices: FleetHarness) -> None:
    outcome = run(devices, "act-1", Op.DELETE_FILE, path="/etc/does-not-exist")

    assert outcome.state is CommandState.FAILED
    assert devices.files(HOST) == FILES


def test_live_response_stop_process_by_pid_stops_only_that_process(
    devices: FleetHarness,
) -> None:
    assert run(devices, "act-1", Op.STOP_PROCESS, pid=4242).state is CommandState.SUCCEEDED

    assert devices.processes(HOST) == {4243: "/opt/app/bin/helper", 80: "/usr/bin/nginx"}
    assert devices.files(HOST) == FILES


def test_live_response_stop_process_by_sha256_stops_every_instance(
    devices: FleetHarness,
) -> None:
    assert run(devices, "act-1", Op.STOP_PROCESS, sha256=EVIL_SHA).state is CommandState.SUCCEEDED

    assert devices.processes(HOST) == {80: "/usr/bin/nginx"}


def test_live_response_stop_absent_process_fails(devices: FleetHarness) -> None:
    assert run(devices, "act-1", Op.STOP_PROCESS, pid=999_999).state is CommandState.FAILED
    assert devices.processes(HOST) == PROCESSES


def test_live_response_remove_scheduled_task_removes_only_that_task(
    devices: FleetHarness,
) -> None:
    outcome = run(devices, "act-1", Op.REMOVE_SCHEDULED_TASK, name="kworkerd")

    assert outcome.state is CommandState.SUCCEEDED
    assert devices.scheduled_tasks(HOST) == {"logrotate": TASKS["logrotate"]}
    assert run(devices, "act-2", Op.REMOVE_SCHEDULED_TASK, name="kworkerd").state is (
        CommandState.FAILED
    )


@pytest.mark.parametrize(
    "op",
    [
        Op.STOP_AND_QUARANTINE_FILE,
        Op.REQUEST_SAMPLE,
        Op.DELETE_FILE,
        Op.STOP_PROCESS,
        Op.REMOVE_SCHEDULED_TASK,
        Op.RELEASE_FROM_QUARANTINE,
    ],
)
def test_dispatch_without_required_parameters_is_rejected(devices: FleetHarness, op: Op) -> None:
    with pytest.raises(ConnectorRejected):
        devices.fleet.dispatch(DeviceCommand("act-1", HOST, op, {}))

    assert devices.files(HOST) == FILES
    assert devices.processes(HOST) == PROCESSES


# --- offboarding -----------------------------------------------------------------------------


def test_offboard_takes_device_off_the_fleet(devices: FleetHarness) -> None:
    assert run(devices, "act-1", Op.OFFBOARD).state is CommandState.SUCCEEDED

    assert not devices.fleet.is_online(HOST)
    with pytest.raises(ConnectorRejected):
        devices.fleet.dispatch(DeviceCommand("act-2", HOST, Op.ISOLATE))
    assert devices.fleet.is_online(OTHER)


# --- offline devices and idempotency ---------------------------------------------------------


def test_dispatch_to_offline_device_waits_and_runs_once_after_check_in(
    devices: FleetHarness,
) -> None:
    devices.set_online(HOST, online=False)
    assert not devices.fleet.is_online(HOST)
    command = DeviceCommand("act-1", HOST, Op.STOP_AND_QUARANTINE_FILE, {"sha256": EVIL_SHA})

    assert devices.fleet.dispatch(command).state is CommandState.PENDING_RESOURCE
    waiting = devices.fleet.outcome("act-1")
    assert waiting is not None
    assert waiting.state is CommandState.PENDING_RESOURCE
    assert devices.files(HOST) == FILES

    devices.set_online(HOST, online=True)
    done = settle(devices.fleet, "act-1")

    assert done.state is CommandState.SUCCEEDED
    assert "/usr/local/lib/.cache/kworkerd" not in devices.files(HOST)
    ids = done.details["quarantineIds"]
    run(devices, "act-2", Op.RELEASE_FROM_QUARANTINE, quarantineIds=list(ids))
    assert devices.fleet.dispatch(command) == done
    assert settle(devices.fleet, "act-1") == done
    assert devices.files(HOST) == FILES


def test_cancel_withdraws_a_waiting_command_and_keeps_the_outcome_of_one_that_ran(
    devices: FleetHarness,
) -> None:
    devices.set_online(HOST, online=False)
    waiting = DeviceCommand("act-1", HOST, Op.ISOLATE, {"isolationType": "Full"})
    assert devices.fleet.dispatch(waiting).state is CommandState.PENDING_RESOURCE
    cancelled = devices.fleet.cancel("act-1")
    assert cancelled is not None
    assert cancelled.state is CommandState.CANCELLED
    devices.set_online(HOST, online=True)
    assert settle(devices.fleet, "act-1").state is CommandState.CANCELLED
    assert devices.isolation(HOST) is None, "a withdrawn command never runs"
    assert devices.fleet.dispatch(waiting).state is CommandState.CANCELLED

    ran = run(devices, "act-2", Op.ISOLATE, isolationType="Full")
    assert devices.fleet.cancel("act-2") == ran
    assert devices.isolation(HOST) == "Full"
    assert devices.fleet.cancel("never-sent") is None


def test_dispatch_repeated_action_id_returns_outcome_without_acting_again(
    devices: FleetHarness,
) -> None:
    first = run(devices, "act-1", Op.ISOLATE, isolationType="Full")
    run(devices, "act-2", Op.UNISOLATE)

    again = devices.fleet.dispatch(
        DeviceCommand("act-1", HOST, Op.ISOLATE, {"isolationType": "Full"})
    )

    assert again == first
    assert devices.isolation(HOST) is None


def test_outcome_of_undispatched_action_is_none(devices: FleetHarness) -> None:
    assert devices.fleet.outcome("never-sent") is None


def test_dispatch_to_unknown_device_is_rejected(devices: FleetHarness) -> None:
    assert not devices.fleet.is_online("dev-unknown")
    with pytest.raises(ConnectorRejected):
        devices.fleet.dispatch(DeviceCommand("act-1", "dev-unknown", Op.ISOLATE))


# --- errors ----------------------------------------------------------------------------------


def test_dispatch_with_injected_transient_failure_raises_unavailable_and_changes_nothing(
    devices: FleetHarness,
) -> None:
    command = DeviceCommand("act-1", HOST, Op.ISOLATE, {"isolationType": "Full"})
    devices.fail_next(1)

    with pytest.raises(ConnectorUnavailable):
        devices.fleet.dispatch(command)

    assert devices.isolation(HOST) is None
    devices.fleet.dispatch(command)
    assert settle(devices.fleet, "act-1").state is CommandState.SUCCEEDED
    assert devices.isolation(HOST) == "Full"


def test_dispatch_with_injected_permanent_failure_raises_rejected(devices: FleetHarness) -> None:
    devices.fail_next(1, transient=False)

    with pytest.raises(ConnectorRejected):
        devices.fleet.dispatch(DeviceCommand("act-1", HOST, Op.OFFBOARD))

    assert devices.fleet.is_online(HOST)
