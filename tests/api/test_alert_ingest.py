"""POST /api/v1/alerts: ids, validation, all-or-nothing batches, dedup and folding."""

from __future__ import annotations

import re

import pytest

from autoir.bootstrap import Container
from tests.conftest import ApiClient
from tests.support import alerts as A
from tests.support.clock import FakeClock

GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.mark.parametrize(
    ("service", "detection", "prefix"),
    [
        ("microsoft365Defender", "microsoft365Defender", "ra"),
        ("microsoft365Defender", "microsoftThreatExperts", "ta"),
        ("microsoft365Defender", "customDetection", "ea"),
        ("microsoftDefenderForOffice365", "microsoftDefenderForOffice365", "fa"),
        ("microsoftDefenderForEndpoint", "antivirus", "da"),
        ("microsoftDefenderForEndpoint", "customDetection", "ed"),
        ("microsoftDefenderForIdentity", "microsoftDefenderForIdentity", "aa"),
        ("microsoftDefenderForCloudApps", "cloudAppSecurity", "ca"),
        ("azureAdIdentityProtection", "azureAdIdentityProtection", "ad"),
        ("microsoftAppGovernance", "appGovernancePolicy", "ma"),
        ("dataLossPrevention", "microsoftDataLossPrevention", "dl"),
    ],
)
def test_ingest_assigns_ids_with_the_source_prefix(
    api: ApiClient, service: str, detection: str, prefix: str
) -> None:
    response = api.post(
        "/api/v1/alerts", json=A.alert(serviceSource=service, detectionSource=detection)
    )
    assert response.status_code == 201, response.text
    (alert_id,) = response.json()["ids"]
    assert re.fullmatch(prefix + GUID, alert_id)
    assert api.get(f"/api/v1/alerts/{alert_id}").json()["serviceSource"] == service


def test_ingest_batch_returns_ids_in_input_order(api: ApiClient) -> None:
    payloads = [A.alert(title=f"alert {i}", evidence=[A.device(f"{i:040x}")]) for i in range(30)]
    response = api.post("/api/v1/alerts", json={"value": payloads})
    assert response.status_code == 201
    ids = response.json()["ids"]
    assert len(ids) == 30
    assert [api.get(f"/api/v1/alerts/{i}").json()["title"] for i in ids[:5]] == [
        f"alert {i}" for i in range(5)
    ]


def test_ingest_parses_enums_case_insensitively_and_returns_camel_case(api: ApiClient) -> None:
    body = A.alert(
        severity="HIGH",
        status="InProgress",
        classification="TruePositive",
        determination="Malware",
        serviceSource="MicrosoftDefenderForEndpoint",
    )
    alert_id = api.post("/api/v1/alerts", json=body).json()["ids"][0]
    alert = api.get(f"/api/v1/alerts/{alert_id}").json()
    assert (
        alert["severity"],
        alert["status"],
        alert["classification"],
        alert["determination"],
        alert["serviceSource"],
    ) == ("high", "inProgress", "truePositive", "malware", "microsoftDefenderForEndpoint")


def test_ingest_keeps_unknown_properties_and_types_evidence(api: ApiClient) -> None:
    body = A.alert(
        vendorScore=97,
        customDetails={"rule": "x"},
        evidence=[
            {**A.device(), "futureProperty": {"nested": [1, 2]}, "healthStatus": "Active"},
            A.user(),
            A.file(),
            A.ip("203.0.113.7"),
        ],
    )
    alert_id = api.post("/api/v1/alerts", json=body).json()["ids"][0]
    alert = api.get(f"/api/v1/alerts/{alert_id}").json()
    assert alert["vendorScore"] == 97
    assert alert["customDetails"] == {"rule": "x"}
    types = [e["@odata.type"] for e in alert["evidence"]]
    assert types == [
        "#microsoft.graph.security.deviceEvidence",
        "#microsoft.graph.security.userEvidence",
        "#microsoft.graph.security.fileEvidence",
        "#microsoft.graph.security.ipEvidence",
    ]
    assert alert["evidence"][0]["futureProperty"] == {"nested": [1, 2]}
    assert alert["evidence"][0]["healthStatus"] == "active"


def test_ingest_real_graph_samples_round_trip(api: ApiClient) -> None:
    sample = A.sample("alerts_v2_get_example_mde_hidden_file.json")
    alert_id = api.post("/api/v1/alerts", json=sample).json()["ids"][0]
    alert = api.get(f"/api/v1/alerts/{alert_id}").json()
    assert alert_id.startswith("da")
    assert alert["providerAlertId"] == sample["providerAlertId"]
    assert alert["title"] == sample["title"]
    assert alert["mitreTechniques"] == sample["mitreTechniques"]
    assert len(alert["evidence"]) == len(sample["evidence"])


