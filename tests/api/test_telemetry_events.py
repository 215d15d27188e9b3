"""URL clicks, endpoint events, devices, process trees, file prevalence and sign-ins."""

from __future__ import annotations

from tests.conftest import ApiClient
from tests.support import telemetry as T

URL = "/api/v1/telemetry"
BAD = "d" * 64
COMMON = "e" * 64


def _post(api: ApiClient, kind: str, records: list[dict]) -> None:
    response = api.post(f"{URL}/{kind}", json={"value": records})
    assert response.status_code == 201, response.text


def test_clicks_by_url_user_and_message(api: ApiClient) -> None:
    _post(
        api,
        "urlClicks",
        [
            T.click(timeOfClick=T.at(minutes=-30), urlClickAction="BlockPage"),
            T.click(url="HTTPS://EVIL.example/login", timeOfClick=T.at(minutes=-10)),
            T.click(userId="Bob@Fabrikam.example", sourceId="nmid-y", urlClickAction=5),
            T.click(url="https://other.example/", timeOfClick=T.at(days=-3)),
        ],
    )
    by_url = api.get(f"{URL}/urlClicks", params={"url": "https://evil.EXAMPLE/login"}).json()
    assert [c["urlClickAction"] for c in by_url["value"]] == [
        "pendingDetonationPageOverride",
        "allowed",
        "blockPage",
    ]
    windowed = api.get(
        f"{URL}/urlClicks",
        params={"userId": "ALICE@fabrikam.example", "since": T.at(days=-1), "limit": 5},
    ).json()["value"]
    assert [c["timeOfClick"] for c in windowed] == [
        "2026-11-20T11:50:00.000000Z",
        "2026-11-20T11:30:00.000000Z",
    ]
    (bob,) = api.get(f"{URL}/urlClicks", params={"networkMessageId": "nmid-y"}).json()["value"]
    assert bob["userId"] == "bob@fabrikam.example"
    assert bob["userIp"] == "192.0.2.10"
    both = api.get(f"{URL}/urlClicks", params={"url": "https://x.example", "userId": "a@b.c"})
    assert both.status_code == 400


def test_device_events_window_kind_and_hash(api: ApiClient) -> None:
    _post(
        api,
        "endpointEvents",
        [
            T.endpoint_process(pid=200, when=T.at(minutes=-20), sha256=BAD),
            {
                "deviceId": "DEV-1",
                "timestamp": T.at(minutes=-19),
                "kind": "file",
                "file": {
                    "fileName": "drop.sh",
                    "folderPath": "/home/alice/.cache",
                    "action": "created",
                    "sha256": BAD,
                },
                "process": {"fileName": "curl", "processId": 201},
            },
            {
                "deviceId": "dev-1",
                "timestamp": T.at(minutes=-18),
                "kind": "network",
                "network": {"remoteIp": "203.0.113.50", "remotePort": 443, "protocol": "tcp"},
            },
            {
                "deviceId": "dev-1",
                "timestamp": T.at(days=-2),
                "kind": "logon",
                "logon": {"accountName": "root", "logonType": "ssh", "success": False},
            },
            T.endpoint_process(device="dev-2", pid=7, when=T.at(minutes=-5), sha256=BAD),
        ],
    )
    recent = api.get(
        f"{URL}/endpointEvents", params={"deviceId": "dev-1", "since": T.at(hours=-1)}
    ).json()["value"]
    assert [e["kind"] for e in recent] == ["network", "file", "process"]
    assert recent[0]["actionType"] == "ConnectionSuccess"
    assert recent[1]["actionType"] == "FileCreated"
    assert recent[1]["process"]["fileName"] == "curl"
    logons = api.get(
        f"{URL}/endpointEvents", params=[("deviceId", "dev-1"), ("kind", "Logon")]
    ).json()["value"]
    assert [e["actionType"] for e in logons] == ["LogonFailed"]
    by_hash = api.get(f"{URL}/endpointEvents", params={"sha256": BAD.upper()}).json()["value"]
    assert [(e["deviceId"], e["kind"]) for e in by_hash] == [
        ("dev-2", "process"),
        ("dev-1", "file"),
        ("dev-1", "process"),
    ]
    assert api.get(f"{URL}/endpointEvents").status_code == 400
    assert (
        api.get(f"{URL}/endpointEvents", params={"deviceId": "d", "kind": "x"}).status_code == 400
    )


