"""The MIME tree walked into bodies and attachments.

A leaf part is an **attachment** when it says so (``Content-Disposition: attachment``), has a
file name, or is not text (images, applications…); otherwise ``text/plain`` and ``text/html``
leaves are **bodies**, in document order, each tagged with the ``multipart/alternative`` it
belongs to so that the reader's text takes one version of each (see the parser). Other text
leaves (calendar invites, CSV) are attachments whose links are still collected. Embedded
``message/rfc822`` parts are walked into, so a forwarded message's content is analysed.
Payloads are decoded from their transfer encoding by the standard library; a part that cannot
be decoded is kept raw and reported.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from email.message import Message

from autoir.domain.messages.message import MessageAttachment
from autoir.mime.charsets import decode_bytes
from autoir.mime.headers import decode_header_text

MAX_PARTS = 1000
MAX_NAME_CHARS = 255


@dataclass(frozen=True, slots=True)
class BodyPart:
    """One text or HTML body; ``alternative`` numbers its ``multipart/alternative`` group."""

    text: str
    is_html: bool
    alternative: int | None


@dataclass(slots=True)
class MessageParts:
    """Bodies and attachments gathered from one message."""

    bodies: list[BodyPart] = field(default_factory=list)
    attachments: list[MessageAttachment] = field(default_factory=list)
    link_texts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def collect_parts(message: Message) -> MessageParts:
    """Walk the tree (depth-first, document order) into bodies and attachments."""
    collected = MessageParts()
    alternatives = 0
    seen = 0
    # Explicit stack instead of recursion: nesting depth is chosen by the sender.
    stack: list[tuple[Message, int | None]] = [(message, None)]
    while stack:
        part, alternative = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            collected.errors.append(f"more than {MAX_PARTS} MIME parts; the rest were skipped")
            break
        try:
            if part.is_multipart():
                children = [c for c in part.get_payload() if isinstance(c, Message)]
                if part.get_content_type() == "multipart/alternative":
                    alternatives += 1
                    alternative = alternatives
                stack.extend((child, alternative) for child in reversed(children))
            else:
                _collect_leaf(part, collected, alternative)
        except Exception as exc:  # noqa: BLE001 - one broken part must not lose the others
            collected.errors.append(f"part {seen}: {type(exc).__name__}: {exc}")
    return collected


def _collect_leaf(part: Message, collected: MessageParts, alternative: int | None) -> None:
    content_type = _content_type(part)
    disposition = (part.get_content_disposition() or "").lower()
    name = _file_name(part)
    is_body = content_type in {"text/plain", "text/html"}
    if disposition == "attachment" or name or not is_body:
        payload = _payload(part)
        if content_type.startswith("text/") and content_type != "text/html":
            # Calendar invites and other text attachments carry links a reader will follow.
            collected.link_texts.append(decode_bytes(payload, _charset(part)))
        collected.attachments.append(
            MessageAttachment(
                name=name or _fallback_name(content_type, len(collected.attachments) + 1),
                content_type=content_type,
                size=len(payload),
                sha256=hashlib.sha256(payload).hexdigest(),
                payload=payload,
            )
        )
        return
    text = decode_bytes(_payload(part), _charset(part))
    collected.bodies.append(BodyPart(text, content_type == "text/html", alternative))


def _content_type(part: Message) -> str:
    try:
        content_type = part.get_content_type().lower()
    except Exception:  # noqa: BLE001 - malformed Content-Type: RFC 2045 §5.2 default
        return "text/plain"
    return content_type if "/" in content_type else "application/octet-stream"


def _charset(part: Message) -> str | None:
    try:
        charset = part.get_content_charset()
    except Exception:  # noqa: BLE001 - malformed parameters: let the decoder guess
        return None
    return str(charset) if charset else None


def _payload(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="surrogateescape")
    return b""


def _file_name(part: Message) -> str | None:
    try:
        name = part.get_filename() or part.get_param("name", header="content-type")
    except Exception:  # noqa: BLE001 - malformed RFC 2231 parameters: treat as unnamed
        return None
    if isinstance(name, tuple):  # RFC 2231 (charset, language, value) left undecoded
        name = decode_bytes(str(name[2]).encode("latin-1", errors="replace"), name[0])
    if not isinstance(name, str) or not name.strip():
        return None
    text = decode_header_text(name)
    return text.replace("/", "_").replace("\\", "_").strip()[:MAX_NAME_CHARS] or None


def _fallback_name(content_type: str, number: int) -> str:
    extension = mimetypes.guess_extension(content_type, strict=False) or ".bin"
    return f"attachment-{number}{extension}"
