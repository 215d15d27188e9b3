"""Email clusters (reference §2.5, §2.6): the keys messages are grouped by, queries and results.

A message is indexed under one value per single key (sender IP, P2 sender and its domain, P1
sender, subject and body fingerprints) and one per URL, URL domain, attachment and recipient,
plus the combined keys of §2.6 ("multiple similar attributes"), whose values join their parts
with ``/`` (``bodyFingerprint/senderIp`` → ``9f0c…/203.0.113.7``). Values are in the normal forms
of :mod:`autoir.domain.telemetry.normalize` both when stored and when asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from autoir.domain.messages.enums import DeliveryAction, DeliveryLocation
from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.normalize import (
    address_domain,
    normalize_address,
    normalize_ip,
    normalize_sha256,
    normalize_url,
    url_host,
)
from autoir.domain.timestamps import format_timestamp

MAX_URL_KEYS = 200  # a newsletter's 300 tracking links add nothing a phishing pivot needs
SEPARATOR = "/"


class ClusterKey(StrEnum):
    """What a cluster groups messages by (``clusterBy`` of ``mailClusterEvidence``)."""

    SENDER_IP = "senderIp"
    SENDER_DOMAIN = "senderDomain"  # of the P2 sender
    SENDER = "sender"  # P2 sender: RFC 5322 From
    P1_SENDER = "p1Sender"  # RFC 5321 MAIL FROM
    SUBJECT = "subjectFingerprint"
    BODY = "bodyFingerprint"
    URL = "url"
    URL_DOMAIN = "urlDomain"
    ATTACHMENT = "attachmentSha256"
    RECIPIENT = "recipient"
    BODY_SENDER_IP = "bodyFingerprint/senderIp"
    BODY_SENDER_DOMAIN = "bodyFingerprint/senderDomain"
    SUBJECT_SENDER_DOMAIN = "subjectFingerprint/senderDomain"
    SUBJECT_SENDER_IP = "subjectFingerprint/senderIp"

    @property
    def parts(self) -> tuple[ClusterKey, ...]:
        """The single keys a combined key joins (itself for a single key)."""
        return _PARTS[self]

    @property
    def is_combined(self) -> bool:
        """Whether the key joins two single keys."""
        return len(_PARTS[self]) > 1


_PARTS = {key: tuple(ClusterKey(p) for p in key.value.split(SEPARATOR)) for key in ClusterKey}
COMBINED_KEYS = tuple(key for key in ClusterKey if key.is_combined)


def _domain(raw: str) -> str | None:
    value = raw.strip().rstrip(".").lower()
    return value if value and " " not in value and "@" not in value else None


def _fingerprint(raw: str) -> str | None:
    value = raw.strip().lower()
    return value if value and SEPARATOR not in value else None


def _url(raw: str) -> str | None:
    value = normalize_url(raw)
    return value or None


_NORMALIZERS: dict[ClusterKey, Callable[[str], str | None]] = {
    ClusterKey.SENDER_IP: normalize_ip,
    ClusterKey.SENDER_DOMAIN: _domain,
    ClusterKey.SENDER: normalize_address,
    ClusterKey.P1_SENDER: normalize_address,
    ClusterKey.SUBJECT: _fingerprint,
    ClusterKey.BODY: _fingerprint,
    ClusterKey.URL: _url,
    ClusterKey.URL_DOMAIN: _domain,
    ClusterKey.ATTACHMENT: normalize_sha256,
    ClusterKey.RECIPIENT: normalize_address,
}


def normalize_cluster_value(by: ClusterKey, raw: str) -> str | None:
    """The stored form of a value of ``by``; None when it is not a valid value of that key.

    A combined key takes its parts joined with ``/``, e.g. ``subjectFingerprint/senderIp``.
    """
    if not by.is_combined:
        return _NORMALIZERS[by](raw)
    pieces = raw.split(SEPARATOR)
    if len(pieces) != len(by.parts):
        return None
    values = [_NORMALIZERS[part](piece) for part, piece in zip(by.parts, pieces, strict=True)]
    if any(v is None for v in values):
        return None
    return SEPARATOR.join(v for v in values if v is not None)


def message_keys(message: EmailMessage) -> list[tuple[ClusterKey, str]]:
    """Every (key, value) a message is indexed under, without duplicates."""
    ip = normalize_ip(message.sender_ip) if message.sender_ip else None
    sender = normalize_address(message.sender_from_address) if message.sender_from_address else None
    domain = _domain(address_domain(sender) or "") if sender else None
    p1 = (
        normalize_address(message.sender_mail_from_address)
        if message.sender_mail_from_address
        else None
    )
    subject = _fingerprint(message.subject_fingerprint) if message.subject_fingerprint else None
    body = _fingerprint(message.body_fingerprint) if message.body_fingerprint else None
    keys = [
        (key, value)
        for key, value in (
            (ClusterKey.SENDER_IP, ip),
            (ClusterKey.SENDER_DOMAIN, domain),
            (ClusterKey.SENDER, sender),
            (ClusterKey.P1_SENDER, p1),
            (ClusterKey.SUBJECT, subject),
            (ClusterKey.BODY, body),
        )
        if value
    ]
    urls = list(dict.fromkeys(u for u in (_url(x.url) for x in message.urls) if u))[:MAX_URL_KEYS]
    keys.extend((ClusterKey.URL, url) for url in urls)
    hosts = dict.fromkeys(h for h in (_domain(url_host(u) or "") for u in urls) if h)
    keys.extend((ClusterKey.URL_DOMAIN, host) for host in hosts)
    hashes = dict.fromkeys(
        h for h in (normalize_sha256(a.sha256) for a in message.attachments) if h
    )
    keys.extend((ClusterKey.ATTACHMENT, sha) for sha in hashes)
    recipients = dict.fromkeys(r for r in (normalize_address(x) for x in message.recipients) if r)
    keys.extend((ClusterKey.RECIPIENT, recipient) for recipient in recipients)
    for key, first, second in (
        (ClusterKey.BODY_SENDER_IP, body, ip),
        (ClusterKey.BODY_SENDER_DOMAIN, body, domain),
        (ClusterKey.SUBJECT_SENDER_DOMAIN, subject, domain),
        (ClusterKey.SUBJECT_SENDER_IP, subject, ip),
    ):
        if first and second:
            keys.append((key, f"{first}{SEPARATOR}{second}"))
    return keys


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class ClusterQuery:
    """Messages sharing ``value`` of ``by``, received in ``[since, until)`` (open when None)."""

    by: ClusterKey
    value: str
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 1000

    def text(self) -> str:
        """The query as OData-style text, as ``mailClusterEvidence.query`` shows it."""
        pieces = self.value.split(SEPARATOR) if self.by.is_combined else [self.value]
        terms = [
            f"{part} eq {_quoted(piece)}" for part, piece in zip(self.by.parts, pieces, strict=True)
        ]
        if self.since is not None:
            terms.append(f"receivedDateTime ge {format_timestamp(self.since)}")
        if self.until is not None:
            terms.append(f"receivedDateTime lt {format_timestamp(self.until)}")
        return " and ".join(terms)


@dataclass(frozen=True, slots=True)
class ClusterResult:
    """A cluster as of ``queried_at``: every member counted, member ids up to the query's limit.

    ``network_message_ids`` are the newest members first.
    """

    query: ClusterQuery
    email_count: int
    network_message_ids: tuple[str, ...]
    count_by_delivery_location: dict[DeliveryLocation, int]
    count_by_delivery_action: dict[DeliveryAction, int]
    queried_at: datetime

    @property
    def is_complete(self) -> bool:
        """Whether every member's id is listed."""
        return len(self.network_message_ids) >= self.email_count

    def to_json(self) -> dict[str, Any]:
        """JSON in the shape of Graph ``mailClusterEvidence``, plus the counts."""
        return {
            "clusterBy": self.query.by.value,
            "clusterByValue": self.query.value,
            "emailCount": self.email_count,
            "networkMessageIds": list(self.network_message_ids),
            "countByDeliveryLocation": {
                k.value: n for k, n in sorted(self.count_by_delivery_location.items())
            },
            "countByDeliveryAction": {
                k.value: n for k, n in sorted(self.count_by_delivery_action.items())
            },
            "query": self.query.text(),
            "queryTime": format_timestamp(self.queried_at),
        }
