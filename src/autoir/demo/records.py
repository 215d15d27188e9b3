"""What scenarios and background alerts leave behind besides alerts: mail, clicks, sign-ins.

Builders write into a :class:`TelemetryLog` as they create the alerts' evidence, so that the
telemetry tells the same story: the message an alert names is the message stored, the click an
alert reports is a stored click, the sign-in an alert flags is in the user's sign-in history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from autoir.demo.mail import Message
    from autoir.demo.places import Place


@dataclass(frozen=True, slots=True)
class Click:
    """A Safe Links click; ``action`` as Defender names it (``allowed``, ``blockPage``, …)."""

    user: str
    url: str
    at: datetime
    action: str = "allowed"
    network_message_id: str | None = None
    ip: str | None = None
    app: str = "Outlook"


@dataclass(frozen=True, slots=True)
class SignInEvent:
    """One sign-in attempt; ``error`` 0 is a success."""

    user: str
    at: datetime
    ip: str
    place: Place
    error: int = 0
    app: str = "Office 365"
    client: str = "Browser"
    user_agent: str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/131.0"
    device: tuple[str, str, str] | None = None  # (device id, name, operating system)


FAILURE_REASONS = {
    50126: "Error validating credentials due to invalid username or password.",
    50053: "The account is locked, you've tried to sign in too many times.",
    50074: "Strong Authentication is required.",
}


@dataclass(slots=True)
class TelemetryLog:
    """Messages by network message id (the latest state wins), clicks and sign-ins."""

    messages: dict[str, Message] = field(default_factory=dict)
    clicks: list[Click] = field(default_factory=list)
    sign_ins: list[SignInEvent] = field(default_factory=list)

    def mail(self, messages: Iterable[Message]) -> None:
        """Record delivered copies, or their new state (moved to quarantine, deleted)."""
        for message in messages:
            self.messages[message.network_message_id] = message

    def click(self, click: Click) -> None:
        """Record a click."""
        self.clicks.append(click)

    def sign_in(self, event: SignInEvent) -> None:
        """Record a sign-in that an alert is about."""
        self.sign_ins.append(event)
