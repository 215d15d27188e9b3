"""Fitting parsed messages to what telemetry stores."""

from __future__ import annotations

from datetime import UTC, datetime

from autoir.domain.messages.message import EmailMessage, MessageAttachment
from autoir.domain.telemetry.storable import MAX_ADDRESS, storable_message


def test_long_fields_are_cut_and_noted_and_payloads_dropped() -> None:
    message = EmailMessage(
        network_message_id="n",
        received_at=datetime(2026, 11, 20, tzinfo=UTC),
        subject="s",
        sender_from_address="a" * 400 + "@x.example",
        sender_ip="not-an-ip",
        attachments=(MessageAttachment("f", "t", 1, "0" * 64, payload=b"MZ"),),
        body_text="hello",
        parse_errors=("earlier",),
    )
    fitted = storable_message(message)
    assert fitted.sender_from_address is not None
    assert len(fitted.sender_from_address) == MAX_ADDRESS
    assert fitted.sender_ip is None
    assert fitted.attachments[0].payload is None
    assert fitted.body_text == ""
    assert fitted.parse_errors[0] == "earlier"
    assert any("senderFromAddress" in e for e in fitted.parse_errors)
    assert any("not an IP address" in e for e in fitted.parse_errors)


def test_a_fitting_message_is_unchanged_apart_from_canonical_ip() -> None:
    message = EmailMessage(
        network_message_id="n",
        received_at=datetime(2026, 11, 20, tzinfo=UTC),
        subject="s",
        sender_ip="2001:DB8::1",
    )
    fitted = storable_message(message)
    assert fitted.sender_ip == "2001:db8::1"
    assert fitted.parse_errors == ()
