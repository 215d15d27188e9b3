"""IMAP modified UTF-7 folder names (RFC 3501 §5.1.3): examples from the RFC and round trips."""

from __future__ import annotations

import pytest

from autoir.connectors.imap import utf7

EXAMPLES = [
    ("INBOX", "INBOX"),
    ("Deleted Items", "Deleted Items"),
    ("&", "&-"),
    ("Tom & Jerry", "Tom &- Jerry"),
    ("Reçus", "Re&AOc-us"),
    ("Reçus/Factures 2026", "Re&AOc-us/Factures 2026"),
    ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
    ("日本語", "&ZeVnLIqe-"),
    ("Entwürfe", "Entw&APw-rfe"),
    ("Почта", "&BB8EPgRHBEIEMA-"),
    ("😀", "&2D3eAA-"),
    ("a&ü&", "a&-&APw-&-"),
]


@pytest.mark.parametrize(("name", "encoded"), EXAMPLES)
def test_encode_gives_the_modified_utf7_form(name: str, encoded: str) -> None:
    assert utf7.encode(name) == encoded


@pytest.mark.parametrize(("name", "encoded"), EXAMPLES)
def test_decode_gives_the_unicode_name_back(name: str, encoded: str) -> None:
    assert utf7.decode(encoded) == name


@pytest.mark.parametrize(
    "name",
    ["", "&&&", "-&-", "Ünïcödé everywhere/ÀÉÎ", "mixed ß & 中文 & émoji 🎉 end", "\t\x7f"],
)
def test_every_name_round_trips(name: str) -> None:
    encoded = utf7.encode(name)
    assert encoded.isascii()
    assert all(0x20 <= ord(c) <= 0x7E for c in encoded)
    assert utf7.decode(encoded) == name


@pytest.mark.parametrize("name", ["Broken &", "Bad &!!!-", "Raw UTF-8 Reçus", "&AOc"])
def test_decode_leaves_a_name_that_is_not_modified_utf7_as_it_came(name: str) -> None:
    assert utf7.decode(name) == name
