"""Row ↔ record conversions of the telemetry tables."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

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
from autoir.domain.telemetry.clicks import UrlClick, UrlClickAction
from autoir.domain.telemetry.clusters import message_keys
from autoir.domain.telemetry.endpoint import EndpointEvent, parse_endpoint_event
from autoir.domain.telemetry.signins import SignIn, SignInLocation
from autoir.storage.database import from_db_time, to_db_time
from autoir.storage.repositories.rows import dumps, loads
from autoir.storage.telemetry_tables import (
    ACTION_CODES,
    KEY_CODES,
    LOCATION_CODES,
    MAX_KEY_VALUE,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MESSAGE_COLUMNS = (
    "id",
    "network_message_id",
    "internet_message_id",
    "received_at",
    "ingested_at",
    "subject",
    "sender_from_address",
    "sender_display_name",
    "sender_mail_from_address",
    "sender_ip",
    "direction",
    "delivery_action",
    "delivery_location",
    "subject_fingerprint",
    "body_fingerprint",
    "language",
    "document",
)
KEY_COLUMNS = ("kind", "value", "received_us", "message_id", "location", "action")


def index_value(value: str) -> str:
    """The value as stored in an index column: itself, or a digest when it is too long."""
    if len(value) <= MAX_KEY_VALUE:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def micros(value: datetime) -> int:
    """Microseconds since 1970 of an aware (or naive UTC) time, exactly."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def message_row(message: EmailMessage, message_id: int, now: datetime) -> tuple[object, ...]:
    """An ``email_messages`` row in :data:`MESSAGE_COLUMNS` order."""
    auth = message.authentication
    document = {
        "recipients": list(message.recipients),
        "replyTo": list(message.reply_to),
        "urls": [[u.url, u.display_text] for u in message.urls],
        "attachments": [[a.name, a.content_type, a.size, a.sha256] for a in message.attachments],
        "authentication": [
            r.value if r else None for r in (auth.spf, auth.dkim, auth.dmarc, auth.compauth)
        ],
        "headers": [list(h) for h in message.headers],
        "parseErrors": list(message.parse_errors),
    }
    if message.folder is not None:
        document["folder"] = message.folder
    return (
        message_id,
        message.network_message_id,
        message.internet_message_id,
        to_db_time(message.received_at),
        to_db_time(now),
        message.subject,
        message.sender_from_address,
        message.sender_display_name,
        message.sender_mail_from_address,
        message.sender_ip,
        message.direction.value,
        message.delivery_action.value,
        message.delivery_location.value,
        message.subject_fingerprint,
        message.body_fingerprint,
        message.language,
        dumps(document),
    )


def key_rows(message: EmailMessage, message_id: int) -> list[tuple[object, ...]]:
    """The message's ``email_message_keys`` rows in :data:`KEY_COLUMNS` order."""
    received = micros(message.received_at)
    location = LOCATION_CODES[message.delivery_location]
    action = ACTION_CODES[message.delivery_action]
    rows: dict[tuple[int, str], tuple[object, ...]] = {}
    for key, value in message_keys(message):
        stored = (KEY_CODES[key], index_value(value))
        rows[stored] = (*stored, received, message_id, location, action)
    return list(rows.values())


def message_from_row(row: Row[Any]) -> EmailMessage:
    """The stored message (without bodies or attachment payloads)."""
    doc = loads(row.document)
    spf, dkim, dmarc, compauth = (AuthResult(v) if v else None for v in doc["authentication"])
    return EmailMessage(
        network_message_id=row.network_message_id,
        received_at=from_db_time(row.received_at),
        subject=row.subject,
        internet_message_id=row.internet_message_id,
        sender_from_address=row.sender_from_address,
        sender_display_name=row.sender_display_name,
        sender_mail_from_address=row.sender_mail_from_address,
        sender_ip=row.sender_ip,
        reply_to=tuple(doc["replyTo"]),
        recipients=tuple(doc["recipients"]),
        direction=EmailDirection(row.direction),
        delivery_action=DeliveryAction(row.delivery_action),
        delivery_location=DeliveryLocation(row.delivery_location),
        urls=tuple(MessageUrl(url, display) for url, display in doc["urls"]),
        attachments=tuple(
            MessageAttachment(name, kind, size, sha) for name, kind, size, sha in doc["attachments"]
        ),
        authentication=SenderAuthentication(spf, dkim, dmarc, compauth),
        headers=tuple((name, value) for name, value in doc["headers"]),
        subject_fingerprint=row.subject_fingerprint,
        body_fingerprint=row.body_fingerprint,
        language=row.language,
        parse_errors=tuple(doc["parseErrors"]),
        folder=doc.get("folder"),
    )


