"""POST /api/v1/telemetry/{kind}: validation naming value[i].field, all-or-nothing, idempotence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from autoir.bootstrap import Container
from autoir.domain.messages.enums import DeliveryLocation
from autoir.domain.telemetry.clusters import ClusterKey
from autoir.domain.telemetry.kinds import TelemetryKind as K
from tests.conftest import ApiClient
from tests.support import telemetry as T
from tests.support.clock import FakeClock

URL = "/api/v1/telemetry"


def _details(response_json: dict) -> dict[str, str]:
    return {d["target"]: d["message"] for d in response_json["error"]["details"]}


def test_message_events_are_stored_in_normal_forms_and_read_back(api: ApiClient) -> None:
    body = T.message(
        networkMessageId="nm-normal",
        senderFromAddress="Bob.Smith@CONTOSO.example",
        senderIPv4=None,
        senderIPv6="2001:DB8:0:0::7",
        recipientEmailAddress=["Alice@Fabrikam.example", "alice@fabrikam.example", "c@f.example"],
        deliveryLocation="Junk folder",
        deliveryAction="DeliveredAsSpam",
        urls=[
            "HTTPS://Login.EVIL.example/Path?Q=1",
            {"url": "http://x.example/", "displayText": "Pay"},
        ],
        attachments=[
            {"fileName": "inv.htm", "fileType": "html", "fileSize": 120, "sha256": "AB" * 32}
        ],
        authentication={"SPF": "Fail", "dkim": "none", "DMARC": "fail", "CompAuth": "fail"},
        headers=[{"name": "X-Mailer", "value": "evil 1.0"}],
    )
    response = api.post(f"{URL}/messages", json={"value": [body]})
    assert response.status_code == 201, response.text
    assert response.json() == {
        "kind": "messages",
        "received": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    stored = api.get(f"{URL}/messages/nm-normal").json()
    assert stored["senderFromAddress"] == "bob.smith@contoso.example"
    assert stored["senderFromDomain"] == "contoso.example"
    assert stored["senderIPv6"] == "2001:db8::7"
    assert stored["senderIPv4"] is None
    assert stored["recipientEmailAddress"] == ["alice@fabrikam.example", "c@f.example"]
    assert stored["deliveryLocation"] == "junkFolder"
    assert stored["deliveryAction"] == "deliveredAsSpam"
    assert stored["urls"] == [
        {"url": "https://login.evil.example/Path?Q=1"},
        {"url": "http://x.example/", "displayText": "Pay"},
    ]
    assert stored["attachments"][0]["sha256"] == "ab" * 32
    assert stored["authentication"] == {
        "spf": "fail",
        "dkim": "none",
        "dmarc": "fail",
        "compauth": "fail",
    }
    assert stored["headers"] == [{"name": "X-Mailer", "value": "evil 1.0"}]
    assert stored["subjectFingerprint"]  # computed from the subject
    assert stored["receivedDateTime"] == "2026-11-20T11:00:00.000000Z"


def test_an_invalid_record_rejects_the_whole_batch_and_names_index_and_field(
    api: ApiClient,
) -> None:
    good = T.message(networkMessageId="nm-good")
    bad = T.message(
        senderIPv4="300.1.1.1",
        receivedDateTime="yesterday",
        deliveryLocation="attic",
        attachments=[{"fileName": "x", "sha256": "nothex"}],
        urls=[42],
    )
    del bad["networkMessageId"]
    response = api.post(f"{URL}/messages", json={"value": [good, bad]})
    assert response.status_code == 400
    details = _details(response.json())
    assert set(details) == {
        "value[1].networkMessageId",
        "value[1].senderIPv4",
        "value[1].receivedDateTime",
        "value[1].deliveryLocation",
        "value[1].attachments[0].sha256",
        "value[1].urls[0]",
    }
    assert "is required" in details["value[1].networkMessageId"]
    assert api.get(f"{URL}/messages/nm-good").status_code == 404


@pytest.mark.parametrize(
    ("kind", "record", "target"),
    [
        ("urlClicks", T.click(urlClickAction=9), "value[0].urlClickAction"),
        ("urlClicks", T.click(timeOfClick=None), "value[0].timeOfClick"),
        ("signIns", T.sign_in(status={"errorCode": "x"}), "value[0].status.errorCode"),
        (
            "signIns",
            T.sign_in(location={"geoCoordinates": {"latitude": 123}}),
            "value[0].location.geoCoordinates.latitude",
        ),
        ("endpointEvents", {**T.endpoint_process(), "process": None}, "value[0].process"),
        ("endpointEvents", {**T.endpoint_process(), "kind": "registry"}, "value[0].kind"),
        (
            "endpointEvents",
            {**T.endpoint_process(), "kind": "file", "file": {"fileName": "a", "action": "moved"}},
            "value[0].file.action",
        ),
        (
            "endpointEvents",
            {**T.endpoint_process(), "kind": "network", "network": {"remotePort": 80}},
            "value[0].network.remoteIp",
        ),
        ("endpointEvents", T.endpoint_process(processId=-1), "value[0].process.processId"),
    ],
)
def test_each_kind_names_the_bad_field(
    api: ApiClient, kind: str, record: dict, target: str
) -> None:
    response = api.post(f"{URL}/{kind}", json={"value": [record]})
    assert response.status_code == 400, response.text
    assert target in _details(response.json())


def test_bad_requests_are_clear(api: ApiClient, container: Container) -> None:
    assert api.post(f"{URL}/alerts", json={"value": [{}]}).status_code == 400
    assert api.post(f"{URL}/messages", json=[T.message()]).status_code == 400
    assert api.post(f"{URL}/messages", json={"value": {}}).status_code == 400
    empty = api.post(f"{URL}/messages", json={"value": []})
    assert empty.status_code == 400
    too_many = container.ctx.policy.max_batch + 1
    big = api.post(f"{URL}/signIns", json={"value": [T.sign_in()] * too_many})
    assert big.status_code == 400
    assert "at most" in _details(big.json())["value"]


def test_kind_in_the_path_is_case_insensitive(api: ApiClient) -> None:
    response = api.post(f"{URL}/SIGNINS", json={"value": [T.sign_in()]})
    assert response.status_code == 201
    assert response.json()["kind"] == "signIns"


def test_reingesting_messages_is_idempotent_and_a_changed_copy_replaces_the_stored_one(
    api: ApiClient, container: Container
) -> None:
    batch = [T.message(senderIPv4="203.0.113.5") for _ in range(3)]
    assert api.post(f"{URL}/messages", json={"value": batch}).json()["created"] == 3
    again = api.post(f"{URL}/messages", json={"value": batch}).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    moved = {**batch[0], "deliveryLocation": "quarantine", "senderIPv4": "203.0.113.99"}
    changed = api.post(f"{URL}/messages", json={"value": [moved]}).json()
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 0)
    old_ip = container.telemetry.cluster(ClusterKey.SENDER_IP, "203.0.113.5")
    assert old_ip.email_count == 2  # the replaced copy left its old keys behind
    new_ip = container.telemetry.cluster(ClusterKey.SENDER_IP, "203.0.113.99")
    assert new_ip.network_message_ids == (batch[0]["networkMessageId"],)
    assert new_ip.count_by_delivery_location == {DeliveryLocation.QUARANTINE: 1}


def test_the_same_message_twice_in_one_batch_keeps_the_later_copy(
    api: ApiClient, container: Container
) -> None:
    first = T.message(networkMessageId="nm-twice", subject="first")
    second = {**first, "subject": "second"}
    result = api.post(f"{URL}/messages", json={"value": [first, second]}).json()
    assert (result["created"], result["updated"]) == (1, 1)
    assert container.telemetry.message("nm-twice").subject == "second"


def test_events_without_ids_get_stable_ids_and_are_stored_once(api: ApiClient) -> None:
    events = [T.endpoint_process(pid=10), T.endpoint_process(pid=11)]
    clicks = [T.click(), T.click(url="https://other.example/")]
    sign_ins = [T.sign_in(), T.sign_in(ipAddress="192.0.2.99")]
    for kind, records in (("endpointEvents", events), ("urlClicks", clicks), ("signIns", sign_ins)):
        first = api.post(f"{URL}/{kind}", json={"value": records})
        assert (first.json()["created"], first.json()["unchanged"]) == (2, 0), kind
        second = api.post(f"{URL}/{kind}", json={"value": [*records, records[0]]})
        assert (second.json()["created"], second.json()["unchanged"]) == (0, 3), kind
    listed = api.get(f"{URL}/endpointEvents", params={"deviceId": "dev-1"}).json()["value"]
    assert len(listed) == 2
    assert len({e["id"] for e in listed}) == 2


def test_given_event_ids_are_kept(api: ApiClient) -> None:
    record = {**T.endpoint_process(), "id": "evt-42"}
    api.post(f"{URL}/endpointEvents", json={"value": [record]})
    changed = {**record, "process": {**record["process"], "commandLine": "other"}}
    result = api.post(f"{URL}/endpointEvents", json={"value": [changed]}).json()
    assert result["unchanged"] == 1  # events are immutable: the id decides
    (stored,) = api.get(f"{URL}/endpointEvents", params={"deviceId": "dev-1"}).json()["value"]
    assert stored["id"] == "evt-42"
    assert stored["process"]["commandLine"] == "bash"


def test_ingest_needs_manage_alerts_and_reading_needs_read_data(api: ApiClient) -> None:
    reader = api.as_role("Security reader")
    denied = api.post(f"{URL}/messages", json={"value": [T.message()]}, headers=reader)
    assert denied.status_code == 403
    operator = api.as_role("Security operator")
    record = T.message(networkMessageId="nm-op")
    allowed = api.post(f"{URL}/messages", json={"value": [record]}, headers=operator)
    assert allowed.status_code == 201
    assert api.get(f"{URL}/messages/nm-op", headers=reader).status_code == 200
    assert api.get(f"{URL}/messages/nm-op", headers={"Authorization": ""}).status_code == 401


def test_retention_purge_deletes_old_telemetry_in_chunks(
    container: Container, clock: FakeClock
) -> None:
    ingest = container.telemetry_ingest
    old = [T.message(receivedDateTime=T.at(days=-40, minutes=-i)) for i in range(5)]
    recent = T.message(receivedDateTime=T.at(days=-1))
    ingest.ingest(K.MESSAGES, [*old, recent])
    ingest.ingest(
        K.ENDPOINT_EVENTS,
        [
            T.endpoint_process(device="old-dev", when=T.at(days=-40), sha256="a" * 64),
            T.endpoint_process(device="new-dev", when=T.at(days=-1), sha256="b" * 64),
        ],
    )
    ingest.ingest(K.URL_CLICKS, [T.click(timeOfClick=T.at(days=-31))])
    ingest.ingest(K.SIGN_INS, [T.sign_in(createdDateTime=T.at(days=-31)), T.sign_in()])
    result = ingest.purge_expired(chunk=2)
    assert result.cutoff == clock.now() - ingest.retention
    assert {k.value: n for k, n in result.deleted.items()} == {
        "messages": 5,
        "urlClicks": 1,
        "endpointEvents": 1,
        "signIns": 1,
    }
    query = container.telemetry
    everything = query.cluster(
        ClusterKey.SENDER_IP, "198.51.100.20", since=T.T0 - ingest.retention * 3
    )
    assert everything.network_message_ids == (recent["networkMessageId"],)
    assert [d.device_id for d in query.devices()] == ["new-dev"]
    assert query.file_prevalence("a" * 64).device_count == 0
    assert query.file_prevalence("b" * 64).device_count == 1
    assert len(query.sign_ins("alice@fabrikam.example")) == 1
    assert ingest.purge_expired().deleted[K.MESSAGES] == 0


def test_the_sweeper_purges_expired_telemetry_once_per_interval(container: Container) -> None:
    ingest = container.telemetry_ingest
    ingest.ingest(K.MESSAGES, [T.message(receivedDateTime=T.at(days=-40)), T.message()])
    since = T.T0 - timedelta(days=60)

    def stored() -> int:
        return container.telemetry.cluster(
            ClusterKey.SENDER_DOMAIN, "contoso.example", since
        ).email_count

    automation = container.automation
    automation.sweep()  # the first sweep of a worker runs the upkeep
    assert stored() == 1
    last = automation._housekeeping_at
    assert last is not None
    ingest.ingest(K.MESSAGES, [T.message(receivedDateTime=T.at(days=-41))])
    interval = container.settings.housekeeping_minutes * 60
    assert not automation.run_housekeeping_if_due(now=last + interval - 1)
    assert stored() == 2
    assert automation.run_housekeeping_if_due(now=last + interval + 0.5)
    assert stored() == 1
