"""The enrol and heartbeat bodies of ``docs/agent-protocol.md``, validated.

Unknown keys are ignored, so that a newer agent can talk to an older server. Every bad field is
reported at once as a :class:`~autoir.domain.errors.FieldError` naming its JSON path.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.timestamps import parse_timestamp

MAX_TEXT = 256
MAX_TOKEN = 512
MAX_LIST = 256
DEVICE_ID = re.compile(r"[0-9a-f]{40}")
_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f]+")


@dataclass(frozen=True, slots=True)
class Enrollment:
    """A host asking to enrol."""

    token: str
    hostname: str
    os_platform: str
    os_version: str | None
    agent_version: str | None
    machine_id: str | None


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A host's facts; None (or an absent list) keeps what the inventory has."""

    device_id: str
    hostname: str | None
    os_platform: str | None
    os_version: str | None
    os_build: str | None
    agent_version: str | None
    ip_interfaces: tuple[str, ...] | None
    logged_on_users: tuple[str, ...] | None
    health_status: str | None
    sent: datetime | None


class _Reader:
    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body = body
        self.errors: list[FieldError] = []

    def text(self, key: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
        raw = self.body.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.errors.append(FieldError(key, "is required"))
            return None
        if not isinstance(raw, str):
            self.errors.append(FieldError(key, "must be a string"))
            return None
        value = raw.strip()
        if len(value) > limit:
            self.errors.append(FieldError(key, f"must be at most {limit} characters"))
            return None
        if not _PRINTABLE.fullmatch(value):
            self.errors.append(FieldError(key, "must not contain control characters"))
            return None
        return value

    def strings(self, key: str) -> tuple[str, ...] | None:
        raw = self.body.get(key)
        if raw is None:
            return None
        if not isinstance(raw, list):
            self.errors.append(FieldError(key, "must be a list of strings"))
            return None
        if len(raw) > MAX_LIST:
            self.errors.append(FieldError(key, f"must have at most {MAX_LIST} items"))
            return None
        values: list[str] = []
        for index, item in enumerate(raw):
            if (
                not isinstance(item, str)
                or not item.strip()
                or len(item) > MAX_TEXT
                or not _PRINTABLE.fullmatch(item.strip())
            ):
                self.errors.append(
                    FieldError(
                        f"{key}[{index}]",
                        f"must be a non-empty string of at most {MAX_TEXT} characters",
                    )
                )
            elif item.strip() not in values:
                values.append(item.strip())
        return tuple(values)


def _check_ips(reader: _Reader, key: str, values: tuple[str, ...] | None) -> None:
    for index, value in enumerate(values or ()):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            reader.errors.append(FieldError(f"{key}[{index}]", "is not an IP address"))


def parse_enrollment(body: Mapping[str, Any]) -> Enrollment:
    """``POST /agent/v1/enroll``'s body; raises :class:`ValidationFailed` naming each bad field."""
    reader = _Reader(body)
    token = reader.text("token", required=True, limit=MAX_TOKEN)
    hostname = reader.text("hostname", required=True)
    os_platform = reader.text("osPlatform", required=True)
    os_version = reader.text("osVersion")
    agent_version = reader.text("agentVersion")
    machine_id = reader.text("machineId", limit=128)
    if reader.errors or token is None or hostname is None or os_platform is None:
        raise ValidationFailed(reader.errors)
    return Enrollment(
        token=token,
        hostname=hostname,
        os_platform=os_platform,
        os_version=os_version,
        agent_version=agent_version,
        machine_id=machine_id.lower() if machine_id else None,
    )


def parse_heartbeat(body: Mapping[str, Any]) -> Heartbeat:
    """``POST /agent/v1/heartbeat``'s body; raises :class:`ValidationFailed` naming bad fields."""
    reader = _Reader(body)
    device_id = reader.text("deviceId", required=True)
    if device_id is not None and not DEVICE_ID.fullmatch(device_id):
        reader.errors.append(FieldError("deviceId", "must be 40 lower-case hexadecimal digits"))
    ips = reader.strings("ipInterfaces")
    _check_ips(reader, "ipInterfaces", ips)
    sent_raw = reader.text("sentDateTime")
    sent = parse_timestamp(sent_raw) if sent_raw else None
    if sent_raw and sent is None:
        reader.errors.append(FieldError("sentDateTime", "must be an ISO 8601 date-time"))
    heartbeat = Heartbeat(
        device_id=device_id or "",
        hostname=reader.text("hostname"),
        os_platform=reader.text("osPlatform"),
        os_version=reader.text("osVersion"),
        os_build=reader.text("osBuild"),
        agent_version=reader.text("agentVersion"),
        ip_interfaces=ips,
        logged_on_users=reader.strings("loggedOnUsers"),
        health_status=reader.text("healthStatus", limit=32),
        sent=sent,
    )
    if reader.errors:
        raise ValidationFailed(reader.errors)
    return heartbeat


DEFAULT_TOKEN_HOURS = 24
MAX_TOKEN_HOURS = 30 * 24
MAX_TOKEN_USES = 10_000


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """How long a new enrolment token lives and how many hosts it may enrol."""

    expires_in_hours: float = DEFAULT_TOKEN_HOURS
    uses: int = 1


def token_request(expires_in_hours: object = None, uses: object = None) -> TokenRequest:
    """Check ``expiresInHours`` (0 < h ≤ 720, default 24) and ``uses`` (1..10000, default 1)."""
    errors: list[FieldError] = []
    hours: float = DEFAULT_TOKEN_HOURS
    count = 1
    if expires_in_hours is not None:
        if (
            isinstance(expires_in_hours, bool)
            or not isinstance(expires_in_hours, int | float)
            or not 0 < expires_in_hours <= MAX_TOKEN_HOURS
        ):
            errors.append(
                FieldError("expiresInHours", f"must be a number of hours in (0, {MAX_TOKEN_HOURS}]")
            )
        else:
            hours = float(expires_in_hours)
    if uses is not None:
        if isinstance(uses, bool) or not isinstance(uses, int) or not 1 <= uses <= MAX_TOKEN_USES:
            errors.append(FieldError("uses", f"must be a whole number from 1 to {MAX_TOKEN_USES}"))
        else:
            count = uses
    if errors:
        raise ValidationFailed(errors)
    return TokenRequest(hours, count)
