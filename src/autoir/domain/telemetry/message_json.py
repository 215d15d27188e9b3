"""Email message events as JSON: validation into an :class:`EmailMessage`, and back.

Field names follow Defender ``EmailEvents`` and Graph ``analyzedMessageEvidence`` in camelCase
(``docs/telemetry.md`` lists them). One event describes one delivered copy, keyed by its
``networkMessageId``; sending it again replaces the stored copy (e.g. a newer delivery location).
"""

from __future__ import annotations

from typing import Any

from autoir.domain.errors import FieldError
from autoir.domain.messages.enums import (
    AuthResult,
    DeliveryAction,
    DeliveryLocation,
    EmailDirection,
)
from autoir.domain.messages.message import (
    EmailMessage,
    MessageAttachment,
    MessageUrl,
    SenderAuthentication,
)
from autoir.domain.telemetry.normalize import normalize_url
from autoir.domain.telemetry.reader import FieldReader
from autoir.domain.telemetry.subjects import subject_fingerprint
from autoir.domain.timestamps import format_timestamp

MAX_URLS = 1000
MAX_ATTACHMENTS = 500
MAX_HEADERS = 500
# Defender EmailEvents spellings (lower-cased) of the Graph values.
LOCATION_ALIASES = {
    "inbox/folder": DeliveryLocation.INBOX,
    "junk folder": DeliveryLocation.JUNK_FOLDER,
    "deleted items": DeliveryLocation.DELETED_FOLDER,
    "deleted folder": DeliveryLocation.DELETED_FOLDER,
    "on-premises/external": DeliveryLocation.EXTERNAL,
    "on-prem/external": DeliveryLocation.EXTERNAL,
}


def parse_message_event(
    payload: object, target: str, errors: list[FieldError]
) -> EmailMessage | None:
    """Check one message event; return the record, or None after appending its field errors."""
    if not isinstance(payload, dict):
        errors.append(FieldError(target, "must be a JSON object"))
        return None
    r = FieldReader(payload, target, errors)
    network_id = r.string("networkMessageId", max_length=256)
    r.require("networkMessageId", network_id)
    received = r.time("receivedDateTime")
    r.require("receivedDateTime", received)
    subject = r.text("subject")
    sender_ip = r.ip("senderIPv4") or r.ip("senderIPv6")
    sender = r.address("senderFromAddress")
    fields: dict[str, Any] = {
        "internet_message_id": r.string("internetMessageId", max_length=998),
        "sender_from_address": sender,
        "sender_display_name": r.string("senderDisplayName", max_length=512),
        "sender_mail_from_address": r.address("senderMailFromAddress"),
        "sender_ip": sender_ip,
        "reply_to": r.addresses("replyTo", max_items=100),
        "recipients": r.addresses("recipientEmailAddress"),
        "direction": r.enum("antiSpamDirection", EmailDirection) or EmailDirection.UNKNOWN,
        "delivery_action": r.enum("deliveryAction", DeliveryAction) or DeliveryAction.UNKNOWN,
        "delivery_location": r.enum("deliveryLocation", DeliveryLocation, LOCATION_ALIASES)
        or DeliveryLocation.UNKNOWN,
        "folder": r.string("folder", max_length=1000),
        "urls": _urls(r),
        "attachments": _attachments(r),
        "authentication": _authentication(r),
        "headers": _headers(r),
        "subject_fingerprint": _lower(r.string("subjectFingerprint", max_length=128))
        or subject_fingerprint(subject),
        "body_fingerprint": _lower(r.string("bodyFingerprint", max_length=128)),
        "language": r.string("language", max_length=32),
    }
    if not r.ok or network_id is None or received is None:
        return None
    return EmailMessage(
        network_message_id=network_id.strip(), received_at=received, subject=subject, **fields
    )


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if value else None


