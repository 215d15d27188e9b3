"""Device groups: which automation level a device gets (reference §3.1).

Groups are consulted by rank (1 first); the first group with a matching rule takes the device,
and devices no group takes fall into the default group "Ungrouped devices (default)".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

DEFAULT_GROUP_NAME = "Ungrouped devices (default)"
DEFAULT_GROUP_RANK = 0
"""The default group's rank: it has no rules and is consulted after every ranked group."""
MAX_DEVICE_GROUPS = 500
MAX_RANK = 10_000
MAX_RULES = 100
MAX_TEXT = 256
MAX_DESCRIPTION = 1024


class AutomationLevel(StrEnum):
    """A device group's automation level (reference §3.1). Values are the API's."""

    FULL = "full"
    SEMI_ANY_FOLDER = "semiAnyFolder"
    SEMI_CORE_FOLDERS = "semiCoreFolders"
    SEMI_NON_TEMP_FOLDERS = "semiNonTempFolders"
    NO_AUTOMATED_RESPONSE = "noAutomatedResponse"

    @property
    def label(self) -> str:
        """Defender's name for the level."""
        return _LABELS[self]


_LABELS = {
    AutomationLevel.FULL: "Full - remediate threats automatically",
    AutomationLevel.SEMI_ANY_FOLDER: "Semi - require approval for any remediation",
    AutomationLevel.SEMI_CORE_FOLDERS: "Semi - require approval for core folders remediation",
    AutomationLevel.SEMI_NON_TEMP_FOLDERS: (
        "Semi - require approval for non-temp folders remediation"
    ),
    AutomationLevel.NO_AUTOMATED_RESPONSE: "No automated response",
}


def _strings(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(dict.fromkeys(v.strip() for v in raw if isinstance(v, str) and v.strip()))


def _text_or_none(raw: object) -> str | None:
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """What device groups match on, from ``deviceEvidence``."""

    device_id: str | None = None
    dns_name: str | None = None
    os_platform: str | None = None
    tags: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()

    @classmethod
    def from_evidence(cls, properties: Mapping[str, Any]) -> DeviceFacts:
        """Facts from Graph ``deviceEvidence`` properties (``ipInterfaces``, ``lastIpAddress``)."""
        return cls(
            device_id=_text_or_none(properties.get("mdeDeviceId")),
            dns_name=_text_or_none(properties.get("deviceDnsName"))
            or _text_or_none(properties.get("hostName")),
            os_platform=_text_or_none(properties.get("osPlatform")),
            tags=_strings(properties.get("tags")),
            ip_addresses=_strings(
                [*_strings(properties.get("ipInterfaces")), properties.get("lastIpAddress")]
            ),
        )

    @property
    def is_windows(self) -> bool | None:
        """Whether the device runs Windows; None when the platform is unknown."""
        if self.os_platform is None:
            return None
        return self.os_platform.lower().startswith("windows")


@dataclass(frozen=True, slots=True)
class DeviceGroupRule:
    """Conditions that all have to hold (unset ones are ignored).

    ``name_pattern`` is a case-insensitive glob on the DNS name or its host label (``srv-*``,
    ``*.dmz.contoso.com``); ``tag`` equals one of the device's tags, ignoring case;
    ``os_platform`` is a case-insensitive glob (``Windows*``, ``Linux``); ``ip_range`` is a CIDR
    network holding one of the device's addresses.
    """

    name_pattern: str | None = None
    tag: str | None = None
    os_platform: str | None = None
    ip_range: str | None = None

    def matches(self, facts: DeviceFacts) -> bool:
        """Whether every set condition holds for the device."""
        return (
            self._name_matches(facts)
            and (self.tag is None or self.tag.lower() in {t.lower() for t in facts.tags})
            and (
                self.os_platform is None
                or (
                    facts.os_platform is not None
                    and fnmatchcase(facts.os_platform.lower(), self.os_platform.lower())
                )
            )
            and self._ip_matches(facts)
        )

    def _name_matches(self, facts: DeviceFacts) -> bool:
        if self.name_pattern is None:
            return True
        if facts.dns_name is None:
            return False
        name, pattern = facts.dns_name.lower(), self.name_pattern.lower()
        return fnmatchcase(name, pattern) or fnmatchcase(name.split(".", 1)[0], pattern)

    def _ip_matches(self, facts: DeviceFacts) -> bool:
        if self.ip_range is None:
            return True
        network = ipaddress.ip_network(self.ip_range)
        for raw in facts.ip_addresses:
            try:
                address = ipaddress.ip_address(raw.split("%", 1)[0])
            except ValueError:
                continue
            if address.version == network.version and address in network:
                return True
        return False


@dataclass(frozen=True, slots=True)
class DeviceGroup:
    """A named set of devices with one automation level; ``rank`` 1 is consulted first."""

    name: str
    rank: int
    automation_level: AutomationLevel
    rules: tuple[DeviceGroupRule, ...] = ()
    description: str | None = None

    def matches(self, facts: DeviceFacts) -> bool:
        """Whether any of the group's rules matches the device."""
        return any(rule.matches(facts) for rule in self.rules)

    @property
    def is_default(self) -> bool:
        """The group of devices no other group takes."""
        return self.rank == DEFAULT_GROUP_RANK


def default_group(level: AutomationLevel = AutomationLevel.FULL) -> DeviceGroup:
    """The group "Ungrouped devices (default)" at ``level`` (full in new Defender tenants)."""
    return DeviceGroup(
        DEFAULT_GROUP_NAME, DEFAULT_GROUP_RANK, level, (), "Devices no other group takes."
    )
