"""The demo tenant can be remediated: its mail is in the in-memory mailboxes, on load and after a
restart (a new process's connectors are seeded from the stored telemetry)."""

from __future__ import annotations

from typing import Any

from autoir.bootstrap import Container, build
from autoir.bootstrap.analysis import AnalysisComponents
from autoir.cli.demo import load_demo, seed_demo_connectors
from autoir.connectors.memory import InMemoryEmailSystem, InMemoryEndpointFleet
from autoir.demo.generator import build_demo_directory, generate_demo_scenarios
from autoir.domain.access.permissions import Permission, Principal
from autoir.domain.queries.filters import Compare, CompareOp, ListQuery
from tests.conftest import ApiClient
from tests.support.clock import FakeClock

SMALL = {"seed": 7, "days": 2, "user_count": 40, "device_count": 30}
REPORTED = "Email reported by user as malware or phish"
ANALYST = Principal("analyst", "Analyst", "Security administrator", frozenset(Permission))


def _mail(container: Container) -> InMemoryEmailSystem:
    email = container.automation.remediation.connectors.email
    assert isinstance(email, InMemoryEmailSystem)
    return email


def _url_cluster_delete(api: ApiClient, container: Container, clock: FakeClock) -> dict[str, Any]:
    """Investigate the demo's reported phish; its pending soft delete of the URL cluster."""
    scenarios = generate_demo_scenarios(now=clock.now(), **SMALL)
    phishing = next(s for s in scenarios if s.name == "phishing-to-compromise")
    reported = next(a for a in phishing.alerts if a["title"] == REPORTED)
    page, _ = container.alerts.queue(
        ListQuery(
            filter=Compare("providerAlertId", CompareOp.EQ, str(reported["providerAlertId"])),
            top=1,
        )
    )
    (alert,) = page.items
    automation = container.automation
    automation.investigations.sweep()
    investigation_id = automation.investigations.ids_for([alert.id])[alert.id]
    assert automation.runner.advance(investigation_id, "worker-1") is not None
    actions = api.get(f"/api/v1/investigations/{investigation_id}").json()["actions"]
    (delete,) = [
        a
        for a in actions
        if a["actionType"] == "softDeleteEmail" and a["targetDetails"].get("clusterBy") == "url"
    ]
    assert delete["status"] == "pending"
    return dict(delete)


def _run_actions(container: Container) -> None:
    executor = container.automation.remediation.executor
    for action_id in executor.sweep():
        executor.execute(action_id, "worker-1")


def test_a_demo_phishing_soft_delete_completes_and_survives_a_restart(
    api: ApiClient, container: Container, clock: FakeClock, analysis: AnalysisComponents
) -> None:
    load_demo(container, progress=False, now=clock.now(), **SMALL)
    fleet = container.automation.remediation.connectors.endpoints
    assert isinstance(fleet, InMemoryEndpointFleet)
    directory = build_demo_directory(
        seed=SMALL["seed"], user_count=SMALL["user_count"], device_count=SMALL["device_count"]
    )
    assert all(fleet.is_online(d.device_id) for d in directory.devices)
    delete = _url_cluster_delete(api, container, clock)

    response = api.post("/api/v1/actions/approve", json={"ids": [delete["id"]]})
    assert response.status_code == 200, response.text
    _run_actions(container)
    done = api.get(f"/api/v1/actions/{delete['id']}").json()
    assert done["status"] == "completed", done
    counts = done["result"]["counts"]
    assert counts["done"] > 0, counts
    assert counts["failed"] == 0, done["result"]
    moved = [m for m in done["result"]["messages"] if m["status"] == "done"]
    email = _mail(container)
    for entry in moved:
        ref = entry["message"]
        assert email.folder_of(ref["mailbox"], ref["networkMessageId"]) == "Deleted Items"

    # A restart: new in-memory connectors, seeded from what the database holds now.
    restarted = build(container.settings, clock=clock, analysis=analysis)
    try:
        seeded = seed_demo_connectors(restarted)
        assert seeded is not None
        assert seeded.messages > 0
        again = _mail(restarted)
        for entry in moved:
            ref = entry["message"]
            assert again.folder_of(ref["mailbox"], ref["networkMessageId"]) == "Deleted Items"
        # …so the undo, executed by the new process, finds every copy and puts it back.
        undo = restarted.automation.remediation.center.undo(ANALYST, delete["id"], "false positive")
        _run_actions(restarted)
        result = restarted.automation.remediation.center.get(undo.id).result
        assert result["counts"]["done"] == len(moved), result
        for entry in moved:
            ref = entry["message"]
            assert again.folder_of(ref["mailbox"], ref["networkMessageId"]) == "Inbox"
    finally:
        restarted.close()


def test_a_database_without_the_demo_is_not_seeded(container: Container) -> None:
    assert seed_demo_connectors(container) is None
    assert _mail(container).folders("anyone@fabrikam.example") == []
