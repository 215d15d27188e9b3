"""Cluster keys of a message, value normal forms, and the query text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from autoir.domain.messages.enums import DeliveryAction, DeliveryLocation
from autoir.domain.messages.message import EmailMessage, MessageAttachment, MessageUrl
from autoir.domain.telemetry.clusters import (
    COMBINED_KEYS,
    MAX_URL_KEYS,
    ClusterKey,
    ClusterQuery,
    ClusterResult,
    message_keys,
    normalize_cluster_value,
)

T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _message(**fields: object) -> EmailMessage:
    base: dict[str, object] = {
        "network_message_id": "n1",
        "received_at": T0,
        "subject": "Invoice",
        "sender_from_address": "Billing@Evil.example",
        "sender_mail_from_address": "bounce@mailer.example",
        "sender_ip": "2001:DB8::7",
        "recipients": ("a@f.example", "b@f.example"),
        "urls": (MessageUrl("HTTPS://X.Evil.example/a"), MessageUrl("https://x.evil.example/b")),
        "attachments": (MessageAttachment("a.htm", "text/html", 1, "C" * 64),),
        "subject_fingerprint": "S1",
        "body_fingerprint": "B1",
    }
    base.update(fields)
    return EmailMessage(**base)  # type: ignore[arg-type]


def test_message_keys_cover_every_single_and_combined_key() -> None:
    keys = message_keys(_message())
    assert sorted(keys) == sorted(
        [
            (ClusterKey.SENDER_IP, "2001:db8::7"),
            (ClusterKey.SENDER_DOMAIN, "evil.example"),
            (ClusterKey.SENDER, "billing@evil.example"),
            (ClusterKey.P1_SENDER, "bounce@mailer.example"),
            (ClusterKey.SUBJECT, "s1"),
            (ClusterKey.BODY, "b1"),
            (ClusterKey.URL, "https://x.evil.example/a"),
            (ClusterKey.URL, "https://x.evil.example/b"),
            (ClusterKey.URL_DOMAIN, "x.evil.example"),
            (ClusterKey.ATTACHMENT, "c" * 64),
            (ClusterKey.RECIPIENT, "a@f.example"),
            (ClusterKey.RECIPIENT, "b@f.example"),
            (ClusterKey.BODY_SENDER_IP, "b1/2001:db8::7"),
            (ClusterKey.BODY_SENDER_DOMAIN, "b1/evil.example"),
            (ClusterKey.SUBJECT_SENDER_DOMAIN, "s1/evil.example"),
            (ClusterKey.SUBJECT_SENDER_IP, "s1/2001:db8::7"),
        ]
    )


def test_missing_parts_leave_out_the_combined_keys_and_bad_values_are_skipped() -> None:
    keys = dict(message_keys(_message(sender_ip="unknown", body_fingerprint=None)))
    assert ClusterKey.SENDER_IP not in keys
    assert not {
        ClusterKey.BODY_SENDER_IP,
        ClusterKey.BODY_SENDER_DOMAIN,
        ClusterKey.SUBJECT_SENDER_IP,
    } & set(keys)
    assert keys[ClusterKey.SUBJECT_SENDER_DOMAIN] == "s1/evil.example"


def test_url_keys_are_capped() -> None:
    urls = tuple(MessageUrl(f"https://h{i}.example/") for i in range(MAX_URL_KEYS + 50))
    keys = message_keys(_message(urls=urls))
    assert sum(1 for k, _ in keys if k is ClusterKey.URL) == MAX_URL_KEYS
    assert sum(1 for k, _ in keys if k is ClusterKey.URL_DOMAIN) == MAX_URL_KEYS


def test_key_parts() -> None:
    assert ClusterKey.BODY_SENDER_IP.parts == (ClusterKey.BODY, ClusterKey.SENDER_IP)
    assert ClusterKey.URL.parts == (ClusterKey.URL,)
    assert len(COMBINED_KEYS) == 4
    assert all(k.is_combined for k in COMBINED_KEYS)


@pytest.mark.parametrize(
    ("by", "raw", "expected"),
    [
        (ClusterKey.SENDER_IP, "203.0.113.007", None),
        (ClusterKey.SENDER_IP, "::FFFF:203.0.113.7", "203.0.113.7"),
        (ClusterKey.SENDER_DOMAIN, "Evil.Example.", "evil.example"),
        (ClusterKey.SENDER_DOMAIN, "a@evil.example", None),
        (ClusterKey.URL, "HTTP://A.example/X/Y", "http://a.example/X/Y"),
        (ClusterKey.ATTACHMENT, "A" * 64, "a" * 64),
        (ClusterKey.BODY_SENDER_IP, "ABC/203.0.113.7", "abc/203.0.113.7"),
        (ClusterKey.BODY_SENDER_IP, "abc", None),
        (ClusterKey.BODY_SENDER_IP, "abc/def/1.2.3.4", None),
        (ClusterKey.SUBJECT_SENDER_DOMAIN, "abc/", None),
    ],
)
def test_normalize_cluster_value(by: ClusterKey, raw: str, expected: str | None) -> None:
    assert normalize_cluster_value(by, raw) == expected


def test_query_text_quotes_values_and_shows_the_window() -> None:
    query = ClusterQuery(ClusterKey.SUBJECT_SENDER_DOMAIN, "s1/o'brien.example", T0, T0)
    assert query.text() == (
        "subjectFingerprint eq 's1' and senderDomain eq 'o''brien.example'"
        " and receivedDateTime ge 2026-11-20T12:00:00.000000Z"
        " and receivedDateTime lt 2026-11-20T12:00:00.000000Z"
    )
    assert ClusterQuery(ClusterKey.URL, "http://a/b").text() == "url eq 'http://a/b'"


def test_cluster_result_json_is_mail_cluster_evidence_shaped() -> None:
    result = ClusterResult(
        ClusterQuery(ClusterKey.SENDER_IP, "192.0.2.1", limit=1),
        email_count=3,
        network_message_ids=("n3",),
        count_by_delivery_location={DeliveryLocation.QUARANTINE: 1, DeliveryLocation.INBOX: 2},
        count_by_delivery_action={DeliveryAction.DELIVERED: 3},
        queried_at=T0,
    )
    assert not result.is_complete
    assert result.to_json() == {
        "clusterBy": "senderIp",
        "clusterByValue": "192.0.2.1",
        "emailCount": 3,
        "networkMessageIds": ["n3"],
        "countByDeliveryLocation": {"inbox": 2, "quarantine": 1},
        "countByDeliveryAction": {"delivered": 3},
        "query": "senderIp eq '192.0.2.1'",
        "queryTime": "2026-11-20T12:00:00.000000Z",
    }
