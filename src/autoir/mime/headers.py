"""Header values and addresses, decoded without trusting the sender to follow the RFCs.

Headers are read raw (``Message.raw_items``) and decoded here: RFC 2047 encoded words in any
charset (unknown ones fall back, see :mod:`autoir.mime.charsets`), 8-bit bytes sent without
encoding, folded lines. Addresses come from the raw value so that a display name holding
``<``, ``,`` or ``@`` cannot shift them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses

from autoir.mime.charsets import decode_bytes, recover_text

_WHITESPACE = re.compile(r"\s+")
_ADDR_SPEC = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_ANGLE_ADDR = re.compile(r"<\s*([^<>\s]+@[^<>\s]+)\s*>")
MAX_HEADER_CHARS = 4000


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One address with its decoded display name (empty when there is none)."""

    address: str
    display_name: str = ""


def raw_headers(message: Message) -> list[tuple[str, str]]:
    """``(name, raw value)`` pairs in message order; names as written."""
    return [(str(name), str(value)) for name, value in message.raw_items()]


def header_values(headers: list[tuple[str, str]], name: str) -> list[str]:
    """All raw values of header ``name`` (case-insensitive), top-most first."""
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


def first_value(headers: list[tuple[str, str]], name: str) -> str | None:
    """The top-most raw value of header ``name``."""
    values = header_values(headers, name)
    return values[0] if values else None


def unfold(value: str) -> str:
    """One line, single spaces."""
    return _WHITESPACE.sub(" ", value).strip()


def decode_header_text(raw: str) -> str:
    """Decode RFC 2047 encoded words and stray 8-bit bytes into one line of text."""
    text = recover_text(raw)
    try:
        chunks = decode_header(text)
    except Exception:  # noqa: BLE001 - malformed encoded words: keep the text as written
        return unfold(text)[:MAX_HEADER_CHARS]
    parts: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
        elif charset is None:
            # decode_header hands back the unencoded stretches as raw-unicode-escape bytes.
            parts.append(chunk.decode("raw-unicode-escape", errors="replace"))
        else:
            parts.append(decode_bytes(chunk, charset))
    return unfold("".join(parts))[:MAX_HEADER_CHARS]


def parse_mailboxes(raw: str) -> list[Mailbox]:
    """Every address in an address-list header, lower-cased, with decoded display names."""
    text = recover_text(raw).replace("\r", " ").replace("\n", " ")
    found: list[Mailbox] = []
    try:
        pairs = getaddresses([text])
    except Exception:  # noqa: BLE001 - the stdlib parser gives up on some garbage
        pairs = []
    for name, address in pairs:
        cleaned = _clean_address(address)
        if cleaned:
            found.append(Mailbox(cleaned, _display_name(name)))
    if found:
        return found
    return [Mailbox(match.lower()) for match in _ADDR_SPEC.findall(text)]


def parse_sender(raw: str) -> Mailbox | None:
    """The one mailbox of a ``From:``-like header, tolerating a quoted address as the name.

    ``"PayPal <service@paypal.com>" <x@evil.example>`` sends from ``x@evil.example``: the
    address in the last angle brackets wins, as a mail client shows it.
    """
    text = recover_text(raw).replace("\r", " ").replace("\n", " ")
    angle = list(_ANGLE_ADDR.finditer(text))
    if angle:
        last = angle[-1]
        address = _clean_address(last.group(1))
        if address:
            name = text[: last.start()].strip()
            return Mailbox(address, _display_name(name))
    mailboxes = parse_mailboxes(raw)
    return mailboxes[0] if mailboxes else None


def _display_name(name: str) -> str:
    name = decode_header_text(name).strip().strip("\"'").strip()
    return name.replace('\\"', '"')


def _clean_address(address: str) -> str | None:
    address = address.strip().strip("<>\"'").strip().lower()
    address = address.removeprefix("mailto:")
    if "@" not in address or " " in address:
        return None
    local, _, domain = address.rpartition("@")
    domain = domain.rstrip(".>")
    if not local or not domain:
        return None
    return f"{local}@{domain}"
