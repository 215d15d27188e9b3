"""Automated investigations: triage of new alerts, the runner, leases, cancel, the API."""

from __future__ import annotations

from typing import Any

from autoir.bootstrap import Container
from tests.conftest import ApiClient
from tests.support import alerts as A
from tests.support.clock import FakeClock

REPORTED = "Email reported by user as malware or phish"


def _message(network_id: str, recipient: str = "bob@fabrikam.example") -> dict[str, Any]:
    return {
        "@odata.type": A.ODATA + "analyzedMessageEvidence",
        "networkMessageId": network_id,
        "internetMessageId": f"<{network_id}@mail.example>",
        "subject": "Your mailbox is full - verify now",
        "recipientEmailAddress": recipient,
        "senderIp": "203.0.113.7",
        "p1Sender": {"emailAddress": "bounce@evil.example"},
        "p2Sender": {"emailAddress": "it-support@evil.example", "displayName": "IT Support"},
        "deliveryAction": "delivered",
        "deliveryLocation": "inbox",
        "urls": ["https://evil.example/login"],
    }


def _url(url: str, verdict: str = "unknown") -> dict[str, Any]:
    return {"@odata.type": A.ODATA + "urlEvidence", "url": url, "verdict": verdict}


def _reported(network_id: str, *extra: dict[str, Any]) -> dict[str, Any]:
    return A.alert(
        title=REPORTED,
        serviceSource="microsoftDefenderForOffice365",
        detectionSource="microsoftDefenderForOffice365",
        category="InitialAccess",
        evidence=[_message(network_id), *extra],
    )


def _ingest(api: ApiClient, *bodies: dict[str, Any]) -> list[str]:
    response = api.post("/api/v1/alerts", json={"value": list(bodies)})
    assert response.status_code == 201, response.text
    ids: list[str] = response.json()["ids"]
    return ids


def _state(api: ApiClient, alert_id: str) -> str:
    state: str = api.get(f"/api/v1/alerts/{alert_id}").json()["investigationState"]
    return state


def _run_all(container: Container, worker: str = "worker-1") -> list[str]:
    ids = container.automation.investigations.sweep()
    for investigation_id in ids:
        container.automation.runner.advance(investigation_id, worker)
    return ids


def test_reported_phish_is_investigated_and_proposes_remediation(
    api: ApiClient, container: Container
) -> None:
    (alert_id,) = _ingest(
        api, _reported("nmid-1", _url("https://evil.example/login", verdict="malicious"))
    )
    assert _state(api, alert_id) == "unknown"
    (investigation_id,) = container.automation.investigations.sweep()
    assert _state(api, alert_id) == "queued"
    status = container.automation.runner.advance(investigation_id, "worker-1")
    assert status is not None
    assert status.value == "pendingAction"
    assert _state(api, alert_id) == "pendingApproval"

    body = api.get(f"/api/v1/investigations/{investigation_id}").json()
    assert body["status"] == "pendingAction"
    assert body["investigationType"] == "userReportedMessage"
    assert body["triggeringAlertId"] == alert_id
    evidence = {item["key"]: item for item in body["evidence"]}
    url = evidence["url:https://evil.example/login"]
    assert url["verdict"] == "malicious"
    assert url["remediationStatus"] == "pendingApproval"
    assert url["reasons"], "a verdict always comes with its reasons"
    assert {a["actionType"] for a in body["actions"]} == {"blockUrl"}
    assert body["threatCount"] >= 1
    assert body["actionCount"] == 1
    steps = [row for row in body["log"] if row["type"] == "step"]
    assert [row["name"] for row in steps] == [
        "evidence",
        "messages",
        "analysis",
        "clusters",
        "clicks",
    ]
    assert all(row["status"] == "completed" for row in steps)
    node_ids = {node["id"] for node in body["graph"]["nodes"]}
    assert f"alert:{alert_id}" in node_ids
    assert {"source": f"alert:{alert_id}", "target": url["key"]} in body["graph"]["edges"]


def test_alert_on_entities_under_investigation_joins_it(
    api: ApiClient, container: Container
) -> None:
    (first,) = _ingest(api, _reported("nmid-2"))
    (investigation_id,) = container.automation.investigations.sweep()
    (second,) = _ingest(api, _reported("nmid-2"))
    assert container.automation.investigations.sweep() == []
    assert _state(api, second) == "preexistingAlert"
    body = api.get(f"/api/v1/investigations/{investigation_id}").json()
    roles = {alert["id"]: alert["investigationRole"] for alert in body["alerts"]}
    assert roles == {first: "trigger", second: "preexisting"}


