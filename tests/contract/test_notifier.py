"""Notifier contract: delivery with a message id, refusals, retries."""

from __future__ import annotations

import re

import pytest

from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.ports.remediation import Notification
from tests.contract.conftest import NotifierHarness

NOTICE = Notification(
    recipients=("alice@contoso.com", "soc@contoso.com"),
    subject="A message you received was removed",
    body="We removed a phishing message from your mailbox.",
    sender="security@contoso.com",
)
MESSAGE_ID = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")


def test_send_delivers_notification_under_returned_message_id(notifier: NotifierHarness) -> None:
    message_id = notifier.notifier.send(NOTICE)

    assert MESSAGE_ID.match(message_id)
    assert notifier.sent() == [(message_id, NOTICE)]


def test_send_gives_each_notification_its_own_message_id(notifier: NotifierHarness) -> None:
    first = notifier.notifier.send(NOTICE)
    second = notifier.notifier.send(NOTICE)

    assert first != second
    assert [message_id for message_id, _ in notifier.sent()] == [first, second]


@pytest.mark.parametrize("recipients", [(), ("",), ("not an address",)])
def test_send_without_valid_recipients_is_rejected(
    notifier: NotifierHarness, recipients: tuple[str, ...]
) -> None:
    with pytest.raises(ConnectorRejected):
        notifier.notifier.send(Notification(recipients, "Subject", "Body"))

    assert notifier.sent() == []


def test_send_with_injected_transient_failure_raises_unavailable_and_sends_nothing(
    notifier: NotifierHarness,
) -> None:
    notifier.fail_next(1)

    with pytest.raises(ConnectorUnavailable):
        notifier.notifier.send(NOTICE)

    assert notifier.sent() == []
    message_id = notifier.notifier.send(NOTICE)
    assert notifier.sent() == [(message_id, NOTICE)]


def test_send_with_injected_permanent_failure_raises_rejected(notifier: NotifierHarness) -> None:
    notifier.fail_next(1, transient=False)

    with pytest.raises(ConnectorRejected):
        notifier.notifier.send(NOTICE)

    assert notifier.sent() == []
