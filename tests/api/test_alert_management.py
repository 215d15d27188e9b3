"""PATCH, comments, bulk management, story, similar alerts and recommendations."""

from __future__ import annotations

from tests.conftest import ApiClient
from tests.support import alerts as A


def _one(api: ApiClient, **overrides: object) -> str:
    alert_id: str = api.post("/api/v1/alerts", json=A.alert(**overrides)).json()["ids"][0]
    return alert_id


def test_patch_changes_triage_fields(api: ApiClient) -> None:
    alert_id = _one(api)
    response = api.patch(
        f"/api/v1/alerts/{alert_id}",
        json={
            "status": "Resolved",
            "assignedTo": "alice@fabrikam.example",
            "classification": "truePositive",
            "determination": "MultiStagedAttack",
            "tags": ["apt", "apt", " ransomware "],
        },
    )
    assert response.status_code == 200
    alert = response.json()
    assert (
        alert["status"],
        alert["assignedTo"],
        alert["classification"],
        alert["determination"],
    ) == ("resolved", "alice@fabrikam.example", "truePositive", "multiStagedAttack")
    assert alert["tags"] == ["apt", "ransomware"]
    assert alert["resolvedDateTime"] is not None
    reopened = api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "inProgress"}).json()
    assert reopened["resolvedDateTime"] is None


def test_patch_rejects_a_determination_outside_the_classification(api: ApiClient) -> None:
    alert_id = _one(api)
    response = api.patch(
        f"/api/v1/alerts/{alert_id}",
        json={"classification": "falsePositive", "determination": "malware"},
    )
    assert response.status_code == 400
    api.patch(
        f"/api/v1/alerts/{alert_id}",
        json={"classification": "truePositive", "determination": "malware"},
    )
    assert (
        api.patch(
            f"/api/v1/alerts/{alert_id}", json={"classification": "falsePositive"}
        ).status_code
        == 400
    )
    assert api.get(f"/api/v1/alerts/{alert_id}").json()["classification"] == "truePositive"


def test_patch_rejects_read_only_and_unknown_values(api: ApiClient) -> None:
    alert_id = _one(api)
    response = api.patch(f"/api/v1/alerts/{alert_id}", json={"severity": "high", "status": "done"})
    assert response.status_code == 400
    targets = {d["target"] for d in response.json()["error"]["details"]}
    assert targets == {"severity", "status"}
    assert api.patch("/api/v1/alerts/da-missing", json={"status": "resolved"}).status_code == 404


def test_comments_return_the_whole_list(api: ApiClient) -> None:
    alert_id = _one(api)
    api.post(f"/api/v1/alerts/{alert_id}/comments", json={"comment": "first"})
    response = api.post(
        f"/api/v1/alerts/{alert_id}/comments",
        json={"@odata.type": "microsoft.graph.security.alertComment", "comment": "second"},
    )
    assert response.status_code == 200
    assert [c["comment"] for c in response.json()["value"]] == ["first", "second"]
    assert response.json()["value"][0]["createdByDisplayName"] == "test Security administrator"
    assert api.post(f"/api/v1/alerts/{alert_id}/comments", json={"comment": ""}).status_code == 400


def test_bulk_update_by_ids_by_filter_and_similar(api: ApiClient) -> None:
    a, b = _one(api, severity="low"), _one(api, severity="low")
    c = _one(api, severity="high", title="Other", detectorId="other")
    by_ids = api.post(
        "/api/v1/alerts/bulk-update", json={"ids": [a, b], "changes": {"status": "inProgress"}}
    )
    assert by_ids.json()["updated"] == 2
    by_filter = api.post(
        "/api/v1/alerts/bulk-update",
        json={
            "filter": "severity eq 'high'",
            "changes": {"assignedTo": "sam@fabrikam.example"},
            "comment": "taking these",
        },
    ).json()
    assert by_filter["ids"] == [c]
    assert api.get(f"/api/v1/alerts/{c}").json()["comments"][0]["comment"] == "taking these"
    similar = api.post(
        "/api/v1/alerts/bulk-update",
        json={
            "similarTo": a,
            "changes": {
                "status": "resolved",
                "classification": "falsePositive",
                "determination": "notMalicious",
            },
        },
    ).json()
    assert set(similar["ids"]) == {a, b}
    assert api.get(f"/api/v1/alerts/{c}").json()["status"] == "new"