def test_alert_states_for_unsupported_and_suppressed_alerts(
    api: ApiClient, container: Container
) -> None:
    unsupported, suppressed = _ingest(
        api,
        A.alert(
            title="Something no playbook handles",
            category="Discovery",
            serviceSource="microsoftDefenderForCloudApps",
            detectionSource="cloudAppSecurity",
        ),
        A.alert(status="resolved", evidence=[A.device("9" * 40)]),
    )
    assert container.automation.investigations.sweep() == []
    assert _state(api, unsupported) == "unsupportedAlertType"
    assert _state(api, suppressed) == "suppressedAlert"


def test_a_lease_keeps_a_second_worker_out_until_it_expires(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    _ingest(api, _reported("nmid-3", _url("https://evil.example/a", verdict="malicious")))
    (investigation_id,) = container.automation.investigations.sweep()
    ctx = container.ctx
    lease = __import__("datetime").timedelta(seconds=30)
    with ctx.uow() as uow:
        assert uow.investigations.claim(investigation_id, "dead-worker", clock.now(), lease)
        uow.commit()
    # The first worker "dies" holding the lease: nobody else may run the investigation ...
    assert container.automation.runner.advance(investigation_id, "worker-2") is None
    # ... and the sweeper does not hand it out while the lease is live.
    assert investigation_id not in container.automation.investigations.sweep()
    clock.advance(seconds=31)
    assert investigation_id in container.automation.investigations.sweep()
    status = container.automation.runner.advance(investigation_id, "worker-2")
    assert status is not None
    assert status.value == "pendingAction"
    # The dead worker's late writes are refused.
    with ctx.uow() as uow:
        record = uow.investigations.get(investigation_id)
        assert record is not None
        assert not uow.investigations.save(record, "dead-worker", clock.now(), lease)


def test_a_step_interrupted_mid_way_runs_again_and_results_are_not_duplicated(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    _ingest(api, _reported("nmid-4", _url("https://evil.example/b", verdict="malicious")))
    (investigation_id,) = container.automation.investigations.sweep()
    runner = container.automation.runner
    # Simulate a worker that claimed, started the first step and died before committing it.
    claimed = runner._claim(investigation_id, "dying-worker")
    assert claimed is not None
    record, _ = claimed
    spec = container.automation.investigations.playbooks[record.playbook_id]
    from autoir.domain.investigations import conductor

    with container.ctx.uow() as uow:
        from dataclasses import replace

        state = conductor.begin_attempt(conductor.RunState.from_json(record.state), "evidence")
        uow.investigations.save(
            replace(record, state=state.to_json()),
            "dying-worker",
            clock.now(),
            __import__("datetime").timedelta(seconds=30),
        )
        from autoir.domain.investigations.enums import LogKind, LogStatus
        from autoir.ports.investigations import NewLogEntry

        uow.investigations.add_log(
            NewLogEntry(
                investigation_id,
                LogKind.STEP,
                "evidence",
                LogStatus.RUNNING,
                "",
                clock.now(),
                step_id="evidence",
            )
        )
        uow.commit()
    clock.advance(seconds=61)
    assert runner.advance(investigation_id, "worker-3") is not None
    body = api.get(f"/api/v1/investigations/{investigation_id}").json()
    step_rows = [row for row in body["log"] if row["type"] == "step"]
    assert [(r["name"], r["status"]) for r in step_rows] == [
        ("evidence", "failed"),
        ("evidence", "completed"),
        ("messages", "completed"),
        ("analysis", "completed"),
        ("clusters", "completed"),
        ("clicks", "completed"),
    ]
    assert len(body["actions"]) == len({(a["actionType"], a["targetKey"]) for a in body["actions"]})
    keys = [item["key"] for item in body["evidence"]]
    assert len(keys) == len(set(keys))
    assert spec.steps[0].id == "evidence"
    # Running it again changes nothing: it is finished.
    assert runner.advance(investigation_id, "worker-3") is None


def test_cancel_stops_the_run(api: ApiClient, container: Container) -> None:
    (alert_id,) = _ingest(api, _reported("nmid-5"))
    (investigation_id,) = container.automation.investigations.sweep()
    response = api.post(f"/api/v1/investigations/{investigation_id}/cancel")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "terminatedByUser"
    assert container.automation.runner.advance(investigation_id, "worker-1") is None
    assert _state(api, alert_id) == "terminatedByUser"
    again = api.post(f"/api/v1/investigations/{investigation_id}/cancel")
    assert again.status_code == 400


def test_manual_investigation_list_filter_and_bad_input(
    api: ApiClient, container: Container
) -> None:
    response = api.post(
        "/api/v1/investigations", json={"entityType": "device", "value": "ws-042.fabrikam.example"}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["investigationType"] == "manual"
    assert created["status"] == "queued"
    assert container.automation.runner.advance(created["id"], "w") is not None
    body = api.get(f"/api/v1/investigations/{created['id']}").json()
    assert body["status"] == "noThreatsFound"
    assert [item["name"] for item in body["evidence"]] == ["ws-042.fabrikam.example"]

    listed = api.get(
        "/api/v1/investigations",
        params={"$filter": "status eq 'noThreatsFound'", "$count": "true"},
    ).json()
    assert listed["@odata.count"] == 1
    assert listed["value"][0]["id"] == created["id"]
    by_entity = api.get(
        "/api/v1/investigations",
        params={"$filter": "evidence/any(e: e/value eq 'WS-042.fabrikam.example')"},
    ).json()
    assert [i["id"] for i in by_entity["value"]] == [created["id"]]

    bad = api.post("/api/v1/investigations", json={"entityType": "planet", "value": ""})
    assert bad.status_code == 400
    targets = {e["target"] for e in bad.json()["error"]["details"]}
    assert targets == {"entityType", "value"}
    assert api.get("/api/v1/investigations/nope").status_code == 404
    bad_filter = api.get("/api/v1/investigations", params={"$filter": "colour eq 'red'"})
    assert bad_filter.status_code == 400
    reader = api.post(
        "/api/v1/investigations",
        json={"entityType": "user", "value": "eve@fabrikam.example"},
        headers=api.as_role("Security reader"),
    )
    assert reader.status_code == 403


def test_cancelling_while_pending_counts_the_wait_and_cancels_open_actions(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    _ingest(api, _reported("nmid-9", _url("https://evil.example/login", verdict="malicious")))
    (investigation_id,) = _run_all(container)
    body = api.get(f"/api/v1/investigations/{investigation_id}").json()
    assert body["status"] == "pendingAction"
    assert {a["status"] for a in body["actions"]} == {"pending"}
    clock.advance(seconds=7200)
    response = api.post(f"/api/v1/investigations/{investigation_id}/cancel")
    assert response.status_code == 200, response.text
    body = api.get(f"/api/v1/investigations/{investigation_id}").json()
    assert body["status"] == "terminatedByUser"
    assert body["totalPendingSeconds"] == 7200
    assert {a["status"] for a in body["actions"]} == {"cancelled"}


def test_the_log_says_how_long_each_step_waited_for_a_worker(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    _ingest(api, _reported("nmid-11"))
    (investigation_id,) = container.automation.investigations.sweep()
    clock.advance(seconds=90)  # no worker free for a minute and a half
    assert container.automation.runner.advance(investigation_id, "worker-1") is not None
    body = api.get(f"/api/v1/investigations/{investigation_id}").json()
    steps = [row for row in body["log"] if row["type"] == "step"]
    assert steps[0]["queuedSeconds"] == 90
    assert all(row["queuedSeconds"] == 0 for row in steps[1:])


def test_past_alerts_wait_for_a_backlog_triage_and_join_only_work_of_their_time(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    from datetime import timedelta

    now = clock.now()
    old = _reported("nmid-20")
    old["createdDateTime"] = (now - timedelta(days=10)).isoformat()
    later = _reported("nmid-20")  # the same message, reported again five days later
    later["providerAlertId"] = "p-later"
    later["createdDateTime"] = (now - timedelta(days=5)).isoformat()
    first, second = _ingest(api, old, later)
    assert first != second, "two alerts, five days apart"
    investigations = container.automation.investigations
    assert investigations.sweep() == []  # history: the sweep takes only recent alerts
    assert _state(api, first) == "unknown"
    started = investigations.triage_backlog(now - timedelta(days=30))
    assert len(started) == 2  # five days apart: not one piece of work
    assert {_state(api, first), _state(api, second)} == {"queued"}
    near = _reported("nmid-20")  # two hours after the second report: the same piece of work
    near["createdDateTime"] = (now - timedelta(days=5) + timedelta(hours=2)).isoformat()
    (third,) = _ingest(api, near)
    assert investigations.triage_backlog(now - timedelta(days=30)) == []
    assert _state(api, third) == "preexistingAlert"
    (recent,) = _ingest(api, _reported("nmid-20"))
    assert len(investigations.triage()) == 1  # today's report is news: its own investigation
    assert _state(api, recent) == "queued"
