"""The Action Center end to end: investigation → automatic and pending actions → approve or
reject → execution through the connector → undo, on both database backends."""

from __future__ import annotations

from typing import Any

from autoir.bootstrap import Container
from autoir.connectors.memory import InMemoryEmailSystem, InMemoryEndpointFleet
from tests.conftest import ApiClient
from tests.support import alerts as A
from tests.support import telemetry as T
from tests.support.clock import FakeClock

REPORTED = "Email reported by user as malware or phish"
PAYLOAD_URL = "https://files.evil.example/d/payload"
PHISH_IP = "203.0.113.7"
COPIES = 6


def _post(api: ApiClient, kind: str, records: list[dict[str, Any]]) -> None:
    response = api.post(f"/api/v1/telemetry/{kind}", json={"value": records})
    assert response.status_code == 201, response.text


def _mail(container: Container) -> InMemoryEmailSystem:
    email = container.automation.remediation.connectors.email
    assert isinstance(email, InMemoryEmailSystem)
    return email


def _fleet(container: Container) -> InMemoryEndpointFleet:
    fleet = container.automation.remediation.connectors.endpoints
    assert isinstance(fleet, InMemoryEndpointFleet)
    return fleet


def _campaign(api: ApiClient, container: Container) -> None:
    """Six phishing copies in six inboxes, and legitimate mail beside them."""
    email = _mail(container)
    records = []
    for i in range(COPIES):
        mailbox = f"user{i}@fabrikam.example"
        records.append(
            T.message(
                networkMessageId=f"phish-{i}",
                internetMessageId=f"<c{i}@evil.example>",
                receivedDateTime=T.at(hours=-i - 1),
                subject=f"Invoice {1000 + i} overdue",
                senderFromAddress="billing@evil.example",
                senderMailFromAddress="bounce@evil.example",
                senderIPv4=PHISH_IP,
                recipientEmailAddress=mailbox,
                bodyFingerprint="body1",
                urls=[{"url": PAYLOAD_URL}],
            )
        )
        email.deliver(
            mailbox, "Inbox", f"phish-{i}", f"<c{i}@evil.example>", b"Subject: x\r\n\r\nx"
        )
        email.deliver(
            mailbox, "Inbox", f"ham-{i}", f"<h{i}@fabrikam.example>", b"Subject: y\r\n\r\ny"
        )
    _post(api, "messages", records)


def _report(api: ApiClient) -> str:
    reported = {
        "@odata.type": A.ODATA + "analyzedMessageEvidence",
        "networkMessageId": "copy-in-reporting-mailbox",
        "internetMessageId": "<c3@evil.example>",
        "subject": "Invoice 1003 overdue",
    }
    url = {"@odata.type": A.ODATA + "urlEvidence", "url": PAYLOAD_URL, "verdict": "malicious"}
    alert = A.alert(
        title=REPORTED,
        serviceSource="microsoftDefenderForOffice365",
        detectionSource="microsoftDefenderForOffice365",
        category="InitialAccess",
        evidence=[reported, url],
    )
    response = api.post("/api/v1/alerts", json={"value": [alert]})
    assert response.status_code == 201, response.text
    alert_id: str = response.json()["ids"][0]
    return alert_id


def _investigate(container: Container) -> str:
    (investigation_id,) = container.automation.investigations.sweep()
    assert container.automation.runner.advance(investigation_id, "worker-1") is not None
    return investigation_id


def _run_actions(container: Container) -> None:
    """What the workers do: execute every action that is due."""
    executor = container.automation.remediation.executor
    for action_id in executor.sweep():
        executor.execute(action_id, "worker-1")


def _actions(api: ApiClient, investigation_id: str) -> list[dict[str, Any]]:
    body = api.get(f"/api/v1/investigations/{investigation_id}").json()
    actions: list[dict[str, Any]] = body["actions"]
    return actions


def _url_cluster_delete(api: ApiClient, investigation_id: str) -> dict[str, Any]:
    """The investigation's soft delete of the cluster of mail sharing the payload URL."""
    (action,) = [
        a
        for a in _actions(api, investigation_id)
        if a["actionType"] == "softDeleteEmail" and a["targetDetails"].get("clusterBy") == "url"
    ]
    return action