def _urls(r: FieldReader) -> tuple[MessageUrl, ...]:
    found: list[MessageUrl] = []
    seen: set[str] = set()
    for path, item in r.items("urls", max_items=MAX_URLS):
        url: str | None
        display: str | None
        if isinstance(item, str):
            url, display = item, None
        elif isinstance(item, dict):
            child = FieldReader(item, path, r.errors)
            url, display = child.string("url", max_length=8192), child.string("displayText")
            child.require("url", url)
        else:
            r.errors.append(FieldError(path, "must be a URL string or {url, displayText}"))
            continue
        if url and url.strip():
            normal = normalize_url(url)
            if normal not in seen:
                seen.add(normal)
                found.append(MessageUrl(normal, display))
    return tuple(found)


def _attachments(r: FieldReader) -> tuple[MessageAttachment, ...]:
    found: list[MessageAttachment] = []
    for path, item in r.items("attachments", max_items=MAX_ATTACHMENTS):
        if not isinstance(item, dict):
            r.errors.append(FieldError(path, "must be a JSON object"))
            continue
        child = FieldReader(item, path, r.errors)
        sha256 = child.sha256("sha256")
        child.require("sha256", sha256)
        name = child.string("fileName", max_length=1024) or ""
        file_type = child.string("fileType", max_length=256) or ""
        size = child.integer("fileSize") or 0
        if sha256 is not None:
            found.append(MessageAttachment(name, file_type, size, sha256))
    return tuple(found)


def _authentication(r: FieldReader) -> SenderAuthentication:
    child = r.child("authentication")
    if child is None:
        return SenderAuthentication()
    # Defender writes SPF/DKIM/DMARC/CompAuth: accept any case of the four names.
    by_lower = {str(k).lower(): k for k in child.payload}
    results = {}
    for name in ("spf", "dkim", "dmarc", "compauth"):
        key = by_lower.get(name)
        results[name] = child.enum(key, AuthResult) if key is not None else None
    return SenderAuthentication(**results)


def _headers(r: FieldReader) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for path, item in r.items("headers", max_items=MAX_HEADERS):
        if not isinstance(item, dict):
            r.errors.append(FieldError(path, "must be a {name, value} object"))
            continue
        child = FieldReader(item, path, r.errors)
        name = child.string("name", max_length=256)
        child.require("name", name)
        value = child.text("value", max_length=16 * 1024)
        if name is not None:
            found.append((name, value))
    return tuple(found)


def authentication_json(auth: SenderAuthentication) -> dict[str, str | None]:
    """SPF / DKIM / DMARC / compauth results by name (None where the headers did not say)."""
    return {
        name: value.value if value else None
        for name, value in (
            ("spf", auth.spf),
            ("dkim", auth.dkim),
            ("dmarc", auth.dmarc),
            ("compauth", auth.compauth),
        )
    }


def message_to_json(message: EmailMessage) -> dict[str, Any]:
    """The stored message event in the format it is ingested in, plus derived properties."""
    ip = message.sender_ip
    auth = message.authentication
    return {
        "networkMessageId": message.network_message_id,
        "internetMessageId": message.internet_message_id,
        "receivedDateTime": format_timestamp(message.received_at),
        "subject": message.subject,
        "senderFromAddress": message.sender_from_address,
        "senderDisplayName": message.sender_display_name,
        "senderMailFromAddress": message.sender_mail_from_address,
        "senderFromDomain": message.sender_domain,
        "senderIPv4": ip if ip and ":" not in ip else None,
        "senderIPv6": ip if ip and ":" in ip else None,
        "replyTo": list(message.reply_to),
        "recipientEmailAddress": list(message.recipients),
        "antiSpamDirection": message.direction.value,
        "deliveryAction": message.delivery_action.value,
        "deliveryLocation": message.delivery_location.value,
        "folder": message.folder,
        "urls": [
            {"url": u.url, "displayText": u.display_text} if u.display_text else {"url": u.url}
            for u in message.urls
        ],
        "urlCount": len(message.urls),
        "attachments": [
            {"fileName": a.name, "fileType": a.content_type, "fileSize": a.size, "sha256": a.sha256}
            for a in message.attachments
        ],
        "attachmentCount": len(message.attachments),
        "authentication": authentication_json(auth),
        "headers": [{"name": n, "value": v} for n, v in message.headers],
        "subjectFingerprint": message.subject_fingerprint,
        "bodyFingerprint": message.body_fingerprint,
        "language": message.language,
        "parseErrors": list(message.parse_errors),
    }
