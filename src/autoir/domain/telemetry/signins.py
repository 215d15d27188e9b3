"""Sign-ins, in the shape of the Graph ``signIn`` resource (``auditLogs/signIns``).

``status.errorCode`` 0 is a success, anything else a failure with ``status.failureReason``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autoir.domain.errors import FieldError
from autoir.domain.telemetry.kinds import TelemetryKind
from autoir.domain.telemetry.normalize import content_id
from autoir.domain.telemetry.reader import FieldReader
from autoir.domain.timestamps import format_timestamp


@dataclass(frozen=True, slots=True)
class SignInLocation:
    """Where the sign-in came from, as the identity provider geolocated its IP."""

    country: str | None = None
    city: str | None = None
    state: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class SignIn:
    """One sign-in attempt. ``user`` is the user principal name in lower case."""

    id: str
    user: str
    time: datetime
    success: bool
    error_code: int = 0
    failure_reason: str | None = None
    ip: str | None = None
    location: SignInLocation = SignInLocation()
    application: str | None = None
    client_app: str | None = None
    user_agent: str | None = None
    device_id: str | None = None
    device_name: str | None = None
    operating_system: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The sign-in in its ingest (Graph) format."""
        loc = self.location
        return {
            "id": self.id,
            "userPrincipalName": self.user,
            "createdDateTime": format_timestamp(self.time),
            "ipAddress": self.ip,
            "appDisplayName": self.application,
            "clientAppUsed": self.client_app,
            "userAgent": self.user_agent,
            "status": {"errorCode": self.error_code, "failureReason": self.failure_reason},
            "location": {
                "city": loc.city,
                "state": loc.state,
                "countryOrRegion": loc.country,
                "geoCoordinates": {"latitude": loc.latitude, "longitude": loc.longitude},
            },
            "deviceDetail": {
                "deviceId": self.device_id,
                "displayName": self.device_name,
                "operatingSystem": self.operating_system,
            },
        }


def _location(r: FieldReader) -> SignInLocation:
    child = r.child("location")
    if child is None:
        return SignInLocation()
    geo = child.child("geoCoordinates")
    latitude = geo.number("latitude", minimum=-90, maximum=90) if geo else None
    longitude = geo.number("longitude", minimum=-180, maximum=180) if geo else None
    country = child.string("countryOrRegion", max_length=64)
    return SignInLocation(
        country=country.strip().upper() if country else None,
        city=child.string("city", max_length=256),
        state=child.string("state", max_length=256),
        latitude=latitude,
        longitude=longitude,
    )


def parse_sign_in(payload: object, target: str, errors: list[FieldError]) -> SignIn | None:
    """Check one sign-in; return the record, or None after appending its field errors."""
    if not isinstance(payload, dict):
        errors.append(FieldError(target, "must be a JSON object"))
        return None
    r = FieldReader(payload, target, errors)
    sign_in_id = r.string("id", max_length=128)
    user = r.string("userPrincipalName", max_length=320)
    r.require("userPrincipalName", user)
    time = r.time("createdDateTime")
    r.require("createdDateTime", time)
    status = r.child("status")
    error_code = (
        status.integer("errorCode", minimum=-(2**31), maximum=2**31) if status else None
    ) or 0
    failure = status.string("failureReason", max_length=1024) if status else None
    device = r.child("deviceDetail")
    fields: dict[str, Any] = {
        "error_code": error_code,
        "failure_reason": failure,
        "ip": r.ip("ipAddress"),
        "location": _location(r),
        "application": r.string("appDisplayName", max_length=256),
        "client_app": r.string("clientAppUsed", max_length=256),
        "user_agent": r.string("userAgent", max_length=1024),
        "device_id": device.string("deviceId", max_length=128) if device else None,
        "device_name": device.string("displayName", max_length=256) if device else None,
        "operating_system": device.string("operatingSystem", max_length=128) if device else None,
    }
    if not r.ok or user is None or time is None:
        return None
    user = user.strip().lower()
    parts = (user, format_timestamp(time), *(str(v) for v in fields.values()))
    return SignIn(
        id=sign_in_id.strip() if sign_in_id else content_id(TelemetryKind.SIGN_INS, parts),
        user=user,
        time=time,
        success=error_code == 0,
        **fields,
    )
