"""Automation settings at /api/v1/settings/automation: defaults, replacing, validation, preview."""

from __future__ import annotations

from typing import Any

from tests.conftest import ApiClient
from tests.support.clock import FakeClock

URL = "/api/v1/settings/automation"

DEFAULTS = {
    "deviceGroups": [],
    "defaultAutomationLevel": "full",
    "email": {
        "autoSoftDeleteSimilarFiles": False,
        "autoSoftDeleteSimilarUrls": False,
        "maxClusterSize": 10_000,
    },
    "pendingActionExpiryDays": 7,
    "lastModifiedBy": None,
    "lastModifiedDateTime": None,
}

POLICY: dict[str, Any] = {
    "deviceGroups": [
        {
            "name": "Linux servers",
            "rank": 2,
            "automationLevel": "semiCoreFolders",
            "description": "Production Linux",
            "rules": [{"osPlatform": "Linux", "ipRange": "10.20.0.0/16"}],
        },
        {
            "name": "Domain controllers",
            "rank": 1,
            "automationLevel": "semiAnyFolder",
            "rules": [{"namePattern": "dc-*"}, {"tag": "Tier0"}],
        },
    ],
    "defaultAutomationLevel": "semiNonTempFolders",
    "email": {"autoSoftDeleteSimilarUrls": True, "maxClusterSize": 500},
    "pendingActionExpiryDays": 3,
}

LINUX_DEVICE = {
    "@odata.type": "#microsoft.graph.security.deviceEvidence",
    "mdeDeviceId": "b" * 40,
    "deviceDnsName": "web-07.contoso.com",
    "osPlatform": "Linux",
    "ipInterfaces": ["10.20.3.4"],
    "tags": [],
}


def test_get_returns_the_defaults_until_saved(api: ApiClient) -> None:
    response = api.get(URL)
    assert response.status_code == 200, response.text
    assert response.json() == DEFAULTS
    reader = api.get(URL, headers=api.as_role("Security reader"))
    assert reader.status_code == 200
    assert reader.json() == DEFAULTS


def test_put_replaces_the_policy_and_get_returns_it(api: ApiClient, clock: FakeClock) -> None:
    response = api.put(URL, json=POLICY)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [g["name"] for g in body["deviceGroups"]] == ["Domain controllers", "Linux servers"]
    assert body["deviceGroups"][0]["rules"] == [
        {"namePattern": "dc-*", "tag": None, "osPlatform": None, "ipRange": None},
        {"namePattern": None, "tag": "Tier0", "osPlatform": None, "ipRange": None},
    ]
    assert body["defaultAutomationLevel"] == "semiNonTempFolders"
    assert body["email"] == {
        "autoSoftDeleteSimilarFiles": False,
        "autoSoftDeleteSimilarUrls": True,
        "maxClusterSize": 500,
    }
    assert body["pendingActionExpiryDays"] == 3
    assert body["lastModifiedBy"] == "token:test Security administrator"
    assert body["lastModifiedDateTime"].startswith(clock.now().strftime("%Y-%m-%dT%H:%M"))
    assert api.get(URL).json() == body
    # The GET body can be sent back unchanged (read-only fields are ignored).
    again = api.put(URL, json=body)
    assert again.status_code == 200, again.text
    assert again.json() == body


def test_put_invalid_reports_each_field_and_saves_nothing(api: ApiClient) -> None:
    assert api.put(URL, json=POLICY).status_code == 200
    before = api.get(URL).json()
    bad = {
        "deviceGroups": [
            {
                "name": "Servers",
                "rank": 1,
                "automationLevel": "sometimes",
                "rules": [{"ipRange": "10.0.0.1/8"}, {"namePattern": "srv-["}],
            },
            {"name": "servers", "rank": 2, "automationLevel": "full", "rules": [{"tag": "x"}]},
            {"name": "Other", "rank": 3, "automationLevel": "full", "rules": []},
        ],
        "email": {"maxClusterSize": 0},
        "pendingActionExpiryDays": "7",
        "unknown": True,
    }
    response = api.put(URL, json=bad)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validationError"
    targets = {d["target"]: d["message"] for d in error["details"]}
    assert set(targets) == {
        "deviceGroups[0].automationLevel",
        "deviceGroups[0].rules[0].ipRange",
        "deviceGroups[0].rules[1].namePattern",
        "deviceGroups[2].rules",
        "email.maxClusterSize",
        "pendingActionExpiryDays",
        "unknown",
    }
    assert "did you mean 10.0.0.0/8" in targets["deviceGroups[0].rules[0].ipRange"]
    assert api.get(URL).json() == before


