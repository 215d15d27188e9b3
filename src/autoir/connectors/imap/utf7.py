"""IMAP's modified UTF-7 for folder names (RFC 3501 §5.1.3).

Printable ASCII (0x20-0x7E) stands for itself except ``&``, which is written ``&-``; any other
run of characters is ``&`` + the modified base64 (``,`` instead of ``/``, no padding) of its
UTF-16BE bytes + ``-``. So ``Reçus`` is ``Re&AOc-us`` and ``~peter/mail/台北/日本語`` is
``~peter/mail/&U,BTFw-/&ZeVnLIqe-``.

:func:`decode` is lenient: a name that is not valid modified UTF-7 (a server sending raw UTF-8,
as some do with ``UTF8=ACCEPT``) is returned as it came, never an error.
"""

from __future__ import annotations

import base64
import binascii

_PRINTABLE_LOW = 0x20
_PRINTABLE_HIGH = 0x7E


def encode(name: str) -> str:
    """``name`` in modified UTF-7, as sent to the server."""
    out: list[str] = []
    pending: list[str] = []
    for char in name:
        if _PRINTABLE_LOW <= ord(char) <= _PRINTABLE_HIGH:
            if pending:
                out.append(_shifted("".join(pending)))
                pending = []
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    if pending:
        out.append(_shifted("".join(pending)))
    return "".join(out)


def decode(name: str) -> str:
    """The Unicode name of a modified UTF-7 ``name``; ``name`` itself when it is not one."""
    if "&" not in name:
        return name
    out: list[str] = []
    position = 0
    while position < len(name):
        start = name.find("&", position)
        if start < 0:
            out.append(name[position:])
            break
        out.append(name[position:start])
        end = name.find("-", start + 1)
        if end < 0:
            return name
        if end == start + 1:
            out.append("&")
        else:
            text = _unshifted(name[start + 1 : end])
            if text is None:
                return name
            out.append(text)
        position = end + 1
    return "".join(out)


def _shifted(text: str) -> str:
    data = base64.b64encode(text.encode("utf-16-be")).decode("ascii")
    return "&" + data.rstrip("=").replace("/", ",") + "-"


def _unshifted(chunk: str) -> str | None:
    data = chunk.replace(",", "/")
    data += "=" * (-len(data) % 4)
    try:
        return base64.b64decode(data, validate=True).decode("utf-16-be")
    except (binascii.Error, UnicodeDecodeError):
        return None
