"""The IMAP connector's header reading: folded values (Outlook's Message-ID) are unfolded."""

from __future__ import annotations

from autoir.connectors.imap import messages


def test_a_folded_message_id_is_read_whole() -> None:
    raw = (
        b"From: a@example.com\r\nMessage-ID:\r\n <BL0PR16MB2148@outlook.example>\r\n"
        b"Subject: long\r\n subject\r\n\r\nBody: not a header\r\n"
    )
    assert messages.internet_message_id(raw) == "BL0PR16MB2148@outlook.example"
    assert messages.header(raw, "Subject") == "long subject"
    assert messages.header(raw, "Body") is None


def test_a_single_line_header_and_bare_lf_messages_still_work() -> None:
    raw = b"Message-ID: <x@y>\nX-Other: 1\n\nbody\n"
    assert messages.internet_message_id(raw) == "x@y"
    assert messages.header(raw, "x-other") == "1"
