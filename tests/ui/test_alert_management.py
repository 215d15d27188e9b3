"""Managing alerts through the UI: one alert, bulk, similar alerts, comments, validation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from autoir.bootstrap import Container
from autoir.domain.alerts.enums import AlertClassification, AlertDetermination, AlertStatus

from .conftest import ANALYST


def test_manage_alert_sets_status_assignee_classification_and_tags(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    response = analyst.post(
        f"/alerts/{alert_ids[0]}/manage",
        data={
            "csrf_token": csrf,
            "status": "inProgress",
            "assign": "user",
            "assigned_to": ANALYST,
            "classification": "truePositive",
            "determination": "malware",
            "tags": "vip, linux",
            "comment": "Looking at it",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/alerts/{alert_ids[0]}?saved=manage"
    alert, comments = container.alerts.get(alert_ids[0])
    assert alert.status is AlertStatus.IN_PROGRESS
    assert alert.assigned_to == ANALYST
    assert alert.classification is AlertClassification.TRUE_POSITIVE
    assert alert.determination is AlertDetermination.MALWARE
    assert alert.tags == ("vip", "linux")
    assert [c.comment for c in comments] == ["Looking at it"]
    page = analyst.get(response.headers["location"])
    assert "Changes saved." in page.text
    assert "Looking at it" in page.text


def test_manage_alert_with_a_wrong_pair_shows_an_error_and_changes_nothing(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    response = analyst.post(
        f"/alerts/{alert_ids[0]}/manage",
        data={
            "csrf_token": csrf,
            "status": "resolved",
            "assign": "user",
            "classification": "falsePositive",
            "determination": "malware",
        },
    )
    assert response.status_code == 422
    assert "does not belong to the chosen classification" in response.text
    alert, _ = container.alerts.get(alert_ids[0])
    assert alert.status is AlertStatus.NEW
    assert alert.classification is None


def test_manage_alert_without_changes_says_so(
    analyst: TestClient, csrf: str, alert_ids: list[str]
) -> None:
    response = analyst.post(
        f"/alerts/{alert_ids[0]}/manage",
        data={"csrf_token": csrf, "status": "new", "assign": "user"},
    )
    assert response.status_code == 422
    assert "Nothing to change" in response.text


def test_bulk_manage_updates_the_selected_alerts(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    response = analyst.post(
        "/alerts/bulk",
        data={
            "csrf_token": csrf,
            "ids": alert_ids[1:3],
            "status": "resolved",
            "assign": "me",
            "classification": "falsePositive",
            "determination": "notMalicious",
            "comment": "Bulk closed",
            "return_to": "/alerts?f=1&severity=medium",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/alerts?f=1&severity=medium&updated=2"
    for alert_id in alert_ids[1:3]:
        alert, comments = container.alerts.get(alert_id)
        assert alert.status is AlertStatus.RESOLVED
        assert alert.assigned_to == ANALYST
        assert alert.determination is AlertDetermination.NOT_MALICIOUS
        assert comments[0].comment == "Bulk closed"
    untouched, _ = container.alerts.get(alert_ids[0])
    assert untouched.status is AlertStatus.NEW
    assert "2 alerts updated." in analyst.get(response.headers["location"]).text


def test_bulk_manage_can_take_every_alert_matching_the_filter(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    response = analyst.post(
        "/alerts/bulk",
        data={
            "csrf_token": csrf,
            "scope": "all",
            "filter_text": "serviceSource eq 'microsoftDefenderForEndpoint'",
            "status": "inProgress",
        },
    )
    assert response.status_code == 303
    statuses = {i: container.alerts.get(i)[0].status for i in alert_ids}
    assert statuses[alert_ids[0]] is AlertStatus.IN_PROGRESS
    assert statuses[alert_ids[3]] is AlertStatus.IN_PROGRESS
    assert statuses[alert_ids[1]] is AlertStatus.NEW


def test_bulk_manage_rejects_a_wrong_pair_and_changes_nothing(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    response = analyst.post(
        "/alerts/bulk",
        data={
            "csrf_token": csrf,
            "ids": alert_ids,
            "status": "resolved",
            "classification": "informationalExpectedActivity",
            "determination": "phishing",
        },
    )
    assert response.status_code == 422
    assert "Nothing was changed." in response.text
    assert all(container.alerts.get(i)[0].status is AlertStatus.NEW for i in alert_ids)


def test_bulk_manage_without_selection_explains(
    analyst: TestClient, csrf: str, alert_ids: list[str]
) -> None:
    response = analyst.post("/alerts/bulk", data={"csrf_token": csrf, "status": "resolved"})
    assert response.status_code == 422
    assert "Select at least one alert." in response.text


def test_manage_all_similar_alerts(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    page = analyst.get(f"/alerts/{alert_ids[1]}")
    assert "Manage this alert and" in page.text
    response = analyst.post(
        f"/alerts/{alert_ids[1]}/similar",
        data={
            "csrf_token": csrf,
            "status": "resolved",
            "classification": "truePositive",
            "determination": "phishing",
        },
    )
    assert response.status_code == 303
    alert, _ = container.alerts.get(alert_ids[1])
    assert alert.status is AlertStatus.RESOLVED
    assert alert.determination is AlertDetermination.PHISHING
    assert container.alerts.get(alert_ids[3])[0].status is AlertStatus.NEW


def test_comment_on_an_alert(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    response = analyst.post(
        f"/alerts/{alert_ids[0]}/comments", data={"csrf_token": csrf, "comment": "Isolating host"}
    )
    assert response.status_code == 303
    assert container.alerts.get(alert_ids[0])[1][0].comment == "Isolating host"
    empty = analyst.post(f"/alerts/{alert_ids[0]}/comments", data={"csrf_token": csrf})
    assert empty.status_code == 422


def test_alert_page_shows_story_evidence_and_details(
    analyst: TestClient, alert_ids: list[str]
) -> None:
    page = analyst.get(f"/alerts/{alert_ids[0]}")
    assert page.status_code == 200
    text = page.text
    assert "Suspicious shell command" in text
    assert "T1059.004" in text
    assert "sshd" in text  # process tree parent
    assert "host1.fabrikam.example" in text  # affected asset
    assert "Malicious" in text  # evidence verdict
    assert "detectorId" in text  # details key/value list
    assert 'id="determinations-data"' in text


def test_unknown_alert_is_a_404_page(analyst: TestClient) -> None:
    response = analyst.get("/alerts/da-does-not-exist")
    assert response.status_code == 404
    assert "Not found" in response.text
