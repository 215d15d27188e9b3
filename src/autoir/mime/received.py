"""Where a message came from and when it arrived, from its trace headers.

The sender IP is the address of the first hop outside the receiving organisation, in this order
of trust:

1. what the top-most receiving server recorded while checking SPF (``client-ip=`` in
   ``Received-SPF``, ``sender IP is`` in Microsoft's ``Authentication-Results``);
2. the ``from`` clause of the ``Received:`` headers, walking down from the top and skipping
   private, loopback and link-local addresses and relays inside one provider (the ``from`` and
   ``by`` hosts share a registered domain) or inside the organisation's domains;
3. ``X-Originating-IP`` (webmail clients).

The received time is the date of the top-most ``Received:`` header (the last hop, ours), else
``Date:``. Dates without a zone are UTC.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from autoir.mime.charsets import recover_text
from autoir.mime.headers import header_values, unfold

_IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
_IPV6 = r"(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%\w+)?"
_IP = re.compile(rf"(?<![\w.:])(?:IPv6:)?({_IPV4}|{_IPV6})(?![\w.:])", re.IGNORECASE)
_CLIENT_IP = re.compile(rf"client-ip\s*=\s*\[?({_IPV4}|{_IPV6})", re.IGNORECASE)
_SENDER_IP_IS = re.compile(rf"sender\s+ip\s+is\s+\[?({_IPV4}|{_IPV6})", re.IGNORECASE)
_FROM_HOST = re.compile(r"^\s*from\s+\[?([\w.-]+)", re.IGNORECASE)
_BY_HOST = re.compile(r"\bby\s+([\w.-]+)", re.IGNORECASE)
_BY_CLAUSE = re.compile(r"\sby\s", re.IGNORECASE)
_DOMAIN_LABELS = 2  # also the length of a country-code TLD
_SHORT_SECOND_LEVEL = 3  # co.uk, com.br, gov.au


def received_time(headers: list[tuple[str, str]]) -> datetime | None:
    """Time of the top-most ``Received:`` that has a valid date, else ``Date:`` (UTC)."""
    for value in header_values(headers, "Received"):
        _, sep, date_text = recover_text(value).rpartition(";")
        if sep:
            parsed = parse_date(date_text)
            if parsed is not None:
                return parsed
    for value in header_values(headers, "Date"):
        parsed = parse_date(recover_text(value))
        if parsed is not None:
            return parsed
    return None


def parse_date(text: str) -> datetime | None:
    """An RFC 5322 date as an aware UTC datetime, ``None`` when unreadable."""
    try:
        parsed = parsedate_to_datetime(unfold(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def sender_ip(
    headers: list[tuple[str, str]], organisation_domains: frozenset[str] = frozenset()
) -> str | None:
    """The connecting IP of the first external hop (rules in the module docstring)."""
    for name, pattern in (("Received-SPF", _CLIENT_IP), ("Authentication-Results", _SENDER_IP_IS)):
        values = header_values(headers, name)
        if values:
            match = pattern.search(recover_text(values[0]))
            ip = _public_ip(match.group(1)) if match else None
            if ip:
                return ip
    for value in header_values(headers, "Received"):
        ip = _external_hop_ip(unfold(recover_text(value)), organisation_domains)
        if ip:
            return ip
    for value in header_values(headers, "X-Originating-IP"):
        match = _IP.search(recover_text(value))
        ip = _public_ip(match.group(1)) if match else None
        if ip:
            return ip
    return None


def _external_hop_ip(received: str, organisation_domains: frozenset[str]) -> str | None:
    split = _BY_CLAUSE.search(received)
    from_clause = received[: split.start()] if split else received
    if not from_clause.lower().lstrip().startswith("from"):
        return None
    from_host = _FROM_HOST.search(from_clause)
    by_host = _BY_HOST.search(received[split.start() :]) if split else None
    from_domain = _registered_domain(from_host.group(1)) if from_host else None
    by_domain = _registered_domain(by_host.group(1)) if by_host else None
    if from_domain and (from_domain == by_domain or from_domain in organisation_domains):
        return None
    for match in _IP.finditer(from_clause):
        ip = _public_ip(match.group(1))
        if ip:
            return ip
    return None


def _registered_domain(host: str) -> str | None:
    """Last two labels (three under a two-letter ccTLD second level): enough to tell providers."""
    labels = [label for label in host.lower().strip(".").split(".") if label]
    if len(labels) < _DOMAIN_LABELS or all(label.isdigit() for label in labels):
        return None
    under_cc_second_level = (
        len(labels) > _DOMAIN_LABELS
        and len(labels[-2]) <= _SHORT_SECOND_LEVEL
        and len(labels[-1]) == _DOMAIN_LABELS
    )
    return ".".join(labels[-(_DOMAIN_LABELS + under_cc_second_level) :])


def _public_ip(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    ):
        return None
    return str(address)
