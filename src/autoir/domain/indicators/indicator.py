"""Indicators in the MDE ``ti-indicator`` shape and a pure matcher over a set of them.

Matching: hashes and IPs exactly; domains match the domain and its subdomains; URLs match the
exact URL or a URL prefix ending in ``/``; sender addresses exactly. Expired indicators never
match. When both an allow and a block entry match, allow wins (the analyzer reports it as an
authoritative ``noThreatsFound``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class IndicatorType(StrEnum):
    """``indicatorType`` plus ``EmailAddress`` for sender allow/block lists."""

    FILE_SHA1 = "FileSha1"
    FILE_SHA256 = "FileSha256"
    FILE_MD5 = "FileMd5"
    CERTIFICATE_THUMBPRINT = "CertificateThumbprint"
    IP_ADDRESS = "IpAddress"
    DOMAIN_NAME = "DomainName"
    URL = "Url"
    EMAIL_ADDRESS = "EmailAddress"


class IndicatorAction(StrEnum):
    """``action``."""

    ALLOWED = "Allowed"
    AUDIT = "Audit"
    WARN = "Warn"
    BLOCK = "Block"
    BLOCK_AND_REMEDIATE = "BlockAndRemediate"

    @property
    def blocks(self) -> bool:
        """Whether a match means malicious."""
        return self in {IndicatorAction.BLOCK, IndicatorAction.BLOCK_AND_REMEDIATE}


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator; ``value`` is normalised (lower-case) by whoever builds it."""

    id: str
    indicator_type: IndicatorType
    value: str
    action: IndicatorAction
    title: str
    expiration: datetime | None = None

    def active_at(self, moment: datetime) -> bool:
        """Whether the indicator is in force at ``moment``."""
        return self.expiration is None or moment < self.expiration


def normalise_indicator_value(indicator_type: IndicatorType, value: str) -> str:
    """The form indicators are stored and matched in."""
    value = value.strip()
    if indicator_type is IndicatorType.URL:
        scheme, sep, rest = value.partition("://")
        if sep:
            host, slash, path = rest.partition("/")
            return f"{scheme.lower()}://{host.lower()}{slash}{path}"
        return value
    if indicator_type is IndicatorType.DOMAIN_NAME:
        return value.lower().rstrip(".")
    return value.lower()


class IndicatorSet:
    """Indicators indexed for lookup; build once per investigation step from the repository."""

    def __init__(self, indicators: Iterable[Indicator], *, now: datetime) -> None:
        """Index the indicators active at ``now``."""
        self._by_key: dict[tuple[IndicatorType, str], list[Indicator]] = {}
        for indicator in indicators:
            if indicator.active_at(now):
                key = (indicator.indicator_type, indicator.value)
                self._by_key.setdefault(key, []).append(indicator)

    def __len__(self) -> int:
        """Number of distinct (type, value) keys."""
        return len(self._by_key)

    def match(self, indicator_type: IndicatorType, value: str) -> list[Indicator]:
        """Indicators of ``indicator_type`` matching ``value`` (see the module docstring)."""
        value = normalise_indicator_value(indicator_type, value)
        if indicator_type is IndicatorType.DOMAIN_NAME:
            labels = value.split(".")
            found: list[Indicator] = []
            for start in range(len(labels) - 1):
                found.extend(self._by_key.get((indicator_type, ".".join(labels[start:])), ()))
            return found
        if indicator_type is IndicatorType.URL:
            found = list(self._by_key.get((indicator_type, value), ()))
            cut = value.rfind("/")
            while cut > value.find("://") + 2:
                found.extend(self._by_key.get((indicator_type, value[: cut + 1]), ()))
                cut = value.rfind("/", 0, cut)
            return found
        return list(self._by_key.get((indicator_type, value), ()))
