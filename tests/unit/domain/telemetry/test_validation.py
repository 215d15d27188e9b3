"""Validation of the inbound JSON of every kind: values, defaults and errors naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from autoir.domain.errors import FieldError
from autoir.domain.messages.enums import AuthResult, DeliveryLocation, EmailDirection
from autoir.domain.telemetry.clicks import UrlClickAction, parse_url_click
from autoir.domain.telemetry.endpoint import EndpointEventKind, FileAction, parse_endpoint_event
from autoir.domain.telemetry.message_json import message_to_json, parse_message_event
from autoir.domain.telemetry.signins import parse_sign_in
from autoir.domain.telemetry.subjects import subject_fingerprint


def _errors(parse: Any, payload: object) -> dict[str, str]:
    errors: list[FieldError] = []
    assert parse(payload, "value[2]", errors) is None
    return {e.target: e.message for e in errors}


def test_minimal_message_gets_defaults() -> None:
    errors: list[FieldError] = []
    message = parse_message_event(
        {"networkMessageId": " n1 ", "receivedDateTime": "2026-11-20T12:00:00Z"}, "v", errors
    )
    assert errors == []
    assert message is not None
    assert message.network_message_id == "n1"
    assert message.received_at == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert message.subject == ""
    assert message.subject_fingerprint is None
    assert message.direction is EmailDirection.UNKNOWN
    assert message.delivery_location is DeliveryLocation.UNKNOWN
    assert message.recipients == ()


def test_message_round_trips_through_its_json() -> None:
    payload = {
        "networkMessageId": "n2",
        "internetMessageId": "<a@b>",
        "receivedDateTime": "2026-11-20T13:00:00+01:00",
        "subject": "Fw: Re: Payment 42",
        "senderFromAddress": "A@B.example",
        "senderDisplayName": "Accounts",
        "senderMailFromAddress": "bounce@c.example",
        "senderIPv4": "192.0.2.1",
        "replyTo": "Other@D.example",
        "recipientEmailAddress": "r@f.example",
        "antiSpamDirection": "Inbound",
        "deliveryAction": "junked",
        "deliveryLocation": "Deleted Items",
        "urls": [{"url": "http://u.example/", "displayText": "click"}, "http://U.example/"],
        "attachments": [
            {"fileName": "f.zip", "fileType": "zip", "fileSize": 3, "sha256": "1" * 64}
        ],
        "authentication": {"spf": "softfail", "compauth": "fail"},
        "headers": [{"name": "Received", "value": "from x"}],
        "bodyFingerprint": "ABC",
        "language": "en",
    }
    errors: list[FieldError] = []
    message = parse_message_event(payload, "v", errors)
    assert errors == []
    assert message is not None
    assert message.reply_to == ("other@d.example",)
    assert message.delivery_location is DeliveryLocation.DELETED_FOLDER
    assert len(message.urls) == 1  # the same URL twice, in two spellings
    assert message.authentication.spf is AuthResult.SOFTFAIL
    assert message.authentication.dkim is None
    assert message.subject_fingerprint == subject_fingerprint("Payment 7")
    assert message.body_fingerprint == "abc"
    again = parse_message_event(message_to_json(message), "v", errors)
    assert errors == []
    assert again == message


def test_message_errors_name_each_field() -> None:
    errors = _errors(
        parse_message_event,
        {
            "networkMessageId": 5,
            "receivedDateTime": "2026-13-01",
            "subject": ["x"],
            "senderFromAddress": "nobody",
            "recipientEmailAddress": ["ok@x.example", "bad"],
            "antiSpamDirection": "sideways",
            "urls": "http://x",
            "attachments": [{"sha256": "1" * 64, "fileSize": -1}, "x"],
            "authentication": {"SPF": "maybe"},
            "headers": [{"value": "no name"}],
        },
    )
    assert errors == {
        "value[2].networkMessageId": "must be a string",
        "value[2].receivedDateTime": "not an ISO 8601 date-time: '2026-13-01'",
        "value[2].subject": "must be a string",
        "value[2].senderFromAddress": "not an email address: 'nobody'",
        "value[2].recipientEmailAddress[1]": "not an email address: 'bad'",
        "value[2].antiSpamDirection": errors["value[2].antiSpamDirection"],
        "value[2].urls": "must be a list",
        "value[2].attachments[0].fileSize": "must be between 0 and 9223372036854775807",
        "value[2].attachments[1]": "must be a JSON object",
        "value[2].authentication.SPF": errors["value[2].authentication.SPF"],
        "value[2].headers[0].name": "is required",
    }
    assert "unknown value 'sideways'" in errors["value[2].antiSpamDirection"]


def test_non_objects_are_refused() -> None:
    for parse in (parse_message_event, parse_url_click, parse_endpoint_event, parse_sign_in):
        assert _errors(parse, ["not", "an", "object"]) == {"value[2]": "must be a JSON object"}


@pytest.mark.parametrize(
    ("raw", "action"),
    [
        (0, UrlClickAction.NONE),
        (2, UrlClickAction.BLOCK_PAGE),
        ("BlockPageOverride", UrlClickAction.BLOCK_PAGE_OVERRIDE),
    ],
)
def test_click_actions_accept_codes_and_names(raw: object, action: UrlClickAction) -> None:
    errors: list[FieldError] = []
    click = parse_url_click(
        {
            "userId": "U@x",
            "url": "http://a",
            "timeOfClick": "2026-11-20T12:00:00Z",
            "urlClickAction": raw,
        },
        "v",
        errors,
    )
    assert errors == []
    assert click is not None
    assert click.action is action
    assert click.user == "u@x"
    assert click.action.reached_site is (action is UrlClickAction.BLOCK_PAGE_OVERRIDE)


def test_click_errors() -> None:
    assert _errors(parse_url_click, {"urlClickAction": True, "userIp": "x"}) == {
        "value[2].userId": "is required",
        "value[2].url": "is required",
        "value[2].timeOfClick": "is required",
        "value[2].urlClickAction": _errors(parse_url_click, {"urlClickAction": True})[
            "value[2].urlClickAction"
        ],
        "value[2].userIp": "not an IP address: 'x'",
    }


def test_endpoint_file_event_with_its_acting_process() -> None:
    errors: list[FieldError] = []
    event = parse_endpoint_event(
        {
            "deviceId": "ABC",
            "timestamp": "2026-11-20T12:00:00Z",
            "kind": "FILE",
            "file": {"folderPath": "/x", "action": "Deleted", "sha256": "A" * 64},
            "process": {"fileName": "rm", "sha256": "b" * 64, "processId": 3.0},
        },
        "v",
        errors,
    )
    assert errors == []
    assert event is not None
    assert event.device_id == "abc"
    assert event.kind is EndpointEventKind.FILE
    assert event.file is not None
    assert event.file.action is FileAction.DELETED
    assert event.action_type == "FileDeleted"
    assert event.sha256 == "a" * 64  # the file, not the acting process
    assert event.process is not None
    assert event.process.process_id == 3


def test_endpoint_errors() -> None:
    assert _errors(
        parse_endpoint_event,
        {
            "deviceId": "d",
            "timestamp": "2026-11-20T12:00:00Z",
            "kind": "logon",
            "logon": {"success": "yes"},
        },
    ) == {
        "value[2].logon.accountName": "is required",
        "value[2].logon.success": "must be true or false",
    }
    assert _errors(
        parse_endpoint_event,
        {
            "deviceId": "d",
            "timestamp": "2026-11-20T12:00:00Z",
            "kind": "file",
            "file": {"action": "created"},
        },
    ) == {"value[2].file.fileName": "a file needs fileName or folderPath"}


def test_sign_in_result_comes_from_the_error_code() -> None:
    errors: list[FieldError] = []
    ok = parse_sign_in(
        {"userPrincipalName": "A@x", "createdDateTime": "2026-11-20T12:00:00Z"}, "v", errors
    )
    failed = parse_sign_in(
        {
            "userPrincipalName": "a@x",
            "createdDateTime": "2026-11-20T12:00:00Z",
            "status": {"errorCode": 50053, "failureReason": "locked"},
        },
        "v",
        errors,
    )
    assert errors == []
    assert ok is not None
    assert failed is not None
    assert ok.success
    assert (failed.success, failed.error_code, failed.failure_reason) == (False, 50053, "locked")
    assert ok.id != failed.id
