"""Endpoint agents (issue 6): one-time enrolment tokens, enrolment, heartbeats, the inventory.

The contract is ``docs/agent-protocol.md``; every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select

from autoir.bootstrap import Container
from autoir.domain.agents.errors import InvalidEnrollmentToken
from autoir.storage.agent_tables import agent_devices, agent_enrollment_tokens
from tests.conftest import ApiClient
from tests.support.clock import FakeClock

TOKENS = "/api/v1/agents/enrollment-tokens"
MACHINE_ID = "0123456789abcdef0123456789abcdef"


def _token(api: ApiClient, **body: Any) -> dict[str, Any]:
    response = api.post(TOKENS, json=body) if body else api.post(TOKENS)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _enroll_body(token: str, **extra: Any) -> dict[str, Any]:
    return {
        "token": token,
        "hostname": "web-01.fabrikam.example",
        "osPlatform": "Linux",
        "osVersion": "Debian GNU/Linux 12 (bookworm)",
        "agentVersion": "1.0.0",
        "machineId": MACHINE_ID,
        **extra,
    }


def _enroll(api: ApiClient, token: str, **extra: Any) -> dict[str, Any]:
    response = api.post("/agent/v1/enroll", json=_enroll_body(token, **extra), headers=_anon())
    assert response.status_code == 201, response.text
    return dict(response.json())


def _anon() -> dict[str, str]:
    # The agent has no user session: an empty Authorization header replaces the client's.
    return {"Authorization": ""}


def _beat(api: ApiClient, device_id: str, credential: str, **extra: Any) -> httpx.Response:
    body = {
        "deviceId": device_id,
        "hostname": "web-01.fabrikam.example",
        "osPlatform": "Linux",
        "osVersion": "Debian GNU/Linux 12 (bookworm)",
        "osBuild": "6.1.0-27-amd64",
        "agentVersion": "1.0.1",
        "ipInterfaces": ["10.231.0.10", "fe80::1"],
        "loggedOnUsers": ["alice"],
        "healthStatus": "active",
        "sentDateTime": "2026-11-20T12:00:00Z",
        **extra,
    }
    return api.post(
        "/agent/v1/heartbeat", json=body, headers={"Authorization": f"Bearer {credential}"}
    )


def _error(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def test_a_token_is_shown_once_and_only_its_hash_is_stored(
    api: ApiClient, container: Container
) -> None:
    created = _token(api, expiresInHours=2, uses=3)
    secret = created["token"]
    assert secret.startswith(created["prefix"])
    assert created["uses"] == 3
    assert created["used"] == 0
    assert created["state"] == "active"
    assert created["expirationDateTime"] == "2026-11-20T14:00:00.000000Z"
    listed = api.get(TOKENS).json()["value"]
    assert [t["id"] for t in listed] == [created["id"]]
    assert "token" not in listed[0]
    assert secret not in api.get(TOKENS).text
    with container.engine.connect() as connection:
        row = connection.execute(select(agent_enrollment_tokens)).one()._mapping
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(v) for v in row.values()}


def test_a_token_enrols_a_host_once_then_is_used_up(api: ApiClient, container: Container) -> None:
    secret = _token(api)["token"]
    enrolled = _enroll(api, secret)
    assert len(enrolled["deviceId"]) == 40
    assert int(enrolled["deviceId"], 16) >= 0
    assert enrolled["deviceId"] == enrolled["deviceId"].lower()
    assert enrolled["heartbeatSeconds"] == 60
    assert enrolled["protocolVersion"] == 1
    assert len(enrolled["credential"]) >= 43
    with container.engine.connect() as connection:
        row = connection.execute(select(agent_devices)).one()._mapping
    assert row["credential_hash"] == hashlib.sha256(enrolled["credential"].encode()).hexdigest()

    again = api.post(
        "/agent/v1/enroll", json=_enroll_body(secret, machineId="f" * 32), headers=_anon()
    )
    assert again.status_code == 401
    assert _error(again) == "invalidToken"
    assert api.get(TOKENS).json()["value"][0]["state"] == "usedUp"


def test_an_expired_a_revoked_and_an_unknown_token_are_refused_alike(
    api: ApiClient, clock: FakeClock
) -> None:
    expiring = _token(api, expiresInHours=1)["token"]
    revoked = _token(api)
    assert api.delete(f"{TOKENS}/{revoked['id']}").status_code == 204
    clock.advance(hours=1, seconds=1)
    for secret in (expiring, revoked["token"], "aet_not-a-token"):
        response = api.post("/agent/v1/enroll", json=_enroll_body(secret), headers=_anon())
        assert response.status_code == 401, secret
        assert _error(response) == "invalidToken"
        assert response.json()["error"]["message"].count(secret) == 0
    states = {t["id"]: t["state"] for t in api.get(TOKENS).json()["value"]}
    assert states[revoked["id"]] == "revoked"
    assert sorted(states.values()) == ["expired", "revoked"]
    assert api.delete(f"{TOKENS}/no-such-token").status_code == 404


def test_a_bad_body_is_a_400_naming_the_field_and_uses_nothing(api: ApiClient) -> None:
    secret = _token(api)["token"]
    response = api.post(
        "/agent/v1/enroll",
        json={"token": secret, "hostname": "", "osPlatform": 7, "machineId": "x" * 200},
        headers=_anon(),
    )
    assert response.status_code == 400
    targets = {d["target"] for d in response.json()["error"]["details"]}
    assert targets == {"hostname", "osPlatform", "machineId"}
    missing = api.post("/agent/v1/enroll", json={"hostname": "h"}, headers=_anon())
    assert {d["target"] for d in missing.json()["error"]["details"]} == {"token", "osPlatform"}
    not_json = api.post("/agent/v1/enroll", content=b"[1, 2]", headers=_anon())
    assert not_json.status_code == 400
    _enroll(api, secret)  # the refused attempts used nothing
    bad_token = api.post(TOKENS, json={"expiresInHours": 0, "uses": "two"})
    assert bad_token.status_code == 400
    assert {d["target"] for d in bad_token.json()["error"]["details"]} == {
        "expiresInHours",
        "uses",
    }


def test_a_heartbeat_updates_the_inventory(api: ApiClient, clock: FakeClock) -> None:
    enrolled = _enroll(api, _token(api)["token"])
    device_id = enrolled["deviceId"]
    first = api.get(f"/api/v1/devices/{device_id}").json()
    assert first["ipInterfaces"] == []
    clock.advance(seconds=30)
    response = _beat(api, device_id, enrolled["credential"])
    assert response.status_code == 200, response.text
    assert response.json() == {
        "heartbeatSeconds": 60,
        "serverDateTime": "2026-11-20T12:00:30.000000Z",
        "commands": [],
    }
    device = api.get(f"/api/v1/devices/{device_id}").json()
    assert device["@odata.type"] == "#microsoft.graph.security.deviceEvidence"
    assert device["mdeDeviceId"] == device_id
    assert device["deviceDnsName"] == "web-01.fabrikam.example"
    assert device["osPlatform"] == "Linux"
    assert device["osBuild"] == "6.1.0-27-amd64"
    assert device["version"] == "Debian GNU/Linux 12 (bookworm)"
    assert device["agentVersion"] == "1.0.1"
    assert device["ipInterfaces"] == ["10.231.0.10", "fe80::1"]
    assert device["loggedOnUsers"] == [{"accountName": "alice", "domainName": None}]
    assert device["firstSeenDateTime"] == "2026-11-20T12:00:00.000000Z"
    assert device["lastSeenDateTime"] == "2026-11-20T12:00:30.000000Z"
    assert device["healthStatus"] == "active"
    assert device["onboardingStatus"] == "onboarded"
    assert device["rbacGroupName"] == "Ungrouped devices (default)"
    bad = _beat(api, device_id, enrolled["credential"], ipInterfaces=["10.0.0.1", "nope"])
    assert bad.status_code == 400
    assert [d["target"] for d in bad.json()["error"]["details"]] == ["ipInterfaces[1]"]


def test_a_wrong_credential_is_refused(api: ApiClient) -> None:
    enrolled = _enroll(api, _token(api)["token"])
    for credential in ("not-the-credential", ""):
        response = _beat(api, enrolled["deviceId"], credential)
        assert response.status_code == 401
        assert _error(response) == "invalidCredential"
    other_device = _beat(api, "a" * 40, enrolled["credential"])
    assert other_device.status_code == 401
    assert _error(other_device) == "invalidCredential"
    # A user's API token is not a device credential.
    as_user = _beat(api, enrolled["deviceId"], api.tokens["Security administrator"])
    assert _error(as_user) == "invalidCredential"


def test_re_enrolment_keeps_the_device_id_and_replaces_the_credential(
    api: ApiClient, clock: FakeClock
) -> None:
    first = _enroll(api, _token(api)["token"])
    assert _beat(api, first["deviceId"], first["credential"]).status_code == 200
    clock.advance(hours=1)
    second = _enroll(api, _token(api)["token"], machineId=MACHINE_ID.upper())
    assert second["deviceId"] == first["deviceId"]
    assert second["credential"] != first["credential"]
    old = _beat(api, first["deviceId"], first["credential"])
    assert old.status_code == 401
    assert _error(old) == "invalidCredential"
    assert _beat(api, second["deviceId"], second["credential"]).status_code == 200
    listed = api.get("/api/v1/devices").json()
    assert listed["@odata.count"] == 1
    device = listed["value"][0]
    assert device["firstSeenDateTime"] == "2026-11-20T12:00:00.000000Z"
    assert device["lastSeenDateTime"] == "2026-11-20T13:00:00.000000Z"
    other = _enroll(api, _token(api)["token"], machineId=None)
    assert other["deviceId"] != first["deviceId"]


def test_a_device_is_inactive_after_three_missed_heartbeats(
    api: ApiClient, clock: FakeClock
) -> None:
    enrolled = _enroll(api, _token(api)["token"])
    assert _beat(api, enrolled["deviceId"], enrolled["credential"]).status_code == 200
    clock.advance(seconds=180)
    assert api.get("/api/v1/devices").json()["value"][0]["healthStatus"] == "active"
    clock.advance(seconds=1)
    assert api.get("/api/v1/devices").json()["value"][0]["healthStatus"] == "inactive"
    assert _beat(api, enrolled["deviceId"], enrolled["credential"]).status_code == 200
    assert api.get("/api/v1/devices").json()["value"][0]["healthStatus"] == "active"


def test_devices_are_paged_and_an_unknown_one_is_404(api: ApiClient) -> None:
    secret = _token(api, uses=3)["token"]
    ids = {_enroll(api, secret, machineId=f"{i:032x}")["deviceId"] for i in range(3)}
    page = api.get("/api/v1/devices", params={"$top": 2, "$skip": 1}).json()
    assert page["@odata.count"] == 3
    assert len(page["value"]) == 2
    assert {d["mdeDeviceId"] for d in page["value"]} < ids
    assert api.get("/api/v1/devices", params={"$top": 0}).status_code == 400
    assert api.get(f"/api/v1/devices/{'0' * 40}").status_code == 404


def test_a_reader_reads_devices_but_cannot_manage_tokens(api: ApiClient) -> None:
    _enroll(api, _token(api)["token"])
    reader = api.as_role("Security reader")
    assert api.post(TOKENS, headers=reader).status_code == 403
    assert api.get(TOKENS, headers=reader).status_code == 403
    assert api.delete(f"{TOKENS}/x", headers=reader).status_code == 403
    devices = api.get("/api/v1/devices", headers=reader)
    assert devices.status_code == 200
    assert len(devices.json()["value"]) == 1
    assert api.get("/api/v1/devices", headers=_anon()).status_code == 401
    assert api.post(TOKENS, headers=_anon()).status_code == 401


def test_racing_enrolments_use_a_token_once_and_leave_one_device(
    api: ApiClient, container: Container
) -> None:
    last_use = _token(api)["token"]
    other = _token(api)["token"]
    bodies = [_enroll_body(last_use), _enroll_body(last_use), _enroll_body(other)]

    def attempt(body: dict[str, Any]) -> str:
        try:
            return str(container.agents.enroll(body)["credential"])
        except InvalidEnrollmentToken:
            return "refused"

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(attempt, bodies))
    assert outcomes.count("refused") == 1
    credentials = [c for c in outcomes if c != "refused"]
    with container.engine.connect() as connection:
        rows = connection.execute(select(agent_devices.c.credential_hash)).all()
    assert len(rows) == 1
    working = [c for c in credentials if hashlib.sha256(c.encode()).hexdigest() == rows[0][0]]
    assert len(working) == 1
