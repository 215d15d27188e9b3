"""Raw-message helpers: identity, the admin store's envelope, attachment stripping (stdlib email).

Identity: a copy read by the mailbox scanner has the id :func:`~autoir.mime.identity.
derive_copy_id` of its mailbox and bytes; a message known from elsewhere (a file, the API) has
:func:`~autoir.mime.identity.derive_network_message_id` of its bytes: a copy answers to both
(:func:`identities`). A copy whose attachments were quarantined carries the id it was acted on
by in ``X-AutoIR-Network-Message-Id`` (its bytes changed, it is still the same delivery).

Envelope: a copy kept in the admin store is ``X-AutoIR-Store: 1; lines=N`` followed by ``N``
``X-AutoIR-*`` header lines (where it came from, until when it is kept) and then the original
bytes unchanged; :func:`unwrap` takes exactly those lines off again.
"""

from __future__ import annotations

import email
import hashlib
import re
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from urllib.parse import quote, unquote

from autoir.mime.identity import derive_copy_id, derive_network_message_id

IDENTITY_HEADER = "X-AutoIR-Network-Message-Id"
STRIPPED_HEADER = "X-AutoIR-Attachments-Quarantined"
_STORE_FIRST = b"X-AutoIR-Store: 1; lines="
_CRLF = b"\r\n"
_FOLDING = re.compile(rb"\r?\n[ \t]+")


def _header_block(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    return raw if end < 0 else raw[:end]


def header(raw: bytes, name: str) -> str | None:
    """The first value of a header of the message, unfolded (RFC 5322 §2.2.3); None when absent.

    Folding is common in real mail: Outlook writes ``Message-ID:`` alone on its line and the
    id on the next.
    """
    pattern = rb"^" + re.escape(name.encode()) + rb":((?:[^\r\n]*)(?:\r?\n[ \t][^\r\n]*)*)"
    match = re.search(pattern, _header_block(raw), re.IGNORECASE | re.MULTILINE)
    if match is None:
        return None
    return _FOLDING.sub(b" ", match.group(1)).decode(errors="replace").strip()


def network_message_id(raw: bytes) -> str:
    """The network message id of bytes known from elsewhere (see the module docstring)."""
    return header(raw, IDENTITY_HEADER) or derive_network_message_id(raw)


def copy_id(raw: bytes, mailbox: str) -> str:
    """The id the mailbox scanner gives this copy of ``mailbox``."""
    return header(raw, IDENTITY_HEADER) or derive_copy_id(mailbox, raw)


def identities(raw: bytes, mailbox: str) -> frozenset[str]:
    """Every network message id this copy of ``mailbox`` answers to."""
    marked = header(raw, IDENTITY_HEADER)
    if marked:
        return frozenset({marked})
    return frozenset({derive_network_message_id(raw), derive_copy_id(mailbox, raw)})


def internet_message_id(raw: bytes) -> str | None:
    """The Message-ID header without its angle brackets, None when absent."""
    value = header(raw, "Message-ID")
    return bare(value) if value else None


def bare(message_id: str) -> str:
    """``<id@host>`` → ``id@host``."""
    return message_id.strip().strip("<>").strip()


def is_stripped(raw: bytes) -> bool:
    """Whether this copy is one whose attachments were quarantined."""
    return header(raw, STRIPPED_HEADER) is not None


# --- the admin store's envelope ---------------------------------------------------------------


def wrap(fields: Mapping[str, str], raw: bytes) -> bytes:
    """``raw`` behind the ``X-AutoIR-*`` lines of ``fields`` (values URL-quoted)."""
    lines = [
        f"X-AutoIR-{name}: {quote(value, safe='@<>.:-_+=/ ')}".encode()
        for name, value in fields.items()
    ]
    first = _STORE_FIRST + str(len(lines)).encode()
    return _CRLF.join([first, *lines]) + _CRLF + raw


def unwrap(stored: bytes) -> tuple[dict[str, str], bytes] | None:
    """The fields and original bytes of a stored copy, None when it is not one."""
    if not stored.startswith(_STORE_FIRST):
        return None
    head, _, rest = stored.partition(_CRLF)
    try:
        count = int(head[len(_STORE_FIRST) :])
    except ValueError:
        return None
    fields: dict[str, str] = {}
    for _ in range(count):
        line, _, rest = rest.partition(_CRLF)
        name, _, value = line.decode(errors="replace").partition(":")
        fields[name.removeprefix("X-AutoIR-")] = unquote(value.strip())
    return fields, rest


# --- attachments ------------------------------------------------------------------------------


def _parse(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _is_attachment(part: EmailMessage) -> bool:
    return part.get_content_disposition() == "attachment" or part.get_filename() is not None


def attachments(raw: bytes) -> list[tuple[str, bytes]]:
    """(file name, bytes) of each attachment part."""
    found: list[tuple[str, bytes]] = []
    for part in _parse(raw).walk():
        if isinstance(part, EmailMessage) and not part.is_multipart() and _is_attachment(part):
            payload = part.get_payload(decode=True)
            found.append(
                (
                    part.get_filename() or "attachment",
                    payload if isinstance(payload, bytes) else b"",
                )
            )
    return found


def notice_for(name: str, data: bytes) -> str:
    """The text that replaces a quarantined attachment."""
    digest = hashlib.sha256(data).hexdigest()
    return (
        f"The attachment {name!r} (SHA-256 {digest}, {len(data)} bytes) was quarantined by "
        "your security team. Ask them to release it if you need it.\n"
    )


def strip_attachments(raw: bytes, network_id: str, action_id: str) -> tuple[bytes, int]:
    """A copy whose attachments are text notices, marked with its identity; and how many.

    Only multipart messages are rewritten; ``(raw, 0)`` otherwise.
    """
    parsed = _parse(raw)
    if not parsed.is_multipart():
        return raw, 0
    count = 0
    for part in parsed.walk():
        if not isinstance(part, EmailMessage) or part.is_multipart() or not _is_attachment(part):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        name = part.get_filename() or "attachment"
        part.set_content(notice_for(name, data), disposition="attachment", filename=f"{name}.txt")
        count += 1
    if not count:
        return raw, 0
    parsed[IDENTITY_HEADER] = network_id
    parsed[STRIPPED_HEADER] = action_id
    return parsed.as_bytes(policy=policy.SMTP), count
