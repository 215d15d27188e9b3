"""/api/v1/suppression-rules: CRUD, validation, refusals, ingest with hide/resolve, dry runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from autoir.bootstrap import Container
from autoir.domain.timestamps import format_timestamp
from tests.conftest import ApiClient
from tests.support import alerts as A
from tests.support.clock import FakeClock

RULES = "/api/v1/suppression-rules"
DETECTOR = A.alert()["detectorId"]
MDE = "microsoftDefenderForEndpoint"


def _rule(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Backup agent",
        "comment": "IT's nightly backup",
        "enabled": True,
        "serviceSources": [MDE],
        "alertScope": {"kind": "thisAlertType", "detectorId": DETECTOR},
        "conditions": None,
        "scope": {"kind": "organization"},
        "action": "hide",
        "expiresDateTime": None,
    }
    body.update(overrides)
    return body


def _backup(**overrides: Any) -> dict[str, Any]:
    evidence = [
        A.device("b" * 40, "srv-backup.fabrikam.example"),
        {
            "@odata.type": A.ODATA + "processEvidence",
            "roles": ["suspicious"],
            "imageFile": {"fileName": "backup.exe", "sha256": "ab" * 32},
            "processCommandLine": "backup.exe /full",
            "parentProcessImageFile": {"fileName": "services.exe"},
        },
    ]
    return A.alert(evidence=evidence, **overrides)


def _ingest(api: ApiClient, *alerts: dict[str, Any]) -> list[str]:
    response = api.post("/api/v1/alerts", json={"value": list(alerts)})
    assert response.status_code == 201, response.text
    ids: list[str] = response.json()["ids"]
    return ids


def _create(api: ApiClient, **overrides: Any) -> dict[str, Any]:
    response = api.post(RULES, json=_rule(**overrides))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _alert(api: ApiClient, alert_id: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/alerts/{alert_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _queue_ids(api: ApiClient, query: str = "") -> set[str]:
    response = api.get(f"/api/v1/alerts{query}")
    assert response.status_code == 200, response.text
    return {a["id"] for a in response.json()["value"]}


def test_rule_crud_round_trips_the_json_shape(api: ApiClient) -> None:
    created = _create(
        api,
        alertScope={"kind": "anyAlertType"},
        conditions={
            "op": "and",
            "items": [
                {
                    "evidenceType": "process",
                    "role": "triggering",
                    "property": "fileName",
                    "operator": "equals",
                    "value": "backup.exe",
                },
                {
                    "op": "or",
                    "items": [
                        {
                            "evidenceType": "process",
                            "role": "any",
                            "property": "parentFileName",
                            "operator": "in",
                            "value": ["services.exe", "svchost.exe"],
                        }
                    ],
                },
            ],
        },
    )
    rule_id = created["id"]
    assert created["matchCount"] == 0
    assert created["createdBy"]
    got = api.get(f"{RULES}/{rule_id}").json()
    assert got == created
    assert [r["id"] for r in api.get(RULES).json()["value"]] == [rule_id]
    got["enabled"] = False
    got["name"] = "Backup agent (paused)"
    updated = api.put(f"{RULES}/{rule_id}", json=got)
    assert updated.status_code == 200, updated.text
    assert updated.json()["enabled"] is False
    assert updated.json()["name"] == "Backup agent (paused)"
    assert api.delete(f"{RULES}/{rule_id}").status_code == 204
    assert api.get(f"{RULES}/{rule_id}").status_code == 404
    assert api.delete(f"{RULES}/{rule_id}").status_code == 404


def test_rule_validation_names_each_field(api: ApiClient, clock: FakeClock) -> None:
    past = format_timestamp(clock.now() - timedelta(hours=1))
    response = api.post(
        RULES,
        json=_rule(
            name="",
            alertScope={"kind": "anyAlertType"},
            action="delete",
            scope={"kind": "devices"},
        ),
    )
    assert response.status_code == 400
    targets = {d["target"] for d in response.json()["error"]["details"]}
    assert targets == {"name", "conditions", "action", "scope.deviceIds"}
    response = api.post(RULES, json=_rule(expiresDateTime=past))
    assert response.status_code == 400
    assert [d["target"] for d in response.json()["error"]["details"]] == ["expiresDateTime"]


def test_custom_detection_alerts_are_refused(api: ApiClient) -> None:
    (alert_id,) = _ingest(
        api, A.alert(serviceSource="microsoft365Defender", detectionSource="customDetection")
    )
    assert alert_id.startswith("ea")
    draft = api.get(f"/api/v1/alerts/{alert_id}/suppression-draft")
    assert draft.status_code == 400
    assert "custom detection" in draft.json()["error"]["message"]
    response = api.post(RULES, json=_rule(serviceSources=["microsoft365Defender"]))
    assert response.status_code == 400
    assert "custom detection" in response.json()["error"]["message"]


def test_users_scope_needs_an_administrator(api: ApiClient) -> None:
    body = _rule(scope={"kind": "users", "userPrincipalNames": ["alice@fabrikam.example"]})
    operator = api.post(RULES, json=body, headers=api.as_role("Security operator"))
    assert operator.status_code == 403
    assert api.post(RULES, json=body).status_code == 201  # Security administrator
    reader = api.post(RULES, json=_rule(), headers=api.as_role("Security reader"))
    assert reader.status_code == 403
    assert api.get(RULES, headers=api.as_role("Security reader")).status_code == 200


def test_ingest_hides_and_counts(api: ApiClient, container: Container, clock: FakeClock) -> None:
    rule = _create(api)
    clock.advance(minutes=1)
    hidden_id, other_id = _ingest(api, _backup(), A.alert(detectorId="another-detector"))
    hidden = _alert(api, hidden_id)
    assert hidden["investigationState"] == "suppressedAlert"
    assert hidden["suppressionRuleId"] == rule["id"]
    assert hidden["hidden"] is True
    assert hidden["status"] == "new"
    assert hidden["incidentId"] is None
    other = _alert(api, other_id)
    assert other["investigationState"] == "unknown"
    assert "suppressionRuleId" not in other
    # the default queue and any other filter leave it out; asking for it brings it back
    assert _queue_ids(api) == {other_id}
    assert _queue_ids(api, "?$filter=severity eq 'medium'") == {other_id}
    assert _queue_ids(api, f"?$filter=suppressionRuleId eq '{rule['id']}'") == {hidden_id}
    assert _queue_ids(api, "?hidden=true") == {hidden_id, other_id}
    # triage never investigates it
    container.automation.investigations.triage()
    assert _alert(api, hidden_id)["investigationState"] == "suppressedAlert"
    stored = api.get(f"{RULES}/{rule['id']}").json()
    assert stored["matchCount"] == 1
    assert stored["lastMatchDateTime"] == format_timestamp(clock.now())


def test_ingest_resolves(api: ApiClient) -> None:
    rule = _create(api, action="resolve")
    (alert_id,) = _ingest(api, _backup())
    alert = _alert(api, alert_id)
    assert alert["status"] == "resolved"
    assert alert["resolvedDateTime"] is not None
    assert alert["investigationState"] == "suppressedAlert"
    assert alert["hidden"] is False
    incident = api.get(f"/api/v1/incidents/{alert['incidentId']}").json()
    assert incident["status"] == "resolved"
    assert api.get(f"{RULES}/{rule['id']}").json()["matchCount"] == 1


def test_expired_and_disabled_rules_are_ignored(api: ApiClient, clock: FakeClock) -> None:
    expiry = format_timestamp(clock.now() + timedelta(days=1))
    rule = _create(api, expiresDateTime=expiry)
    (first,) = _ingest(api, _backup())
    assert _alert(api, first)["suppressionRuleId"] == rule["id"]
    clock.advance(days=1, seconds=1)
    (second,) = _ingest(api, _backup())
    assert _alert(api, second)["investigationState"] == "unknown"
    disabled = _create(api, enabled=False, name="Off")
    (third,) = _ingest(api, _backup())
    assert "suppressionRuleId" not in _alert(api, third)
    assert api.get(f"{RULES}/{disabled['id']}").json()["matchCount"] == 0


def test_conditions_and_scope_decide(api: ApiClient) -> None:
    _create(
        api,
        alertScope={"kind": "anyAlertType"},
        conditions={
            "op": "and",
            "items": [
                {
                    "evidenceType": "process",
                    "role": "triggering",
                    "property": "commandLine",
                    "operator": "wildcard",
                    "value": "BACKUP.EXE /*",
                }
            ],
        },
        scope={"kind": "devices", "deviceIds": ["srv-backup.fabrikam.example"]},
    )
    matched, elsewhere, different = _ingest(
        api,
        _backup(detectorId="any-detector"),
        A.alert(evidence=[A.device("c" * 40), _backup()["evidence"][1]]),
        A.alert(),
    )
    assert _alert(api, matched)["investigationState"] == "suppressedAlert"
    assert _alert(api, elsewhere)["investigationState"] == "unknown"
    assert _alert(api, different)["investigationState"] == "unknown"


def test_dry_run_counts_known_alerts(api: ApiClient, clock: FakeClock) -> None:
    old = _ingest(api, _backup())
    clock.advance(days=31)
    recent = _ingest(api, _backup(), _backup(), A.alert(detectorId="x"))
    response = api.post(f"{RULES}/dry-run", json=_rule())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 2
    assert {e["id"] for e in body["examples"]} == set(recent[:2])
    assert old[0] not in {e["id"] for e in body["examples"]}
    nothing = api.post(
        f"{RULES}/dry-run", json=_rule(alertScope={"kind": "thisAlertType", "detectorId": "none"})
    )
    assert nothing.json()["count"] == 0
    assert api.get(RULES).json()["value"] == []  # a dry run stores nothing


def test_delete_with_release_shows_and_reopens(api: ApiClient) -> None:
    hide = _create(api)
    (hidden_id,) = _ingest(api, _backup())
    resolve = _create(
        api, action="resolve", alertScope={"kind": "thisAlertType", "detectorId": "d2"}
    )
    (resolved_id,) = _ingest(api, _backup(detectorId="d2"))
    assert _alert(api, resolved_id)["status"] == "resolved"
    assert api.delete(f"{RULES}/{hide['id']}").status_code == 204
    kept = _alert(api, hidden_id)
    assert kept["hidden"] is True  # without release it stays hidden, queryable by its rule id
    assert _queue_ids(api, f"?$filter=suppressionRuleId eq '{hide['id']}'") == {hidden_id}
    assert api.delete(f"{RULES}/{resolve['id']}?releaseAlerts=true").status_code == 204
    reopened = _alert(api, resolved_id)
    assert reopened["status"] == "new"
    assert reopened["resolvedDateTime"] is None
    assert reopened["investigationState"] == "unknown"
    assert "suppressionRuleId" not in reopened
    assert resolved_id in _queue_ids(api)


def test_release_unhides(api: ApiClient) -> None:
    hide = _create(api)
    (hidden_id,) = _ingest(api, _backup())
    assert api.delete(f"{RULES}/{hide['id']}?releaseAlerts=true").status_code == 204
    assert hidden_id in _queue_ids(api)
    assert _alert(api, hidden_id)["investigationState"] == "unknown"


def test_suppression_draft_from_an_alert(api: ApiClient, clock: FakeClock) -> None:
    (alert_id,) = _ingest(api, _backup())
    response = api.get(f"/api/v1/alerts/{alert_id}/suppression-draft")
    assert response.status_code == 200, response.text
    draft = response.json()
    assert draft["alertScope"] == {"kind": "thisAlertType", "detectorId": DETECTOR}
    assert draft["scope"] == {"kind": "organization"}
    assert draft["action"] == "hide"
    assert draft["serviceSources"] == [MDE]
    assert draft["expiresDateTime"] == format_timestamp(clock.now() + timedelta(days=7))
    props = {(c["evidenceType"], c["property"]) for c in draft["conditions"]["items"]}
    assert ("process", "parentFileName") in props
    assert ("device", "deviceId") in props
    assert draft["sourceAlertId"] == alert_id
    created = api.post(RULES, json=draft)
    assert created.status_code == 201, created.text
    (again,) = _ingest(api, _backup())
    assert _alert(api, again)["suppressionRuleId"] == created.json()["id"]
