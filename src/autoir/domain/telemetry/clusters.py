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
        return tuple(ClusterKey(part) for part in self.value.split(SEPARATOR))

    @property
    def is_combined(self) -> bool:
        """Whether the key joins two single keys."""
        return SEPARATOR in self.value


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
    raw: dict[ClusterKey, list[str | None]] = {
        ClusterKey.SENDER_IP: [message.sender_ip],
        ClusterKey.SENDER_DOMAIN: [message.sender_domain],
        ClusterKey.SENDER: [message.sender_from_address],
        ClusterKey.P1_SENDER: [message.sender_mail_from_address],
        ClusterKey.SUBJECT: [message.subject_fingerprint],
        ClusterKey.BODY: [message.body_fingerprint],
        ClusterKey.URL: [u.url for u in message.urls],
        ClusterKey.URL_DOMAIN: [url_host(u.url) for u in message.urls],
        ClusterKey.ATTACHMENT: [a.sha256 for a in message.attachments],
        ClusterKey.RECIPIENT: list(message.recipients),
    }
    values: dict[ClusterKey, list[str]] = {}
    for key, candidates in raw.items():
        found = values.setdefault(key, [])
        for candidate in candidates:
            value = _NORMALIZERS[key](candidate) if candidate else None
            if value is not None and value not in found:
                found.append(value)
        if key in {ClusterKey.URL, ClusterKey.URL_DOMAIN}:
            del found[MAX_URL_KEYS:]
    for key in COMBINED_KEYS:
        first, second = (values[part] for part in key.parts)
        if first and second:
            values[key] = [f"{first[0]}{SEPARATOR}{second[0]}"]
    return [(key, value) for key, found in values.items() for value in found]


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
