"""Email clusters and message look-ups through /api/v1/telemetry, on both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from autoir.bootstrap import Container
from autoir.domain.messages.enums import DeliveryLocation
from autoir.domain.telemetry.subjects import subject_fingerprint
from tests.conftest import ApiClient
from tests.support import telemetry as T

URL = "/api/v1/telemetry"
PHISH_IP = "203.0.113.7"
LONG_URL = "https://files.evil.example/d/" + "x" * 600


def _campaign() -> list[dict[str, Any]]:
    """Six phish from one sender (one IP, one body, varying subjects) plus four bystanders."""
    phish = [
        T.message(
            networkMessageId=f"phish-{i}",
            internetMessageId="<campaign@evil.example>",
            receivedDateTime=T.at(hours=-i),
            subject=f"RE: Invoice {1000 + i} overdue",
            senderFromAddress="billing@evil.example",
            senderMailFromAddress="bounce@mailer.example",
            senderIPv4=PHISH_IP,
            recipientEmailAddress=f"user{i}@fabrikam.example",
            bodyFingerprint="BODY1",
            deliveryLocation="quarantine" if i < 2 else "inbox",
            deliveryAction="blocked" if i < 2 else "delivered",
            urls=[f"https://login.evil.example/{i}", LONG_URL],
            attachments=[{"fileName": "inv.htm", "sha256": "c" * 64}],
        )
        for i in range(6)
    ]
    bystanders = [
        T.message(
            networkMessageId=f"other-{i}",
            receivedDateTime=T.at(hours=-i),
            subject="Invoice 77 overdue" if i == 0 else f"Lunch {i}",
            senderFromAddress="ceo@fabrikam.example" if i else "billing@evil.example",
            senderIPv4="198.51.100.1",
            recipientEmailAddress="user1@fabrikam.example",
            bodyFingerprint="BODY1" if i == 0 else f"body-{i}",
            urls=["https://intranet.fabrikam.example/"],
        )
        for i in range(4)
    ]
    return phish + bystanders


@pytest.fixture
def campaign(api: ApiClient) -> ApiClient:
    response = api.post(f"{URL}/messages", json={"value": _campaign()})
    assert response.status_code == 201, response.text
    return api


SUBJECT = subject_fingerprint("Invoice 1 overdue")


@pytest.mark.parametrize(
    ("by", "value", "count"),
    [
        ("senderIp", PHISH_IP, 6),
        ("senderDomain", "EVIL.example", 7),
        ("sender", "Billing@Evil.Example", 7),
        ("p1Sender", "bounce@mailer.example", 6),
        ("subjectFingerprint", SUBJECT, 7),
        ("bodyFingerprint", "body1", 7),
        ("url", "HTTPS://LOGIN.EVIL.EXAMPLE/3", 1),
        ("url", LONG_URL, 6),
        ("urlDomain", "login.evil.example", 6),
        ("urlDomain", "intranet.fabrikam.example", 4),
        ("attachmentSha256", "C" * 64, 6),
        ("recipient", "user1@fabrikam.example", 5),
        ("bodyFingerprint/senderIp", f"body1/{PHISH_IP}", 6),
        ("bodyFingerprint/senderDomain", "body1/evil.example", 7),
        ("subjectFingerprint/senderDomain", f"{SUBJECT}/evil.example", 7),
        ("subjectFingerprint/senderIp", f"{SUBJECT}/198.51.100.1", 1),
        ("senderIp", "192.0.2.200", 0),
    ],
)
def test_cluster_by_every_key_counts_its_members(
    campaign: ApiClient, by: str, value: str, count: int
) -> None:
    response = campaign.get(f"{URL}/clusters", params={"by": by, "value": value})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["clusterBy"] == by
    assert body["emailCount"] == count
    assert len(body["networkMessageIds"]) == count


def test_cluster_lists_newest_first_up_to_the_limit_and_counts_by_location_and_action(
    campaign: ApiClient,
) -> None:
    body = campaign.get(
        f"{URL}/clusters", params={"by": "senderIp", "value": PHISH_IP, "limit": 4}
    ).json()
    assert body["emailCount"] == 6
    assert body["networkMessageIds"] == ["phish-0", "phish-1", "phish-2", "phish-3"]
    assert body["countByDeliveryLocation"] == {"inbox": 4, "quarantine": 2}
    assert body["countByDeliveryAction"] == {"blocked": 2, "delivered": 4}
    assert body["clusterByValue"] == PHISH_IP
    assert body["query"].startswith(f"senderIp eq '{PHISH_IP}' and receivedDateTime ge ")
    assert body["queryTime"] == "2026-11-20T12:00:00.000000Z"
    small = campaign.get(
        f"{URL}/clusters", params={"by": "senderIp", "value": PHISH_IP, "limit": 0}
    ).json()
    assert small["emailCount"] == 6
    assert small["networkMessageIds"] == []
    assert small["countByDeliveryLocation"] == {"inbox": 4, "quarantine": 2}


def test_cluster_window_is_since_inclusive_until_exclusive(campaign: ApiClient) -> None:
    params = {"by": "senderIp", "value": PHISH_IP, "since": T.at(hours=-4), "until": T.at(hours=-1)}
    body = campaign.get(f"{URL}/clusters", params=params).json()
    assert body["networkMessageIds"] == ["phish-2", "phish-3", "phish-4"]
    assert body["query"] == (
        f"senderIp eq '{PHISH_IP}' and receivedDateTime ge 2026-11-20T08:00:00.000000Z"
        " and receivedDateTime lt 2026-11-20T11:00:00.000000Z"
    )


def test_cluster_counts_follow_delivery_location_changes(
    campaign: ApiClient, container: Container
) -> None:
    moved = container.telemetry_ingest.set_delivery_location(
        ["phish-2", "phish-3", "missing"], DeliveryLocation.DELETED_FOLDER
    )
    assert moved == 2
    for by, value in (
        ("urlDomain", "login.evil.example"),
        ("bodyFingerprint/senderIp", f"body1/{PHISH_IP}"),
    ):
        body = campaign.get(f"{URL}/clusters", params={"by": by, "value": value}).json()
        assert body["countByDeliveryLocation"] == {"deletedFolder": 2, "inbox": 2, "quarantine": 2}
    assert campaign.get(f"{URL}/messages/phish-2").json()["deliveryLocation"] == "deletedFolder"


@pytest.mark.parametrize(
    ("params", "target"),
    [
        ({"by": "colour", "value": "x"}, "by"),
        ({"by": "senderIp", "value": "not-an-ip"}, "value"),
        ({"by": "bodyFingerprint/senderIp", "value": "only-one-part"}, "value"),
        ({"by": "senderIp", "value": PHISH_IP, "since": "soon"}, "since"),
        ({"by": "senderIp", "value": PHISH_IP, "since": T.at(), "until": T.at(hours=-1)}, "since"),
        ({"by": "senderIp", "value": PHISH_IP, "limit": "-1"}, "query.limit"),
    ],
)
def test_bad_cluster_queries_name_the_parameter(
    api: ApiClient, params: dict[str, str], target: str
) -> None:
    response = api.get(f"{URL}/clusters", params=params)
    assert response.status_code == 400
    assert target in {d["target"] for d in response.json()["error"]["details"]}


def test_messages_by_network_ids_and_by_internet_message_id(campaign: ApiClient) -> None:
    by_ids = campaign.get(
        f"{URL}/messages", params=[("networkMessageId", "phish-3"), ("networkMessageId", "phish-1")]
    ).json()["value"]
    assert [m["networkMessageId"] for m in by_ids] == ["phish-3", "phish-1"]
    copies = campaign.get(
        f"{URL}/messages", params={"internetMessageId": "<campaign@evil.example>", "limit": 3}
    ).json()["value"]
    assert [m["networkMessageId"] for m in copies] == ["phish-0", "phish-1", "phish-2"]
    assert campaign.get(f"{URL}/messages").status_code == 400
    assert campaign.get(f"{URL}/messages/nope").status_code == 404


def test_first_contact_sender(campaign: ApiClient, container: Container) -> None:
    seen = container.telemetry.sender_seen_before
    assert seen("Billing@evil.example", T.T0)
    assert not seen("billing@evil.example", T.T0 - timedelta(hours=6))
    assert not seen("stranger@evil.example", T.T0)
    assert not seen("no address", T.T0)
    body = campaign.get(f"{URL}/senders/ceo@fabrikam.example").json()
    assert body == {"address": "ceo@fabrikam.example", "seenBefore": True}
