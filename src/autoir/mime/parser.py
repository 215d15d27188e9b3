"""Raw RFC 5322 bytes to an :class:`~autoir.domain.messages.message.EmailMessage`.

Never raises: whatever cannot be read is listed in ``parse_errors`` and the rest is filled in.
A message with no header fields at all, or one the parser could not walk, comes back with the
id, the time and the error only (the ingest records it and moves on). See docs/adr for why the
standard library parser (``policy.default``) is used, with headers decoded by hand.
"""

from __future__ import annotations

import html as html_module
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser

from autoir.domain.messages.enums import EmailDirection
from autoir.domain.messages.message import EmailMessage
from autoir.mime.authentication import parse_authentication
from autoir.mime.fingerprints import body_fingerprint, subject_fingerprint
from autoir.mime.headers import (
    Mailbox,
    decode_header_text,
    first_value,
    header_values,
    parse_mailboxes,
    parse_sender,
    raw_headers,
    unfold,
)
from autoir.mime.identity import derive_copy_id, derive_network_message_id
from autoir.mime.language import declared_language, guess_language
from autoir.mime.links import collect_urls, urls_in_text
from autoir.mime.markup import HtmlContent, read_html, tidy_text
from autoir.mime.parts import BodyPart, MessageParts, collect_parts
from autoir.mime.received import received_time, sender_ip

UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
"""Received time of a message that states none and was given none (sorts first, never 'now')."""

ANALYSIS_HEADERS = (
    "from",
    "sender",
    "reply-to",
    "return-path",
    "to",
    "cc",
    "delivered-to",
    "x-original-to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "received",
    "received-spf",
    "authentication-results",
    "arc-authentication-results",
    "dkim-signature",
    "x-originating-ip",
    "x-mailer",
    "user-agent",
    "list-id",
    "list-post",
    "list-unsubscribe",
    "precedence",
    "auto-submitted",
    "content-language",
    "x-ms-exchange-organization-authas",
)
"""Headers kept on the record, in message order: what analysis and an analyst read."""
MAX_KEPT_HEADERS = 100
MAX_KEPT_HEADER_CHARS = 2000
MAX_BODY_CHARS = 1_000_000
_RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to")


def parse_message(
    raw: bytes,
    *,
    received_at: datetime | None = None,
    organisation_domains: frozenset[str] = frozenset(),
    mailbox: str | None = None,
) -> EmailMessage:
    """Parse one message; never raises.

    Args:
        raw: the message as bytes (an ``.eml`` file, an mbox entry, an IMAP ``RFC822`` fetch).
        received_at: when the mail system received it; overrides the trace headers.
        organisation_domains: the organisation's mail domains, lower-case: they decide the
            direction and which ``Received:`` hops are internal.
        mailbox: the mailbox the copy was read from: part of its network message id
            (:func:`~autoir.mime.identity.derive_copy_id`).

    Returns:
        The record, with ``parse_errors`` listing whatever could not be read.
    """
    network_message_id = derive_copy_id(mailbox, raw) if mailbox else derive_network_message_id(raw)
    domains = frozenset(domain.lower().strip(".") for domain in organisation_domains)
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        return _read(message, network_message_id, received_at, domains)
    except Exception as exc:  # noqa: BLE001 - the contract: an unparseable message is a record
        return EmailMessage(
            network_message_id=network_message_id,
            received_at=_aware(received_at) or UNKNOWN_TIME,
            subject="",
            parse_errors=(f"unparseable message: {type(exc).__name__}: {exc}",),
        )