def test_put_rejects_duplicate_names_and_ranks(api: ApiClient) -> None:
    group = {"name": "A", "rank": 1, "automationLevel": "full", "rules": [{"tag": "x"}]}
    response = api.put(URL, json={"deviceGroups": [group, group | {"name": "a"}]})
    assert response.status_code == 400
    targets = {d["target"] for d in response.json()["error"]["details"]}
    assert targets == {"deviceGroups[1].name", "deviceGroups[1].rank"}
    assert api.get(URL).json() == DEFAULTS


def test_put_rejects_non_objects_and_bad_json(api: ApiClient) -> None:
    assert api.put(URL, json=[POLICY]).status_code == 400
    malformed = api.put(URL, content=b"{", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400


def test_put_needs_the_settings_permission(api: ApiClient) -> None:
    for role in ("Security reader", "Security operator"):
        denied = api.put(URL, json=POLICY, headers=api.as_role(role))
        assert denied.status_code == 403, role
        assert denied.json()["error"]["code"] == "forbidden"
    assert api.get(URL).json() == DEFAULTS


def test_unauthenticated_requests_are_refused(api: ApiClient) -> None:
    anonymous = {"Authorization": ""}
    assert api.get(URL, headers=anonymous).status_code == 401
    assert api.post(f"{URL}/preview", json={"device": {}}, headers=anonymous).status_code == 401


def test_preview_shows_the_group_and_what_a_malicious_file_action_does(api: ApiClient) -> None:
    assert api.put(URL, json=POLICY).status_code == 200
    reader = api.as_role("Security reader")
    response = api.post(
        f"{URL}/preview",
        json={"device": LINUX_DEVICE, "filePath": "/usr/bin/xmrig"},
        headers=reader,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["device"] == {
        "mdeDeviceId": "b" * 40,
        "deviceDnsName": "web-07.contoso.com",
        "osPlatform": "Linux",
        "tags": [],
        "ipAddresses": ["10.20.3.4"],
    }
    assert body["deviceGroup"] == {
        "name": "Linux servers",
        "rank": 2,
        "automationLevel": "semiCoreFolders",
        "automationLevelLabel": "Semi - require approval for core folders remediation",
        "isDefault": False,
    }
    assert body["filePath"] == "/usr/bin/xmrig"
    assert body["folderClass"] == "core"
    decisions = {d["actionType"]: d for d in body["decisions"]}
    assert decisions["stopAndQuarantineFile"]["mode"] == "approval"
    assert "/usr/bin/xmrig is a core folder" in decisions["stopAndQuarantineFile"]["reason"]
    assert decisions["isolateDevice"]["mode"] == "approval"

    temp = api.post(
        f"{URL}/preview",
        json={"device": LINUX_DEVICE, "filePath": "/home/web/Downloads/xmrig"},
        headers=reader,
    ).json()
    assert temp["folderClass"] == "temp"
    assert {d["actionType"]: d["mode"] for d in temp["decisions"]}["stopAndQuarantineFile"] == (
        "automatic"
    )


def test_preview_falls_back_to_the_default_group(api: ApiClient) -> None:
    windows = {"deviceDnsName": "ws-001.contoso.com", "osPlatform": "Windows11"}
    body = api.post(f"{URL}/preview", json={"device": windows}).json()
    assert body["deviceGroup"]["name"] == "Ungrouped devices (default)"
    assert body["deviceGroup"]["isDefault"] is True
    assert body["deviceGroup"]["rank"] is None
    assert body["filePath"] is None
    assert body["folderClass"] is None
    assert {d["actionType"]: d["mode"] for d in body["decisions"]} == {
        "stopAndQuarantineFile": "automatic",
        "isolateDevice": "approval",  # never automatic, whatever the level
    }


def test_preview_can_try_an_unsaved_policy(api: ApiClient) -> None:
    unsaved = {"defaultAutomationLevel": "noAutomatedResponse"}
    body = api.post(
        f"{URL}/preview",
        json={"device": LINUX_DEVICE, "filePath": r"C:\Windows\Temp\x.exe", "policy": unsaved},
    ).json()
    assert body["deviceGroup"]["automationLevel"] == "noAutomatedResponse"
    assert {d["mode"] for d in body["decisions"]} == {"none"}
    assert api.get(URL).json() == DEFAULTS


def test_preview_validates_its_body(api: ApiClient) -> None:
    response = api.post(
        f"{URL}/preview",
        json={"filePath": 7, "policy": {"email": {"maxClusterSize": -1}}, "extra": 1},
    )
    assert response.status_code == 400
    targets = {d["target"] for d in response.json()["error"]["details"]}
    assert targets == {"device", "filePath", "policy.email.maxClusterSize", "extra"}
