"""Devices seen in endpoint telemetry, and how widely a file was seen across them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autoir.domain.timestamps import format_timestamp


@dataclass(frozen=True, slots=True)
class Device:
    """A device that reported endpoint events, with its latest name."""

    device_id: str
    device_name: str | None
    first_seen: datetime
    last_seen: datetime

    def to_json(self) -> dict[str, Any]:
        """The record as camelCase JSON."""
        return {
            "deviceId": self.device_id,
            "deviceName": self.device_name,
            "firstSeenDateTime": format_timestamp(self.first_seen),
            "lastSeenDateTime": format_timestamp(self.last_seen),
        }


@dataclass(frozen=True, slots=True)
class DeviceSighting:
    """A device on which a file hash appeared: when first and last, in how many events."""

    device_id: str
    device_name: str | None
    first_seen: datetime
    last_seen: datetime
    event_count: int

    def to_json(self) -> dict[str, Any]:
        """The record as camelCase JSON."""
        return {
            "deviceId": self.device_id,
            "deviceName": self.device_name,
            "firstSeenDateTime": format_timestamp(self.first_seen),
            "lastSeenDateTime": format_timestamp(self.last_seen),
            "eventCount": self.event_count,
        }


@dataclass(frozen=True, slots=True)
class FilePrevalence:
    """Fleet prevalence of a SHA-256: the devices that saw it out of all devices reporting.

    ``devices`` is capped by the query's limit; ``device_count`` counts them all.
    """

    sha256: str
    device_count: int
    fleet_size: int
    devices: tuple[DeviceSighting, ...]

    @property
    def share(self) -> float:
        """Fraction of the fleet that saw the file (0 when no device reports)."""
        return self.device_count / self.fleet_size if self.fleet_size else 0.0

    def to_json(self) -> dict[str, Any]:
        """The record as camelCase JSON."""
        return {
            "sha256": self.sha256,
            "deviceCount": self.device_count,
            "fleetSize": self.fleet_size,
            "devices": [d.to_json() for d in self.devices],
        }
