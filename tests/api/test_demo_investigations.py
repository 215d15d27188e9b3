"""A small demo tenant, loaded with its telemetry, investigates its phishing campaign for real."""

from __future__ import annotations

from typing import Any

from autoir.api.investigation_json import detail_json
from autoir.bootstrap import Container
from autoir.cli.demo import load_demo
from autoir.demo.generator import generate_demo_scenarios
from autoir.domain.queries.filters import Compare, CompareOp, ListQuery
from tests.conftest import ApiClient
from tests.support.clock import FakeClock

SMALL = {"seed": 7, "days": 2, "user_count": 40, "device_count": 30}
REPORTED = "Email reported by user as malware or phish"


def _alert_id(container: Container, provider_alert_id: str) -> str:
    page, _ = container.alerts.queue(
        ListQuery(filter=Compare("providerAlertId", CompareOp.EQ, provider_alert_id), top=1)
    )
    (alert,) = page.items
    return alert.id


def _evidence_by_kind(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in body["evidence"] if e["kind"] == kind]


def test_the_demo_phishing_campaign_is_investigated_on_its_telemetry(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    now = clock.now()
    count = load_demo(container, progress=False, now=now, **SMALL)
    assert count > 50
    scenarios = generate_demo_scenarios(now=now, **SMALL)
    phishing = next(s for s in scenarios if s.name == "phishing-to-compromise")
    reported = next(a for a in phishing.alerts if a["title"] == REPORTED)
    alert_id = _alert_id(container, str(reported["providerAlertId"]))

    # The scenario is from the last day: the sweep triages its alerts. In a small tenant an
    # earlier alert about the same user may have opened the investigation the report joins.
    automation = container.automation
    automation.investigations.sweep()
    investigation_id = automation.investigations.ids_for([alert_id])[alert_id]
    assert automation.runner.advance(investigation_id, "worker-1") is not None
    body: dict[str, Any] = detail_json(automation.investigations.get(investigation_id))
    steps = [row for row in body["log"] if row["type"] == "step"]
    assert steps
    assert all(row["status"] == "completed" for row in steps), steps
    messages = _evidence_by_kind(body, "analyzedMessage")
    assert len(messages) >= 5  # the reported copy and the other copies of the same message
    assert any(e["verdict"] == "malicious" for e in messages)
    clusters = {e["properties"]["clusterBy"]: e for e in _evidence_by_kind(body, "mailCluster")}
    by_url = clusters["url"]
    assert by_url["verdict"] == "malicious"
    # Both waves: the first quarantined by ZAP, the second still in inboxes.
    assert set(by_url["properties"]["countByDeliveryLocation"]) == {"inbox", "quarantine"}
    assert by_url["properties"]["emailCount"] >= 7
    assert {"softDeleteEmail", "blockUrl"} <= {a["actionType"] for a in body["actions"]}
    assert body["status"] == "pendingAction"

    # An analyst investigates the victim's copy: both waves of the campaign are similar mail.
    (message,) = [
        e
        for e in next(a for a in phishing.alerts if a["title"].startswith("A potentially"))[
            "evidence"
        ]
        if e["@odata.type"].endswith("analyzedMessageEvidence")
    ]
    response = api.post(
        "/api/v1/investigations",
        json={"entityType": "email", "value": message["networkMessageId"]},
    )
    assert response.status_code == 201, response.text
    assert automation.runner.advance(response.json()["id"], "worker-1") is not None
    body = api.get(f"/api/v1/investigations/{response.json()['id']}").json()
    clusters = {e["properties"]["clusterBy"]: e for e in _evidence_by_kind(body, "mailCluster")}
    campaign = clusters["bodyFingerprint/senderDomain"]["properties"]
    assert campaign["emailCount"] == by_url["properties"]["emailCount"]
    assert clusters["senderDomain"]["properties"]["emailCount"] >= campaign["emailCount"]
    assert any(e["verdict"] in {"malicious", "suspicious"} for e in clusters.values())
    # The victim's click on the link in that copy is stored.
    clicks = api.get(
        "/api/v1/telemetry/urlClicks", params={"networkMessageId": message["networkMessageId"]}
    ).json()["value"]
    assert [c["userId"] for c in clicks] == [message["recipientEmailAddress"]]
    assert clicks[0]["urlClickAction"] == "allowed"