def test_invalid_batch_writes_nothing_and_names_each_bad_field(api: ApiClient) -> None:
    payloads = [
        A.alert(),
        A.alert(severity="extreme"),
        A.alert(),
        A.alert(evidence=[{"@odata.type": "#microsoft.graph.security.bogusEvidence"}]),
        {"serviceSource": "microsoftDefenderForEndpoint"},
    ]
    response = api.post("/api/v1/alerts", json={"value": payloads})
    assert response.status_code == 400
    targets = {d["target"] for d in response.json()["error"]["details"]}
    assert targets == {"value[1].severity", "value[3].evidence[0].@odata.type", "value[4].title"}
    listed = api.get(
        "/api/v1/alerts", params={"$filter": "createdDateTime ge 2000-01-01T00:00:00Z"}
    )
    assert listed.json()["value"] == []


def test_batch_over_the_limit_is_rejected(api: ApiClient) -> None:
    response = api.post("/api/v1/alerts", json={"value": [A.alert() for _ in range(5001)]})
    assert response.status_code == 400
    assert "at most 5000" in response.json()["error"]["details"][0]["message"]


def test_same_provider_alert_id_updates_the_existing_alert(api: ApiClient) -> None:
    first = api.post("/api/v1/alerts", json=A.alert(providerAlertId="X-1", severity="low")).json()[
        "ids"
    ][0]
    second = api.post(
        "/api/v1/alerts",
        json=A.alert(providerAlertId="X-1", severity="high", title="Renamed by source"),
    ).json()
    assert second["ids"] == [first]
    assert second["updated"] == 1
    alert = api.get(f"/api/v1/alerts/{first}").json()
    assert (alert["severity"], alert["title"]) == ("high", "Renamed by source")


def test_alert_without_provider_id_folds_into_matching_open_alert(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    body = A.alert(providerAlertId=None, evidence=[A.device("d" * 40)])
    first = api.post("/api/v1/alerts", json=body).json()["ids"][0]
    clock.advance(hours=3)
    later = {**body, "lastActivityDateTime": clock.now().isoformat()}
    response = api.post("/api/v1/alerts", json=later).json()
    assert response["ids"] == [first]
    assert response["folded"] == 1
    alert = api.get(f"/api/v1/alerts/{first}").json()
    assert alert["occurrenceCount"] == 2
    assert alert["lastActivityDateTime"].startswith(clock.now().strftime("%Y-%m-%dT%H:%M"))
    clock.advance(hours=30)
    outside = {**body, "firstActivityDateTime": clock.now().isoformat()}
    assert api.post("/api/v1/alerts", json=outside).json()["ids"] != [first]
    del container


def test_fold_does_not_touch_resolved_alerts(api: ApiClient) -> None:
    body = A.alert(providerAlertId=None, evidence=[A.device("e" * 40)])
    first = api.post("/api/v1/alerts", json=body).json()["ids"][0]
    api.patch(f"/api/v1/alerts/{first}", json={"status": "resolved"})
    assert api.post("/api/v1/alerts", json=body).json()["ids"] != [first]


def test_repeats_inside_one_batch_fold_together(api: ApiClient) -> None:
    body = A.alert(providerAlertId=None, evidence=[A.device("c" * 40)])
    response = api.post("/api/v1/alerts", json={"value": [body, body, body]}).json()
    assert len(set(response["ids"])) == 1
    assert response["created"] == 1
    assert api.get(f"/api/v1/alerts/{response['ids'][0]}").json()["occurrenceCount"] == 3


def test_mixed_batch_of_new_repeated_and_duplicate_provider_ids(api: ApiClient) -> None:
    first = api.post("/api/v1/alerts", json=A.alert(providerAlertId="M-1", severity="low")).json()[
        "ids"
    ][0]
    batch = [
        A.alert(providerAlertId="M-1", severity="high"),
        A.alert(providerAlertId="M-2"),
        A.alert(providerAlertId="M-2", title="Second copy wins"),
    ]
    response = api.post("/api/v1/alerts", json={"value": batch}).json()
    assert response["ids"][0] == first
    assert response["ids"][1] == response["ids"][2] != first
    assert (response["created"], response["updated"]) == (1, 1)
    assert api.get(f"/api/v1/alerts/{response['ids'][1]}").json()["title"] == "Second copy wins"
    assert api.get(f"/api/v1/alerts/{first}").json()["severity"] == "high"


def test_story_of_an_alert_without_strong_entities(api: ApiClient) -> None:
    alert_id = api.post("/api/v1/alerts", json=A.alert(evidence=[A.ip("10.1.2.3")])).json()["ids"][
        0
    ]
    story = api.get(f"/api/v1/alerts/{alert_id}/story").json()
    assert [i["alertId"] for i in story["items"] if i["kind"] == "alert"] == [alert_id]
    assert story["processTree"] == []