def test_file_prevalence_counts_devices_out_of_the_fleet(api: ApiClient) -> None:
    events = [
        T.endpoint_process(device=f"host-{i}", pid=i, when=T.at(minutes=-i), sha256=COMMON)
        for i in range(1, 6)
    ]
    events.append(T.endpoint_process(device="host-9", pid=1, sha256=BAD, when=T.at(days=-3)))
    events.append(T.endpoint_process(device="host-9", pid=2, sha256=BAD, when=T.at(days=-1)))
    _post(api, "endpointEvents", events)
    common = api.get(f"{URL}/files/{COMMON}/prevalence", params={"limit": 2}).json()
    assert (common["deviceCount"], common["fleetSize"]) == (5, 6)
    assert [d["deviceId"] for d in common["devices"]] == ["host-1", "host-2"]
    rare = api.get(f"{URL}/files/{BAD}/prevalence").json()
    assert rare["deviceCount"] == 1
    (sighting,) = rare["devices"]
    assert sighting["eventCount"] == 2
    assert sighting["deviceName"] == "host-9.fabrikam.example"
    assert sighting["firstSeenDateTime"] == "2026-11-17T12:00:00.000000Z"
    assert sighting["lastSeenDateTime"] == "2026-11-19T12:00:00.000000Z"
    outside = api.get(f"{URL}/files/{BAD}/prevalence", params={"since": T.at(hours=-1)}).json()
    assert outside["deviceCount"] == 0
    assert api.get(f"{URL}/files/xyz/prevalence").status_code == 400
    devices = api.get(f"{URL}/devices", params={"limit": 3}).json()["value"]
    assert [d["deviceId"] for d in devices] == ["host-1", "host-2", "host-3"]
    assert devices[0]["deviceName"] == "host-1.fabrikam.example"


def test_process_tree_links_children_to_the_newest_earlier_parent(api: ApiClient) -> None:
    _post(
        api,
        "endpointEvents",
        [
            T.endpoint_process(pid=100, parent=1, name="sshd", when=T.at(minutes=-30)),
            T.endpoint_process(pid=110, parent=100, name="bash", when=T.at(minutes=-29)),
            T.endpoint_process(
                pid=120, parent=110, name="curl", when=T.at(minutes=-28), accountName="root"
            ),
            T.endpoint_process(pid=130, parent=110, name="sh", when=T.at(minutes=-27)),
            # pid 110 reused later: the new child belongs to the newer process
            T.endpoint_process(pid=110, parent=1, name="cron", when=T.at(minutes=-10)),
            T.endpoint_process(pid=140, parent=110, name="backup", when=T.at(minutes=-9)),
            T.endpoint_process(
                pid=300, parent=299, name="python3", when=T.at(minutes=-5), parentFileName="nginx"
            ),
            T.endpoint_process(pid=900, parent=1, name="far", when=T.at(hours=-5)),
        ],
    )
    roots = api.get(
        f"{URL}/devices/dev-1/processTree", params={"at": T.at(minutes=-15), "windowMinutes": 60}
    ).json()["value"]

    def shape(node: dict) -> tuple:
        return (node["fileName"], tuple(shape(c) for c in node["children"]))

    assert [shape(r) for r in roots] == [
        ("sshd", (("bash", (("curl", ()), ("sh", ()))),)),
        ("cron", (("backup", ()),)),
        ("nginx", (("python3", ()),)),
    ]
    assert roots[0]["children"][0]["children"][0]["accountName"] == "root"
    assert roots[2]["eventId"] is None  # known only from its child's event


def test_sign_ins_of_a_user(api: ApiClient) -> None:
    _post(
        api,
        "signIns",
        [
            T.sign_in(id="s1", createdDateTime=T.at(hours=-3)),
            T.sign_in(
                id="s2",
                userPrincipalName="ALICE@fabrikam.example",
                createdDateTime=T.at(hours=-1),
                ipAddress="203.0.113.80",
                status={"errorCode": 50126, "failureReason": "Invalid username or password."},
                location={"city": "Lagos", "countryOrRegion": "ng"},
                deviceDetail={
                    "deviceId": "d-9",
                    "displayName": "laptop",
                    "operatingSystem": "Linux",
                },
                userAgent="curl/8",
            ),
            T.sign_in(id="s3", userPrincipalName="bob@fabrikam.example"),
        ],
    )
    found = api.get(
        f"{URL}/signIns", params={"userPrincipalName": "alice@fabrikam.example"}
    ).json()["value"]
    assert [s["id"] for s in found] == ["s2", "s1"]
    failed = found[0]
    assert failed["status"] == {
        "errorCode": 50126,
        "failureReason": "Invalid username or password.",
    }
    assert failed["location"]["countryOrRegion"] == "NG"
    assert failed["deviceDetail"]["displayName"] == "laptop"
    assert failed["userAgent"] == "curl/8"
    assert found[1]["location"]["geoCoordinates"] == {"latitude": 48.85, "longitude": 2.35}
    windowed = api.get(
        f"{URL}/signIns",
        params={"userPrincipalName": "alice@fabrikam.example", "until": T.at(hours=-2)},
    ).json()["value"]
    assert [s["id"] for s in windowed] == ["s1"]
    assert api.get(f"{URL}/signIns").status_code == 400
