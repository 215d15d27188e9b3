"""Enrolment tokens and enrolled devices, and a device's ``deviceEvidence`` JSON."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from autoir.domain.timestamps import format_timestamp

# A host is active while its last heartbeat is at most this many intervals old.
MISSED_HEARTBEATS = 3
PROTOCOL_VERSION = 1
DEVICE_EVIDENCE = "#microsoft.graph.security.deviceEvidence"


class HealthStatus(StrEnum):
    """``deviceEvidence.healthStatus`` as the inventory computes it."""

    ACTIVE = "active"
    INACTIVE = "inactive"


def device_id_for(tenant_id: str, machine_id: str | None, random_guid: str) -> str:
    """The 40-hex ``mdeDeviceId`` of a host.

    With a ``machineId`` it is ``sha1("autoir-device:<tenant>:<machineId>")``: the same host
    keeps its id across re-installs (and even after it was removed from the inventory), and
    two installations (tenants) give it different ids. Without one, it is the SHA-1 of a
    random GUID. SHA-1 is only a 40-digit shape here, like Defender's ids, not a security
    property: the id is not a secret.
    """
    seed = (
        f"autoir-device:{tenant_id}:{machine_id}" if machine_id else f"autoir-device:{random_guid}"
    )
    return hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()


def health_status(last_seen: datetime, now: datetime, heartbeat: timedelta) -> HealthStatus:
    """Active when the last heartbeat is within three heartbeat intervals, else inactive."""
    return (
        HealthStatus.ACTIVE
        if now - last_seen <= heartbeat * MISSED_HEARTBEATS
        else HealthStatus.INACTIVE
    )


@dataclass(frozen=True, slots=True)
class EnrollmentToken:
    """A one-time enrolment token; the secret itself is never stored (its SHA-256 is)."""

    id: str
    prefix: str
    created_by: str
    created: datetime
    expires: datetime
    uses: int
    used: int = 0
    revoked: datetime | None = None
    last_used: datetime | None = None

    def state(self, now: datetime) -> str:
        """``active``, ``revoked``, ``expired`` or ``usedUp``."""
        if self.revoked is not None:
            return "revoked"
        if self.expires <= now:
            return "expired"
        if self.used >= self.uses:
            return "usedUp"
        return "active"

    def to_json(self, now: datetime) -> dict[str, Any]:
        """The API shape (never the secret)."""
        return {
            "id": self.id,
            "prefix": self.prefix,
            "createdBy": self.created_by,
            "createdDateTime": format_timestamp(self.created),
            "expirationDateTime": format_timestamp(self.expires),
            "uses": self.uses,
            "used": self.used,
            "revokedDateTime": format_timestamp(self.revoked),
            "lastUsedDateTime": format_timestamp(self.last_used),
            "state": self.state(now),
        }


@dataclass(frozen=True, slots=True)
class EnrolledDevice:
    """An inventory row: what the host said in its enrolment and last heartbeat."""

    device_id: str
    machine_id: str | None
    hostname: str
    os_platform: str
    os_version: str | None
    os_build: str | None
    agent_version: str | None
    ip_interfaces: tuple[str, ...]
    logged_on_users: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    enrolled: datetime
    last_ip: str | None = None
    reported_health: str | None = None

    def to_evidence(
        self, now: datetime, heartbeat: timedelta, group_name: str | None = None
    ) -> dict[str, Any]:
        """The device in the ``deviceEvidence`` vocabulary (plus ``agentVersion``)."""
        return {
            "@odata.type": DEVICE_EVIDENCE,
            "mdeDeviceId": self.device_id,
            "deviceDnsName": self.hostname,
            "hostName": self.hostname.split(".", 1)[0],
            "osPlatform": self.os_platform,
            "osBuild": self.os_build,
            "version": self.os_version,
            "ipInterfaces": list(self.ip_interfaces),
            "lastIpAddress": self.ip_interfaces[0] if self.ip_interfaces else None,
            "lastExternalIpAddress": self.last_ip,
            "loggedOnUsers": [_logged_on(user) for user in self.logged_on_users],
            "firstSeenDateTime": format_timestamp(self.first_seen),
            "lastSeenDateTime": format_timestamp(self.last_seen),
            "healthStatus": health_status(self.last_seen, now, heartbeat).value,
            "onboardingStatus": "onboarded",
            "agentVersion": self.agent_version,
            "rbacGroupName": group_name,
        }


def _logged_on(user: str) -> dict[str, str | None]:
    """Graph's ``loggedOnUser``: ``DOMAIN`` backslash ``name`` splits; a bare name has none."""
    domain, sep, name = user.partition("\\")
    return (
        {"accountName": name, "domainName": domain}
        if sep
        else {"accountName": user, "domainName": None}
    )
