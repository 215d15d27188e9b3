"""Stored messages and attachment quarantine: the copy whose attachments become a text notice."""

from __future__ import annotations

import email
import hashlib
from dataclasses import dataclass, replace
from email import policy
from email.message import EmailMessage

Attachment = tuple[str, bytes]
"""An attachment: file name and content."""


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One copy of a message in a mailbox: its ids, its bytes and its attachments."""

    network_message_id: str
    internet_message_id: str
    raw: bytes
    attachments: tuple[Attachment, ...] = ()


def attachments_in(raw: bytes) -> tuple[Attachment, ...]:
    """The attachments of a MIME message (parts with a file name or ``attachment`` disposition)."""
    parsed = email.message_from_bytes(raw, policy=policy.default)
    found: list[Attachment] = []
    for part in parsed.walk():
        if part.is_multipart() or not _is_attachment(part):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        found.append((part.get_filename() or "attachment", data))
    return tuple(found)


def notice_for(name: str, data: bytes) -> bytes:
    """The text that replaces a quarantined attachment."""
    digest = hashlib.sha256(data).hexdigest()
    return (
        f"The attachment {name!r} (SHA-256 {digest}, {len(data)} bytes) was quarantined by "
        "your security team. Ask them to release it if you need it.\n"
    ).encode()


def without_attachments(message: StoredMessage) -> StoredMessage:
    """A copy of ``message`` whose attachments are each replaced by a text notice.

    The MIME parts are rewritten too when the message is multipart, so that a mail client
    reading the copy sees the notices, not the attachments.
    """
    notices = tuple((f"{name}.txt", notice_for(name, data)) for name, data in message.attachments)
    return replace(message, raw=_strip_parts(message.raw), attachments=notices)


def _strip_parts(raw: bytes) -> bytes:
    parsed = email.message_from_bytes(raw, policy=policy.default)
    if not parsed.is_multipart():
        return raw
    changed = False
    for part in parsed.walk():
        if part.is_multipart() or not _is_attachment(part):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        name = part.get_filename() or "attachment"
        part.set_content(
            notice_for(name, data).decode(), disposition="attachment", filename=f"{name}.txt"
        )
        changed = True
    return parsed.as_bytes() if changed else raw


def _is_attachment(part: EmailMessage) -> bool:
    return part.get_content_disposition() == "attachment" or part.get_filename() is not None
