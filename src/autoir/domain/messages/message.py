"""The email message record: what telemetry stores and what the email analyzers read.

One :class:`EmailMessage` per (network message id) copy as delivered. Parsers fill every field
they can; bodies and attachment payloads are carried for analysis and are not stored in the
telemetry table (only names, types, sizes and hashes are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from autoir.domain.messages.enums import (
    AuthResult,
    DeliveryAction,
    DeliveryLocation,
    EmailDirection,
)


@dataclass(frozen=True, slots=True)
class MessageUrl:
    """A URL found in the message; ``display_text`` is the anchor text when it came from HTML."""

    url: str
    display_text: str | None = None


@dataclass(frozen=True, slots=True)
class MessageAttachment:
    """An attachment; ``payload`` is present only while the message is being analysed."""

    name: str
    content_type: str
    size: int
    sha256: str
    payload: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class SenderAuthentication:
    """SPF / DKIM / DMARC / composite-auth results, ``None`` when the headers did not say."""

    spf: AuthResult | None = None
    dkim: AuthResult | None = None
    dmarc: AuthResult | None = None
    compauth: AuthResult | None = None


@dataclass(frozen=True, slots=True)
class EmailMessage:
    """One delivered copy of a message, with the fields cluster pivots and analyzers need.

    ``sender_from_address`` is the P2 sender (RFC 5322 ``From:``), ``sender_mail_from_address``
    the P1 sender (RFC 5321 ``MAIL FROM``, seen as ``Return-Path:``). Addresses are lower-case.
    ``subject_fingerprint`` and ``body_fingerprint`` are the similarity keys of reference §2.5.
    """

    network_message_id: str
    received_at: datetime
    subject: str
    internet_message_id: str | None = None
    sender_from_address: str | None = None
    sender_display_name: str | None = None
    sender_mail_from_address: str | None = None
    sender_ip: str | None = None
    reply_to: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    direction: EmailDirection = EmailDirection.UNKNOWN
    delivery_action: DeliveryAction = DeliveryAction.UNKNOWN
    delivery_location: DeliveryLocation = DeliveryLocation.UNKNOWN
    urls: tuple[MessageUrl, ...] = ()
    attachments: tuple[MessageAttachment, ...] = ()
    authentication: SenderAuthentication = SenderAuthentication()
    headers: tuple[tuple[str, str], ...] = ()
    subject_fingerprint: str | None = None
    body_fingerprint: str | None = None
    body_text: str = field(default="", repr=False, compare=False)
    body_html: str | None = field(default=None, repr=False, compare=False)
    language: str | None = None
    parse_errors: tuple[str, ...] = ()
    folder: str | None = None
    """The mailbox folder the copy was last read in (``Inbox``, ``Archive``, ``Projets/Reçus``…),
    when it came from the mail server; its delivery location says what kind of place that is."""

    @property
    def sender_domain(self) -> str | None:
        """Domain of the P2 sender, lower-case."""
        address = self.sender_from_address
        if not address or "@" not in address:
            return None
        return address.rsplit("@", 1)[1]
