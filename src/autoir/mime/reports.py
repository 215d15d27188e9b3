"""What a user reported: the suspicious message inside a report sent to the phish mailbox.

Users report by forwarding the message *as an attachment* (Outlook's and Thunderbird's "forward
as attachment", the report add-ins): the report then holds a ``message/rfc822`` part with the
original bytes, or an ``.eml`` attachment (``application/octet-stream`` named ``*.eml``). An
inline forward holds no original; mail clients then often name it in ``X-Forwarded-Message-Id``
(Thunderbird) or ``References``. :func:`read_report` returns what can be had, never raises.
"""

from __future__ import annotations

import base64
import binascii
import quopri
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser

from autoir.domain.mailflow.reports import Report
from autoir.domain.messages.message import EmailMessage
from autoir.mime.headers import first_value, parse_sender, raw_headers
from autoir.mime.parser import parse_message

MAX_REPORTED = 5
"""Messages taken from one report (a user may attach several)."""


def read_report(raw: bytes) -> Report:
    """The reporter and the reported messages of one report mail (never raises)."""
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(raw)
    except Exception:  # noqa: BLE001 - a report we cannot walk is still a report
        return Report(reporter=None)
    headers = raw_headers(message)
    from_value = first_value(headers, "from")
    sender = parse_sender(from_value) if from_value else None
    reporter = sender.address.lower() if sender is not None and sender.address else None
    attached = _attached(message)
    referenced: tuple[str, ...] = ()
    if not attached:
        forwarded = first_value(headers, "x-forwarded-message-id")
        references = (first_value(headers, "references") or "").split()
        referenced = tuple(
            dict.fromkeys(i for i in ([forwarded] if forwarded else []) + references[-1:] if i)
        )
    return Report(reporter, attached, referenced)


def _attached(message: Message) -> tuple[bytes, ...]:
    found: list[bytes] = []
    for part in message.walk():
        if len(found) >= MAX_REPORTED:
            break
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                raw = inner[0].as_bytes(policy=policy.compat32.clone(linesep="\r\n"))
                found.append(_decoded(raw, str(part.get("content-transfer-encoding", ""))))
        elif (part.get_filename() or "").lower().endswith(".eml"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                found.append(payload)
    return tuple(found)


def _decoded(raw: bytes, encoding: str) -> bytes:
    """A message/rfc822 part some clients encode anyway (RFC 2046 forbids it): decoded."""
    encoding = encoding.strip().lower()
    try:
        if encoding == "base64":
            return base64.b64decode(b"".join(raw.split()), validate=False)
        if encoding == "quoted-printable":
            return quopri.decodestring(raw)
    except (binascii.Error, ValueError):
        return raw
    return raw


class MimeReader:
    """:class:`~autoir.ports.mailboxes.MessageReader` with this package's parser."""

    def parse(
        self,
        raw: bytes,
        *,
        received_at: datetime | None,
        organisation_domains: frozenset[str],
        mailbox: str | None = None,
    ) -> EmailMessage:
        """:func:`autoir.mime.parse_message`."""
        return parse_message(
            raw,
            received_at=received_at,
            organisation_domains=organisation_domains,
            mailbox=mailbox,
        )

    def read_report(self, raw: bytes) -> Report:
        """:func:`read_report`."""
        return read_report(raw)