def test_approving_a_cluster_soft_delete_moves_every_copy_and_undo_puts_them_back(
    api: ApiClient, container: Container
) -> None:
    _campaign(api, container)
    alert_id = _report(api)
    investigation_id = _investigate(container)
    actions = _actions(api, investigation_id)
    assert actions, "the investigation proposes actions"
    assert {a["status"] for a in actions} == {"pending"}
    assert api.get(f"/api/v1/investigations/{investigation_id}").json()["status"] == "pendingAction"
    deletes = [
        a
        for a in actions
        if a["actionType"] == "softDeleteEmail" and a["targetDetails"].get("clusterBy") == "url"
    ]
    assert len(deletes) == 1
    delete = deletes[0]

    pending = api.get("/api/v1/actions", params={"tab": "pending", "$count": "true"}).json()
    assert delete["id"] in {a["id"] for a in pending["value"]}

    response = api.post(
        "/api/v1/actions/approve", json={"ids": [delete["id"]], "comment": "confirmed phish"}
    )
    assert response.status_code == 200, response.text
    (approved,) = response.json()["value"]
    assert (approved["status"], approved["decidedBy"]) == (
        "approved",
        "token:test Security administrator",
    )
    _run_actions(container)

    done = api.get(f"/api/v1/actions/{delete['id']}").json()
    assert done["status"] == "completed", done
    assert done["result"]["counts"]["done"] == COPIES
    email = _mail(container)
    for i in range(COPIES):
        mailbox = f"user{i}@fabrikam.example"
        assert email.folder_of(mailbox, f"phish-{i}") == "Deleted Items"
        assert email.folder_of(mailbox, f"ham-{i}") == "Inbox"  # nothing else moved

    undo = api.post(f"/api/v1/actions/{delete['id']}/undo", json={"comment": "false alarm"})
    assert undo.status_code == 201, undo.text
    assert undo.json()["undoOf"] == delete["id"]
    assert undo.json()["actionType"] == "moveBackEmail"
    again = api.post(f"/api/v1/actions/{delete['id']}/undo", json={})
    assert again.status_code == 409, "one undo at a time"
    _run_actions(container)
    assert api.get(f"/api/v1/actions/{delete['id']}").json()["status"] == "undone"
    assert api.get(f"/api/v1/actions/{undo.json()['id']}").json()["status"] == "completed"
    for i in range(COPIES):
        assert email.folder_of(f"user{i}@fabrikam.example", f"phish-{i}") == "Inbox"
    assert alert_id


def test_deciding_every_pending_action_remediates_and_resolves_the_alert(
    api: ApiClient, container: Container
) -> None:
    _campaign(api, container)
    alert_id = _report(api)
    investigation_id = _investigate(container)
    actions = _actions(api, investigation_id)
    by_type: dict[str, list[str]] = {}
    for action in actions:
        by_type.setdefault(action["actionType"], []).append(action["id"])
    assert set(by_type) >= {"softDeleteEmail", "blockUrl"}

    response = api.post("/api/v1/actions/reject", json={"ids": by_type["blockUrl"]})
    assert response.status_code == 200, response.text
    status = api.get(f"/api/v1/investigations/{investigation_id}").json()["status"]
    assert status == "partiallyRemediated"
    mixed = api.post(
        "/api/v1/actions/approve",
        json={"ids": [*by_type["softDeleteEmail"], by_type["blockUrl"][0]]},
    )
    assert mixed.status_code in {400, 409}, "one type at a time, and only pending ones"
    response = api.post("/api/v1/actions/approve", json={"ids": by_type["softDeleteEmail"]})
    assert response.status_code == 200, response.text
    assert api.get(f"/api/v1/investigations/{investigation_id}").json()["status"] == "running"
    _run_actions(container)
    body = api.get(f"/api/v1/investigations/{investigation_id}").json()
    assert body["status"] == "remediated"
    alert = api.get(f"/api/v1/alerts/{alert_id}").json()
    assert alert["status"] == "resolved"
    assert alert["investigationState"] == "successfullyRemediated"
    history = api.get("/api/v1/actions", params={"tab": "history"}).json()["value"]
    assert {a["id"] for a in actions} <= {a["id"] for a in history}


def test_a_malicious_file_on_a_full_automation_device_is_quarantined_without_approval(
    api: ApiClient, container: Container
) -> None:
    sha = "cd" * 32
    fleet = _fleet(container)
    fleet.enroll("dev-7", files={"/tmp/x/dropper": b"MZ evil"}, processes={})  # noqa: S108
    alert = A.alert(
        title="Malware was detected",
        serviceSource="microsoftDefenderForEndpoint",
        detectionSource="antivirus",
        category="Malware",
        evidence=[
            {
                "@odata.type": A.ODATA + "deviceEvidence",
                "mdeDeviceId": "dev-7",
                "deviceDnsName": "ws-7.fabrikam.example",
                "osPlatform": "Linux",
            },
            {
                "@odata.type": A.ODATA + "fileEvidence",
                "verdict": "malicious",
                "detectionStatus": "detected",
                "mdeDeviceId": "dev-7",
                "fileDetails": {"sha256": sha, "fileName": "dropper", "filePath": "/tmp/x"},  # noqa: S108
            },
        ],
    )
    response = api.post("/api/v1/alerts", json={"value": [alert]})
    assert response.status_code == 201, response.text
    investigation_id = _investigate(container)
    actions = _actions(api, investigation_id)
    quarantine = [a for a in actions if a["actionType"] == "stopAndQuarantineFile"]
    assert quarantine, actions
    assert all(a["decidedBy"] == "Automation" for a in quarantine)
    assert all(a["actionSource"] == "automatedDeviceAction" for a in quarantine)


def test_bad_decisions_are_refused_with_a_reason(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    assert api.post("/api/v1/actions/approve", json={"ids": []}).status_code == 400
    assert api.post("/api/v1/actions/approve", json={"ids": ["nope"]}).status_code == 404
    assert api.post("/api/v1/actions/approve", json={"id": "x"}).status_code == 400
    reader = api.as_role("Security reader")
    assert (
        api.post("/api/v1/actions/approve", json={"ids": ["x"]}, headers=reader).status_code == 403
    )
    assert api.get("/api/v1/actions", params={"tab": "later"}).status_code == 400
    bad = api.post(
        "/api/v1/actions", json={"actionType": "isolateDevice", "target": {"kind": "url"}}
    )
    assert bad.status_code == 400
    targets = {d["target"] for d in bad.json()["error"]["details"]}
    assert "target.kind" in targets
    assert clock
