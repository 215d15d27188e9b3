"""Decoding bytes whose charset the message declares, often wrongly.

Real mail names charsets that Python does not know (``x-unknown``, ``unknown-8bit``,
``ks_c_5601-1987``), quotes them, or labels UTF-8 as ASCII. Decoding never fails: the declared
charset is tried strictly, then UTF-8, then Windows-1252 with replacement characters.
"""

from __future__ import annotations

import codecs

# Labels seen in real mail that Python's codec registry lacks or gets wrong (WHATWG Encoding
# Standard maps them the same way: a declared ``gb2312`` is decoded as its superset).
_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "x-sjis": "shift_jis",
    "x-mac-roman": "mac_roman",
    "ansi_x3.4-1968": "ascii",
    "us-ascii": "ascii",
    "utf8": "utf-8",
    "x-user-defined": "cp1252",
    "iso-8859-1": "cp1252",  # WHATWG: latin-1 labels are decoded as windows-1252
    "latin1": "cp1252",
}
_UNKNOWN = {"", "x-unknown", "unknown", "unknown-8bit", "default", "_autodetect_all", "none"}


def normalise_charset(charset: str | None) -> str | None:
    """The Python codec name for a declared charset, or ``None`` when it is unknown."""
    if charset is None:
        return None
    label = charset.strip().strip("\"'").strip().lower()
    if label in _UNKNOWN:
        return None
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data`` with the declared charset, falling back without ever raising."""
    codec = normalise_charset(charset)
    if codec is not None and codec != "ascii":
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec is not None and codec not in {"ascii", "utf-8"}:
        return data.decode(codec, errors="replace")
    return data.decode("cp1252", errors="replace")


def recover_text(value: str) -> str:
    """Turn a string holding ``surrogateescape``-d raw bytes back into readable text."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("utf-8", errors="surrogateescape"))