def _read(
    message: Message,
    network_message_id: str,
    received_at: datetime | None,
    organisation_domains: frozenset[str],
) -> EmailMessage:
    headers = raw_headers(message)
    errors: list[str] = []
    if not headers:
        errors.append("not an RFC 5322 message: no header fields")
    parts = collect_parts(message) if headers else MessageParts()
    errors.extend(parts.errors)
    rendered = [_render(body) for body in parts.bodies]
    html = "\n".join(body.text for body in parts.bodies if body.is_html and body.text.strip())
    body_text = _body_text(parts.bodies, rendered)
    sender = _sender(headers, "From")
    mail_from = _sender(headers, "Return-Path") or _sender(headers, "Sender")
    recipients = _recipients(headers)
    subject = decode_header_text(first_value(headers, "Subject") or "")
    time = _aware(received_at) or received_time(headers)
    if time is None:
        errors.append("no received time: neither Received nor Date has a readable date")
        time = UNKNOWN_TIME
    urls = collect_urls(
        [link for content in rendered if content is not None for link in content.links],
        [url for text in (body_text, *parts.link_texts) for url in urls_in_text(text)],
    )
    language = declared_language(first_value(headers, "Content-Language")) or guess_language(
        body_text
    )
    return EmailMessage(
        network_message_id=network_message_id,
        received_at=time,
        subject=subject,
        internet_message_id=_message_id(first_value(headers, "Message-ID")),
        sender_from_address=sender.address if sender else None,
        sender_display_name=(sender.display_name or None) if sender else None,
        sender_mail_from_address=mail_from.address if mail_from else None,
        sender_ip=sender_ip(headers, organisation_domains),
        reply_to=tuple(
            dict.fromkeys(
                mailbox.address
                for value in header_values(headers, "Reply-To")
                for mailbox in parse_mailboxes(value)
            )
        ),
        recipients=recipients,
        direction=_direction(sender, recipients, organisation_domains),
        urls=urls,
        attachments=tuple(parts.attachments),
        authentication=parse_authentication(headers),
        headers=_kept_headers(headers),
        subject_fingerprint=subject_fingerprint(subject),
        body_fingerprint=body_fingerprint(body_text),
        body_text=body_text,
        body_html=html[:MAX_BODY_CHARS] if html.strip() else None,
        language=language,
        parse_errors=tuple(errors),
    )


def _render(body: BodyPart) -> HtmlContent | None:
    return read_html(body.text) if body.is_html and body.text.strip() else None


def _body_text(bodies: list[BodyPart], rendered: list[HtmlContent | None]) -> str:
    """What a reader sees, in order; of ``multipart/alternative`` twins, the plain text.

    The HTML twin is used when the plain one is empty (some mailers send a blank one).
    """
    texts: list[str] = []
    chosen: dict[int, int] = {}  # alternative group -> index in texts
    for body, content in zip(bodies, rendered, strict=True):
        # Plain-text parts of HTML-first mailers often carry entities (&eacute;) verbatim.
        text = content.text if content else tidy_text(html_module.unescape(body.text))
        if not text:
            continue
        if body.alternative is None:
            texts.append(text)
        elif body.alternative not in chosen:
            chosen[body.alternative] = len(texts)
            texts.append(text)
        elif not body.is_html:
            texts[chosen[body.alternative]] = text
    return "\n\n".join(texts)[:MAX_BODY_CHARS]


def _sender(headers: list[tuple[str, str]], name: str) -> Mailbox | None:
    value = first_value(headers, name)
    return parse_sender(value) if value else None


def _recipients(headers: list[tuple[str, str]]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for name in _RECIPIENT_HEADERS:
        for value in header_values(headers, name):
            for mailbox in parse_mailboxes(value):
                found.setdefault(mailbox.address)
    return tuple(found)


def _message_id(value: str | None) -> str | None:
    if not value:
        return None
    text = unfold(decode_header_text(value))
    return text or None


def _direction(
    sender: Mailbox | None, recipients: tuple[str, ...], organisation_domains: frozenset[str]
) -> EmailDirection:
    if not organisation_domains or sender is None:
        return EmailDirection.UNKNOWN
    sender_internal = _is_internal(sender.address, organisation_domains)
    internal = [_is_internal(address, organisation_domains) for address in recipients]
    if sender_internal:
        return EmailDirection.INTRAORG if internal and all(internal) else EmailDirection.OUTBOUND
    return EmailDirection.INBOUND if any(internal) else EmailDirection.UNKNOWN


def _is_internal(address: str, organisation_domains: frozenset[str]) -> bool:
    domain = address.rsplit("@", 1)[-1]
    return any(domain == d or domain.endswith(f".{d}") for d in organisation_domains)


def _kept_headers(headers: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    kept = [
        (name, decode_header_text(value)[:MAX_KEPT_HEADER_CHARS])
        for name, value in headers
        if name.lower() in ANALYSIS_HEADERS
    ]
    return tuple(kept[:MAX_KEPT_HEADERS])


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
