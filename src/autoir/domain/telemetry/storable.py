"""Fitting a message record from any source (JSON, MIME) to what telemetry stores.

The MIME parser reads whatever a sender wrote; a 5,000-character ``From:`` or ``Message-ID:``
must not fail an ingest. Text fields are clipped to the stored sizes (noted in
``parse_errors``), the sender IP is put in canonical form (an unreadable one is dropped and
noted), and bodies and attachment payloads are left behind.
"""

from __future__ import annotations

from dataclasses import replace

from autoir.domain.messages.message import EmailMessage, MessageAttachment
from autoir.domain.telemetry.normalize import normalize_ip

MAX_NETWORK_MESSAGE_ID = 256
MAX_INTERNET_MESSAGE_ID = 998
MAX_ADDRESS = 320
MAX_DISPLAY_NAME = 512
MAX_FINGERPRINT = 128
MAX_LANGUAGE = 32


def _clip(name: str, value: str | None, limit: int, notes: list[str]) -> str | None:
    if value is None or len(value) <= limit:
        return value
    notes.append(f"{name} longer than {limit} characters was cut")
    return value[:limit]


def _fits(message: EmailMessage) -> bool:
    """Nothing to cut, convert or leave behind (the common case, checked cheaply)."""
    return (
        not message.body_text
        and message.body_html is None
        and all(a.payload is None for a in message.attachments)
        and (message.sender_ip is None or normalize_ip(message.sender_ip) == message.sender_ip)
        and all(
            value is None or len(value) <= limit
            for value, limit in (
                (message.internet_message_id, MAX_INTERNET_MESSAGE_ID),
                (message.sender_from_address, MAX_ADDRESS),
                (message.sender_display_name, MAX_DISPLAY_NAME),
                (message.sender_mail_from_address, MAX_ADDRESS),
                (message.subject_fingerprint, MAX_FINGERPRINT),
                (message.body_fingerprint, MAX_FINGERPRINT),
                (message.language, MAX_LANGUAGE),
            )
        )
    )


def storable_message(message: EmailMessage) -> EmailMessage:
    """The message as telemetry stores it (see the module docstring)."""
    if _fits(message):
        return message
    notes: list[str] = []
    ip = message.sender_ip
    if ip is not None:
        canonical = normalize_ip(ip)
        if canonical is None:
            notes.append(f"sender IP {ip[:64]!r} is not an IP address")
        ip = canonical
    fitted = replace(
        message,
        internet_message_id=_clip(
            "internetMessageId", message.internet_message_id, MAX_INTERNET_MESSAGE_ID, notes
        ),
        sender_from_address=_clip(
            "senderFromAddress", message.sender_from_address, MAX_ADDRESS, notes
        ),
        sender_display_name=_clip(
            "senderDisplayName", message.sender_display_name, MAX_DISPLAY_NAME, notes
        ),
        sender_mail_from_address=_clip(
            "senderMailFromAddress", message.sender_mail_from_address, MAX_ADDRESS, notes
        ),
        sender_ip=ip,
        subject_fingerprint=_clip(
            "subjectFingerprint", message.subject_fingerprint, MAX_FINGERPRINT, notes
        ),
        body_fingerprint=_clip("bodyFingerprint", message.body_fingerprint, MAX_FINGERPRINT, notes),
        language=_clip("language", message.language, MAX_LANGUAGE, notes),
        attachments=tuple(
            MessageAttachment(a.name, a.content_type, a.size, a.sha256) for a in message.attachments
        ),
        body_text="",
        body_html=None,
    )
    if notes:
        fitted = replace(fitted, parse_errors=(*message.parse_errors, *notes))
    return fitted
