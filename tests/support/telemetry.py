"""Telemetry payloads in the ingest formats of docs/telemetry.md, for tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # the FakeClock's start
_counter = itertools.count(1)


def at(**delta: float) -> str:
    """T0 moved by a timedelta, ISO 8601."""
    return (T0 + timedelta(**delta)).isoformat()


def message(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    body: dict[str, Any] = {
        "networkMessageId": f"nmid-{n:06d}",
        "internetMessageId": f"<m{n}@mail.contoso.example>",
        "receivedDateTime": at(hours=-1),
        "subject": "Quarterly report",
        "senderFromAddress": "bob@contoso.example",
        "senderMailFromAddress": "bounces@contoso.example",
        "senderIPv4": "198.51.100.20",
        "recipientEmailAddress": "alice@fabrikam.example",
        "antiSpamDirection": "inbound",
        "deliveryAction": "delivered",
        "deliveryLocation": "inbox",
        "urls": [],
        "attachments": [],
    }
    body.update(overrides)
    return body


def endpoint_process(
    device: str = "dev-1",
    pid: int = 100,
    parent: int | None = 1,
    name: str = "bash",
    when: str | None = None,
    **process: Any,
) -> dict[str, Any]:
    details: dict[str, Any] = {"fileName": name, "processId": pid, "commandLine": name}
    if parent is not None:
        details["parentProcessId"] = parent
    details.update(process)
    return {
        "deviceId": device,
        "deviceName": f"{device}.fabrikam.example",
        "timestamp": when or at(minutes=-10),
        "kind": "process",
        "process": details,
    }


def click(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "userId": "alice@fabrikam.example",
        "url": "https://evil.example/login",
        "timeOfClick": at(minutes=-5),
        "urlClickAction": 1,
        "appName": "Outlook",
        "sourceId": "nmid-x",
        "userIp": "192.0.2.10",
    }
    body.update(overrides)
    return body


def sign_in(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "userPrincipalName": "alice@fabrikam.example",
        "createdDateTime": at(hours=-2),
        "ipAddress": "192.0.2.10",
        "appDisplayName": "Office 365",
        "clientAppUsed": "Browser",
        "status": {"errorCode": 0},
        "location": {
            "city": "Paris",
            "countryOrRegion": "FR",
            "geoCoordinates": {"latitude": 48.85, "longitude": 2.35},
        },
    }
    body.update(overrides)
    return body
