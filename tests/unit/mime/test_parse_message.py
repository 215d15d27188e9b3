"""parse_message on crafted messages: real-mail oddities, never an exception."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autoir.domain.messages.enums import AuthResult, EmailDirection
from autoir.mime import parse_message
from autoir.mime.identity import FILE_MESSAGE_NAMESPACE
from autoir.mime.parser import UNKNOWN_TIME

MICROSOFT_HOPS = (
    b"Received: from AM0PR01MB1234.eurprd01.prod.outlook.com (2603:10a6:208:1::10)\r\n"
    b" by AM9PR01MB5678.eurprd01.prod.outlook.com with HTTPS; Tue, 5 Mar 2024 10:00:02 +0000\r\n"
    b"Authentication-Results: spf=fail (sender IP is 81.2.69.160)\r\n"
    b" smtp.mailfrom=bank-secure.example; dkim=none (message not signed)\r\n"
    b" header.d=none;dmarc=fail action=quarantine header.from=contoso.com;compauth=fail\r\n"
    b" reason=000\r\n"
    b"Received-SPF: Fail (protection.outlook.com: domain of bank-secure.example does not\r\n"
    b" designate 81.2.69.160 as permitted sender) receiver=protection.outlook.com;\r\n"
    b" client-ip=81.2.69.160; helo=mail.bank-secure.example;\r\n"
    b"Received: from mail.bank-secure.example (81.2.69.160) by\r\n"
    b" AM0PR01MB1234.mail.protection.outlook.com (10.0.0.1) with Microsoft SMTP Server;\r\n"
    b" Tue, 5 Mar 2024 10:00:01 +0000\r\n"
)


def message(*headers: str, body: bytes = b"Hello.\r\n", top: bytes = b"") -> bytes:
    head = "".join(f"{h}\r\n" for h in headers).encode("utf-8", errors="surrogateescape")
    return top + head + b"\r\n" + body


def test_parse_message_reads_senders_recipients_and_ids() -> None:
    raw = message(
        'From: "Contoso IT" <IT-Desk@Contoso.com>',
        "Return-Path: <bounce@bank-secure.example>",
        "Reply-To: Helpdesk <help@freemail.example>, other@freemail.example",
        "To: Alice <alice@fabrikam.example>, bob@fabrikam.example",
        "Cc: carol@fabrikam.example",
        "Delivered-To: alice@fabrikam.example",
        "X-Original-To: list@fabrikam.example",
        "Subject: Password expiry",
        "Message-ID: <abc.123@mail.bank-secure.example>",
        "Date: Tue, 5 Mar 2024 09:59:00 +0000",
        top=MICROSOFT_HOPS,
    )
    parsed = parse_message(raw, organisation_domains=frozenset({"Fabrikam.example"}))
    assert parsed.sender_from_address == "it-desk@contoso.com"
    assert parsed.sender_display_name == "Contoso IT"
    assert parsed.sender_mail_from_address == "bounce@bank-secure.example"
    assert parsed.reply_to == ("help@freemail.example", "other@freemail.example")
    assert parsed.recipients == (
        "alice@fabrikam.example",
        "bob@fabrikam.example",
        "carol@fabrikam.example",
        "list@fabrikam.example",
    )
    assert parsed.internet_message_id == "<abc.123@mail.bank-secure.example>"
    assert parsed.sender_ip == "81.2.69.160"
    assert parsed.received_at == datetime(2024, 3, 5, 10, 0, 2, tzinfo=UTC)
    assert parsed.direction is EmailDirection.INBOUND
    assert parsed.authentication.spf is AuthResult.FAIL
    assert parsed.authentication.dkim is AuthResult.NONE
    assert parsed.authentication.dmarc is AuthResult.FAIL
    assert parsed.authentication.compauth is AuthResult.FAIL
    assert parsed.parse_errors == ()
    names = [name.lower() for name, _ in parsed.headers]
    assert "authentication-results" in names
    assert "received" in names


def test_network_message_id_is_a_deterministic_guid_of_the_bytes() -> None:
    raw = message("From: a@b.example", "Subject: x")
    first, second = parse_message(raw), parse_message(raw)
    assert first.network_message_id == second.network_message_id
    expected = uuid.uuid5(FILE_MESSAGE_NAMESPACE, hashlib.sha256(raw).hexdigest())
    assert first.network_message_id == str(expected)
    assert parse_message(raw + b" ").network_message_id != first.network_message_id


def test_received_at_argument_overrides_headers_and_naive_is_utc() -> None:
    raw = message("From: a@b.example", "Date: Tue, 5 Mar 2024 09:59:00 +0100")
    assert parse_message(raw).received_at == datetime(2024, 3, 5, 8, 59, tzinfo=UTC)
    given_time = datetime(2025, 1, 2, 3, 4, 5)  # noqa: DTZ001 - naive on purpose
    parsed = parse_message(raw, received_at=given_time)
    assert parsed.received_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_missing_time_is_reported_not_invented() -> None:
    parsed = parse_message(message("From: a@b.example", "Date: not a date"))
    assert parsed.received_at == UNKNOWN_TIME
    assert any("no received time" in error for error in parsed.parse_errors)


def test_sender_ip_skips_private_and_same_provider_hops_then_x_originating_ip() -> None:
    raw = message(
        "Received: from relay2.corp.example (relay2.corp.example [10.1.2.3])"
        " by mx.corp.example; Tue, 5 Mar 2024 10:00:03 +0000",
        "Received: from smtp.sender.example (smtp.sender.example [81.2.69.192])"
        " by relay2.corp.example; Tue, 5 Mar 2024 10:00:02 +0000",
        "From: a@sender.example",
    )
    assert parse_message(raw).sender_ip == "81.2.69.192"
    webmail = message(
        "Received: from web.mail.example (198.18.0.1) by mx.mail.example; Tue, 5 Mar 2024 10:00 +0000",
        "X-Originating-IP: [192.0.2.44]",
        "From: a@mail.example",
    )
    # 198.18.0.0/15 is benchmarking space, 192.0.2.0/24 documentation: neither is public.
    assert parse_message(webmail).sender_ip is None
    public = webmail.replace(b"192.0.2.44", b"8.8.4.4")
    assert parse_message(public).sender_ip == "8.8.4.4"


def test_encoded_words_unknown_charsets_and_raw_8bit_headers_decode() -> None:
    raw = message(
        "From: =?utf-8?B?w4lxdWlwZSBTw6ljdXJpdMOp?= <securite@banque.example>",
        "Subject: =?x-unknown?Q?Re:_Caf=C3=A9?= =?ks_c_5601-1987?B?x9GxuQ==?= done",
        "To: =?bogus-charset?Q?J=FCrgen?= <j@x.example>",
    )
    parsed = parse_message(raw)
    assert parsed.sender_display_name == "Équipe Sécurité"
    assert parsed.subject.startswith("Re: Café")
    assert "한국" in parsed.subject
    assert parsed.recipients == ("j@x.example",)
    latin = b"From: Ren\xe9 <rene@x.example>\r\nSubject: Pr\xe9avis\r\n\r\nbody"
    parsed_latin = parse_message(latin)
    assert parsed_latin.subject == "Préavis"
    assert parsed_latin.sender_display_name == "René"


def test_quoted_address_as_display_name_does_not_hide_the_real_sender() -> None:
    raw = message('From: "service@paypal.com" <x@evil.example>', "Subject: s")
    parsed = parse_message(raw)
    assert parsed.sender_from_address == "x@evil.example"
    assert parsed.sender_display_name == "service@paypal.com"


def _multipart() -> bytes:
    html = (
        b"<html><head><style>p{color:red}</style><script>track()</script></head><body>"
        b'<p>Dear customer, <a href="https://evil.example/login?id=1&amp;x=2">'
        b"https://www.paypal.com/signin</a></p>"
        b'<p>Logo <img src="https://cdn.example/logo.png"> <a href="mailto:x@y.example">mail</a></p>'
        b'<form action="https://collect.example/post"><input type="password"></form>'
        b"</body></html>"
    )
    pdf = b"%PDF-1.7\n" + b"x" * 100
    return (
        b"From: a@b.example\r\nSubject: Invoice\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="OUT"\r\n\r\n'
        b"--OUT\r\n"
        b'Content-Type: multipart/alternative; boundary="IN"\r\n\r\n'
        b"--IN\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(html) + b"\r\n--IN--\r\n"
        b"--OUT\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''facture%C3%A9.pdf.exe\r\n\r\n"
        + base64.encodebytes(pdf)
        + b"\r\n--OUT\r\n"
        b"Content-Type: message/rfc822\r\n\r\n"
        b"From: inner@c.example\r\nSubject: inner\r\n\r\n"
        b"Visit www.inner-link.example/path. now\r\n"
        b"--OUT--\r\n"
    )


def test_nested_multipart_html_only_body_links_and_attachments() -> None:
    parsed = parse_message(_multipart())
    assert "Dear customer" in parsed.body_text
    assert "track()" not in parsed.body_text
    assert "color:red" not in parsed.body_text
    assert parsed.body_html is not None
    assert "<form" in parsed.body_html
    by_url = {u.url: u.display_text for u in parsed.urls}
    assert by_url["https://evil.example/login?id=1&x=2"] == "https://www.paypal.com/signin"
    assert "https://collect.example/post" in by_url
    assert "http://www.inner-link.example/path" in by_url
    assert not any(url.startswith("mailto:") for url in by_url)
    assert "https://cdn.example/logo.png" not in by_url  # images are not links a reader follows
    [attachment] = parsed.attachments
    assert attachment.name == "factureé.pdf.exe"
    assert attachment.content_type == "application/octet-stream"
    assert attachment.payload is not None
    assert attachment.payload.startswith(b"%PDF")
    assert attachment.size == len(attachment.payload)
    assert attachment.sha256 == hashlib.sha256(attachment.payload).hexdigest()


def test_broken_base64_quoted_printable_and_unknown_transfer_encoding_survive() -> None:
    raw = (
        b"From: a@b.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 cr=\r\n=E8me\r\n"
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ!!!@@\r\n"
        b'--B\r\nContent-Type: text/plain; charset="x-unknown"\r\n'
        b"Content-Transfer-Encoding: x-uuencode-ish\r\n\r\n\xff\xfe plain \x80 bytes\r\n"
        # no closing boundary
    )
    parsed = parse_message(raw)
    assert "Café crème" in parsed.body_text
    assert "plain" in parsed.body_text
    assert parsed.body_fingerprint is not None


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\x01\x02\xff" * 100,
        b"no headers here at all, just words\r\n",
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--",
        b"From: \r\nTo: ,,,<<>>@@\r\nSubject: =?utf-8?B?####?=\r\n\r\n",
        b'Content-Type: text/plain; charset="\xff\xfe"\r\n\r\nx',
        b'Content-Type: multipart/alternative; boundary="a"\r\n\r\n' + b"--a\r\n" * 50,
    ],
)
def test_garbage_never_raises_and_yields_a_record(raw: bytes) -> None:
    parsed = parse_message(raw, received_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert parsed.network_message_id
    assert parsed.received_at == datetime(2025, 1, 1, tzinfo=UTC)


def test_headerless_input_is_reported_as_not_a_message() -> None:
    parsed = parse_message(b"\x00\x01\x02garbage")
    assert any("no header fields" in error for error in parsed.parse_errors)


def test_deeply_nested_multipart_is_an_error_not_a_crash() -> None:
    depth = 3000
    raw = b"From: a@b.example\r\n"
    for level in range(depth):
        raw += f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode()
    raw += b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    parsed = parse_message(raw)
    assert parsed.network_message_id


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    parse_message(b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" + raw)
    parse_message(raw)


def test_subject_fingerprint_folds_prefixes_case_digits_and_spaces() -> None:
    one = parse_message(message("Subject: RE: FW: Your invoice  #4711 is READY"))
    two = parse_message(message("Subject: aw: WG: your Invoice #9 is ready"))
    three = parse_message(message("Subject: Your invoice is late"))
    assert one.subject_fingerprint == two.subject_fingerprint
    assert one.subject_fingerprint != three.subject_fingerprint
    assert parse_message(message("From: a@b.example")).subject_fingerprint is None


def test_body_fingerprint_folds_urls_and_numbers() -> None:
    one = parse_message(message("Subject: a", body=b"Pay 120 EUR at https://x.example/a?u=1 now"))
    two = parse_message(message("Subject: b", body=b"Pay 99 EUR at https://y.example/zz now"))
    three = parse_message(message("Subject: b", body=b"Meeting moved to Thursday"))
    assert one.body_fingerprint == two.body_fingerprint
    assert one.body_fingerprint != three.body_fingerprint


def test_language_is_declared_or_guessed() -> None:
    german = "Sehr geehrte Kundin, bitte bestätigen Sie ihr Konto. Wir haben die und das mit ihr."
    assert parse_message(message("Subject: x", body=german.encode())).language == "de"
    declared = parse_message(message("Content-Language: fr-FR", "Subject: x"))
    assert declared.language == "fr"


def test_calendar_attachment_links_are_collected() -> None:
    raw = (
        b"From: a@b.example\r\nSubject: invite\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nSee invite\r\n"
        b"--B\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n"
        b"BEGIN:VCALENDAR\r\nDESCRIPTION:Join https://meet.evil.example/j/1\r\nEND:VCALENDAR\r\n"
        b"--B--\r\n"
    )
    parsed = parse_message(raw)
    assert [a.content_type for a in parsed.attachments] == ["text/calendar"]
    assert "https://meet.evil.example/j/1" in {u.url for u in parsed.urls}
    assert "VCALENDAR" not in parsed.body_text