def test_bulk_update_is_all_or_nothing(api: ApiClient) -> None:
    a = _one(api)
    b = _one(api)
    api.patch(
        f"/api/v1/alerts/{b}", json={"classification": "truePositive", "determination": "malware"}
    )
    response = api.post(
        "/api/v1/alerts/bulk-update",
        json={"ids": [a, b], "changes": {"classification": "falsePositive", "status": "resolved"}},
    )
    assert response.status_code == 400
    assert api.get(f"/api/v1/alerts/{a}").json()["status"] == "new"


def test_story_orders_related_alerts_and_builds_the_process_tree(api: ApiClient) -> None:
    device = A.device("9" * 40, "ws-9")
    parent = {
        "@odata.type": "#microsoft.graph.security.processEvidence",
        "mdeDeviceId": "9" * 40,
        "processId": 10,
        "parentProcessId": 1,
        "processCommandLine": "winword.exe doc.docm",
        "imageFile": {"fileName": "winword.exe"},
        "parentProcessImageFile": {"fileName": "explorer.exe"},
        "processCreationDateTime": "2026-11-20T10:00:00Z",
    }
    child = {
        "@odata.type": "#microsoft.graph.security.processEvidence",
        "mdeDeviceId": "9" * 40,
        "processId": 11,
        "parentProcessId": 10,
        "processCommandLine": "powershell -enc AAA",
        "imageFile": {"fileName": "powershell.exe"},
        "processCreationDateTime": "2026-11-20T10:00:05Z",
    }
    first = _one(api, title="Earlier", evidence=[device], createdDateTime="2026-11-20T09:00:00Z")
    second = _one(api, evidence=[device, child, parent], createdDateTime="2026-11-20T10:01:00Z")
    story = api.get(f"/api/v1/alerts/{second}/story").json()
    alert_items = [i["alertId"] for i in story["items"] if i["kind"] == "alert"]
    assert alert_items == [first, second]
    (root,) = story["processTree"]
    assert root["name"] == "explorer.exe"
    assert root["children"][0]["name"] == "winword.exe"
    assert root["children"][0]["children"][0]["commandLine"] == "powershell -enc AAA"


def test_similar_alerts_and_recommendations(api: ApiClient) -> None:
    ids = [_one(api, evidence=[A.device(f"{i:040x}")]) for i in range(4)]
    api.patch(
        f"/api/v1/alerts/{ids[0]}",
        json={"classification": "falsePositive", "determination": "notMalicious"},
    )
    api.patch(
        f"/api/v1/alerts/{ids[1]}",
        json={"classification": "falsePositive", "determination": "notMalicious"},
    )
    api.post(f"/api/v1/alerts/{ids[1]}/comments", json={"comment": "admin script, benign"})
    api.patch(
        f"/api/v1/alerts/{ids[2]}",
        json={"classification": "truePositive", "determination": "malware"},
    )
    similar = api.get(f"/api/v1/alerts/{ids[3]}/similar").json()["value"]
    assert {a["id"] for a in similar} == set(ids[:3])
    rec = api.get(f"/api/v1/alerts/{ids[3]}/recommendations").json()
    assert rec["totalClassified"] == 3
    assert rec["classifications"][0] == {
        "classification": "falsePositive",
        "determination": "notMalicious",
        "count": 2,
    }
    assert rec["recentComments"][0]["comment"] == "admin script, benign"
