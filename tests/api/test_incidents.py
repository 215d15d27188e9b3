"""Incident correlation, merging, severity, management and the Graph paths."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from autoir.bootstrap import Container
from autoir.storage import tables
from tests.conftest import ApiClient
from tests.support import alerts as A
from tests.support.clock import FakeClock


def _ingest(api: ApiClient, *bodies: dict[str, object]) -> list[str]:
    response = api.post("/api/v1/alerts", json={"value": list(bodies)})
    assert response.status_code == 201, response.text
    ids: list[str] = response.json()["ids"]
    return ids


def _incident_of(api: ApiClient, alert_id: str) -> str:
    incident_id: str = api.get(f"/api/v1/alerts/{alert_id}").json()["incidentId"]
    return incident_id


def test_alerts_sharing_a_strong_entity_join_one_incident(api: ApiClient) -> None:
    a, b, c = _ingest(
        api,
        A.alert(evidence=[A.device("1" * 40)]),
        A.alert(evidence=[A.device("2" * 40), A.user("eve@fabrikam.example")]),
        A.alert(evidence=[A.device("3" * 40)]),
    )
    (d,) = _ingest(
        api, A.alert(severity="high", evidence=[A.user("eve@fabrikam.example"), A.device("1" * 40)])
    )
    assert _incident_of(api, a) == _incident_of(api, d)
    assert _incident_of(api, c) != _incident_of(api, a)
    incident = api.get(
        f"/api/v1/incidents/{_incident_of(api, d)}", params={"$expand": "alerts"}
    ).json()
    assert incident["severity"] == "high"
    assert {x["id"] for x in incident["alerts"]} == {a, b, d}
    assert incident["status"] == "active"


def test_weak_entities_do_not_correlate(api: ApiClient) -> None:
    a, b = _ingest(
        api,
        A.alert(evidence=[A.device("1" * 40), A.ip("10.0.0.5")]),
        A.alert(evidence=[A.device("2" * 40), A.ip("10.0.0.5")]),
    )
    assert _incident_of(api, a) != _incident_of(api, b)
    c, d = _ingest(
        api,
        A.alert(evidence=[A.device("3" * 40), A.ip("203.0.113.5")]),
        A.alert(evidence=[A.device("4" * 40), A.ip("203.0.113.5")]),
    )
    assert _incident_of(api, c) == _incident_of(api, d)


def test_an_alert_linking_two_incidents_merges_them(api: ApiClient) -> None:
    (a,) = _ingest(api, A.alert(evidence=[A.device("1" * 40)]))
    (b,) = _ingest(api, A.alert(evidence=[A.device("2" * 40)]))
    first, second = _incident_of(api, a), _incident_of(api, b)
    assert first != second
    (c,) = _ingest(api, A.alert(evidence=[A.device("1" * 40), A.device("2" * 40)]))
    keeper = _incident_of(api, c)
    assert keeper == min(first, second, key=int)
    absorbed = second if keeper == first else first
    merged = api.get(f"/api/v1/incidents/{absorbed}").json()
    assert merged["status"] == "redirected"
    assert merged["redirectIncidentId"] == keeper
    assert {_incident_of(api, x) for x in (a, b, c)} == {keeper}
    assert api.get(f"/api/v1/incidents/{keeper}").json()["alertCount"] == 3
    assert (
        api.patch(f"/api/v1/incidents/{absorbed}", json={"status": "resolved"}).status_code == 400
    )


def test_alerts_after_a_merge_join_the_keeper(api: ApiClient) -> None:
    (a,) = _ingest(api, A.alert(evidence=[A.device("1" * 40)]))
    (b,) = _ingest(api, A.alert(evidence=[A.device("2" * 40), A.user("bob@fabrikam.example")]))
    (c,) = _ingest(api, A.alert(evidence=[A.device("1" * 40), A.device("2" * 40)]))
    keeper = _incident_of(api, c)
    # The user was seen only on an alert of the absorbed incident: it now leads to the keeper.
    (d,) = _ingest(api, A.alert(evidence=[A.user("bob@fabrikam.example")]))
    assert {_incident_of(api, x) for x in (a, b, c, d)} == {keeper}
    assert api.get(f"/api/v1/incidents/{keeper}").json()["alertCount"] == 4


def test_an_updated_alert_keeps_correlating_through_its_new_entities(api: ApiClient) -> None:
    first = A.alert(evidence=[A.device("6" * 40)])
    (a,) = _ingest(api, first)
    (same,) = _ingest(api, {**first, "evidence": [A.device("7" * 40)]})
    assert same == a
    (b,) = _ingest(api, A.alert(evidence=[A.device("7" * 40)]))
    assert _incident_of(api, b) == _incident_of(api, a)


def test_entity_rows_without_an_incident_copy_fall_back_to_the_alert(
    container: Container, api: ApiClient
) -> None:
    (a,) = _ingest(api, A.alert(evidence=[A.device("8" * 40)]))
    with container.engine.begin() as connection:  # as rows written before migration 0005
        connection.execute(update(tables.alert_entities).values(incident_id=None))
    (b,) = _ingest(api, A.alert(evidence=[A.device("8" * 40)]))
    assert _incident_of(api, b) == _incident_of(api, a)


def test_correlation_window_limits_joining(api: ApiClient, clock: FakeClock) -> None:
    (a,) = _ingest(api, A.alert(evidence=[A.device("5" * 40)]))
    later = (clock.now() + timedelta(hours=30)).isoformat()
    (b,) = _ingest(api, A.alert(createdDateTime=later, evidence=[A.device("5" * 40)]))
    assert _incident_of(api, a) != _incident_of(api, b)


def test_incident_resolves_with_its_last_alert_and_reopens(api: ApiClient) -> None:
    a, b = _ingest(
        api, A.alert(evidence=[A.device("6" * 40)]), A.alert(evidence=[A.device("6" * 40)])
    )
    incident = _incident_of(api, a)
    api.post("/api/v1/alerts/bulk-update", json={"ids": [a, b], "changes": {"status": "resolved"}})
    assert api.get(f"/api/v1/incidents/{incident}").json()["status"] == "resolved"
    api.patch(f"/api/v1/alerts/{a}", json={"status": "inProgress"})
    assert api.get(f"/api/v1/incidents/{incident}").json()["status"] == "active"


def test_patch_incident_and_comments(api: ApiClient) -> None:
    (a,) = _ingest(api, A.alert())
    incident = _incident_of(api, a)
    response = api.patch(
        f"/api/v1/incidents/{incident}",
        json={
            "status": "inProgress",
            "assignedTo": "lee@fabrikam.example",
            "classification": "TruePositive",
            "determination": "compromisedUser",
            "customTags": ["vip"],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["assignedTo"], body["determination"], body["customTags"]) == (
        "inProgress",
        "lee@fabrikam.example",
        "compromisedAccount",
        ["vip"],
    )
    assert (
        api.patch(
            f"/api/v1/incidents/{incident}", json={"determination": "notMalicious"}
        ).status_code
        == 400
    )
    assert api.patch(f"/api/v1/incidents/{incident}", json={"severity": "low"}).status_code == 400
    comments = api.post(
        f"/api/v1/incidents/{incident}/comments", json={"comment": "escalated"}
    ).json()
    assert [c["comment"] for c in comments["value"]] == ["escalated"]
    assert api.get("/api/v1/incidents/999999").status_code == 404
    assert api.get("/api/v1/incidents/not-a-number").status_code == 404


def test_incident_list_filters_and_graph_path(api: ApiClient) -> None:
    _ingest(
        api,
        A.alert(severity="high", evidence=[A.device("7" * 40)]),
        A.alert(severity="low", evidence=[A.device("8" * 40)]),
    )
    high = api.get(
        "/v1.0/security/incidents", params={"$filter": "severity eq 'high'", "$count": "true"}
    ).json()
    assert high["@odata.count"] == 1
    assert high["value"][0]["severity"] == "high"
    expanded = api.get("/api/v1/incidents", params={"$expand": "alerts", "$top": "1"}).json()
    assert len(expanded["value"][0]["alerts"]) == 1
    assert "@odata.nextLink" in expanded
    assert api.get("/api/v1/incidents", params={"$expand": "evidence"}).status_code == 400