def click_row(click: UrlClick) -> tuple[object, ...]:
    """A ``url_clicks`` row in :data:`CLICK_COLUMNS` order."""
    return (
        click.id,
        click.user,
        click.url,
        index_value(click.url),
        click.action.value,
        click.app_name,
        click.network_message_id,
        click.user_ip,
        to_db_time(click.clicked_at),
    )


CLICK_COLUMNS = (
    "click_id",
    "user_id",
    "url",
    "url_key",
    "action",
    "app_name",
    "network_message_id",
    "user_ip",
    "clicked_at",
)


def click_from_row(row: Row[Any]) -> UrlClick:
    """A stored click."""
    return UrlClick(
        id=row.click_id,
        user=row.user_id,
        url=row.url,
        clicked_at=from_db_time(row.clicked_at),
        action=UrlClickAction(row.action),
        app_name=row.app_name,
        network_message_id=row.network_message_id,
        user_ip=row.user_ip,
    )


EVENT_COLUMNS = (
    "event_id",
    "device_id",
    "occurred_at",
    "kind",
    "action_type",
    "sha256",
    "document",
)


def event_row(event: EndpointEvent) -> tuple[object, ...]:
    """An ``endpoint_events`` row in :data:`EVENT_COLUMNS` order."""
    return (
        event.id,
        event.device_id,
        to_db_time(event.time),
        event.kind.value,
        event.action_type,
        event.sha256,
        dumps(event.to_json()),
    )


def event_from_row(row: Row[Any]) -> EndpointEvent:
    """A stored event, read back through the ingest format's own parser."""
    errors: list[FieldError] = []
    event = parse_endpoint_event(loads(row.document), f"endpoint_events[{row.event_id}]", errors)
    if event is None:  # pragma: no cover - only rows this module wrote are read
        raise ValueError(f"stored endpoint event {row.event_id} is unreadable: {errors}")
    return event


SIGN_IN_COLUMNS = (
    "sign_in_id",
    "user_principal_name",
    "signed_in_at",
    "success",
    "error_code",
    "failure_reason",
    "ip_address",
    "country",
    "state",
    "city",
    "latitude",
    "longitude",
    "application",
    "client_app",
    "user_agent",
    "device_id",
    "device_name",
    "operating_system",
)


def sign_in_row(sign_in: SignIn) -> tuple[object, ...]:
    """A ``sign_ins`` row in :data:`SIGN_IN_COLUMNS` order."""
    loc = sign_in.location
    return (
        sign_in.id,
        sign_in.user,
        to_db_time(sign_in.time),
        sign_in.success,
        sign_in.error_code,
        sign_in.failure_reason,
        sign_in.ip,
        loc.country,
        loc.state,
        loc.city,
        loc.latitude,
        loc.longitude,
        sign_in.application,
        sign_in.client_app,
        sign_in.user_agent,
        sign_in.device_id,
        sign_in.device_name,
        sign_in.operating_system,
    )


def sign_in_from_row(row: Row[Any]) -> SignIn:
    """A stored sign-in."""
    return SignIn(
        id=row.sign_in_id,
        user=row.user_principal_name,
        time=from_db_time(row.signed_in_at),
        success=bool(row.success),
        error_code=row.error_code,
        failure_reason=row.failure_reason,
        ip=row.ip_address,
        location=SignInLocation(
            country=row.country,
            city=row.city,
            state=row.state,
            latitude=row.latitude,
            longitude=row.longitude,
        ),
        application=row.application,
        client_app=row.client_app,
        user_agent=row.user_agent,
        device_id=row.device_id,
        device_name=row.device_name,
        operating_system=row.operating_system,
    )
