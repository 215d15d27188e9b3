"""Builders of messages, attachments and contexts for analyzer tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from autoir.domain.messages.enums import AuthResult
from autoir.domain.messages.message import (
    EmailMessage,
    MessageAttachment,
    MessageUrl,
    SenderAuthentication,
)
from autoir.ports.analyzer import AnalysisContext

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def context(**overrides: object) -> AnalysisContext:
    values: dict[str, object] = {"now": NOW, "organisation_domains": frozenset({"contoso.com"})}
    values.update(overrides)
    return AnalysisContext(**values)


def email(**overrides: object) -> EmailMessage:
    values: dict[str, object] = {
        "network_message_id": "00000000-0000-0000-0000-000000000001",
        "received_at": NOW,
        "subject": "Minutes of Tuesday's meeting",
        "sender_from_address": "alice@fabrikam.com",
        "sender_display_name": "Alice Martin",
        "recipients": ("bob@contoso.com",),
        "body_text": "Hi Bob, attached are the minutes. See you next week. Alice",
        "authentication": SenderAuthentication(
            spf=AuthResult.PASS, dkim=AuthResult.PASS, dmarc=AuthResult.PASS
        ),
    }
    values.update(overrides)
    return EmailMessage(**values)


def url(address: str, text: str | None = None) -> MessageUrl:
    return MessageUrl(address, text)


def attachment(
    name: str, payload: bytes, content_type: str = "application/octet-stream"
) -> MessageAttachment:
    return MessageAttachment(
        name, content_type, len(payload), hashlib.sha256(payload).hexdigest(), payload
    )
