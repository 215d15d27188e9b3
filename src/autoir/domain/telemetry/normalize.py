"""Normal forms of the values telemetry is pivoted on, applied when storing and when querying.

Lookups are exact on these forms, so ``Alice@Contoso.COM`` and ``alice@contoso.com`` meet, as
do ``2001:DB8::1`` and ``2001:db8::1``. Hosts are parsed by hand: the domain does no I/O and
``urllib`` is kept out of it (see ``tests/architecture``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from functools import lru_cache

# Senders, hosts and links repeat from message to message: the normal forms are memoised.
_CACHE = 65_536
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


@lru_cache(maxsize=_CACHE)
def normalize_address(raw: str) -> str | None:
    """An email address in lower case without angle brackets; None when it has no ``@``."""
    address = raw.strip().strip("<>").strip().lower()
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        return None
    return address


def address_domain(address: str | None) -> str | None:
    """The domain part of a normalised address."""
    if not address or "@" not in address:
        return None
    return address.rsplit("@", 1)[1] or None


@lru_cache(maxsize=_CACHE)
def normalize_ip(raw: str) -> str | None:
    """An IPv4 or IPv6 address in its canonical (compressed, lower-case) form; None if invalid.

    IPv4-mapped IPv6 addresses (``::ffff:192.0.2.1``) become the IPv4 address they carry.
    """
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def normalize_sha256(raw: str) -> str | None:
    """A SHA-256 as 64 lower-case hex digits; None otherwise."""
    value = raw.strip().lower()
    return value if _SHA256.fullmatch(value) else None


@lru_cache(maxsize=_CACHE)
def normalize_url(raw: str) -> str:
    """The URL with its scheme and host in lower case (path, query and fragment as given).

    A URL without a scheme (``www.example.com/x``) is kept as given apart from its host.
    """
    url = raw.strip()
    match = _SCHEME.match(url)
    if match is None:
        start = 0
    elif url[match.end() : match.end() + 2] == "//":
        start = match.end() + 2
        url = match.group(1).lower() + url[match.end() - 1 :]
    else:
        return match.group(1).lower() + url[match.end() - 1 :]  # mailto:, data:, …: no host
    end = _authority_end(url, start)
    authority = url[start:end]
    user, at, hostport = authority.rpartition("@")
    return url[:start] + user + at + hostport.lower() + url[end:]


@lru_cache(maxsize=_CACHE)
def url_host(url: str) -> str | None:
    """The host of a URL in lower case without port, credentials or trailing dot."""
    match = _SCHEME.match(url)
    if match is not None:
        if url[match.end() : match.end() + 2] != "//":
            return None
        start = match.end() + 2
    else:
        start = 0
    authority = url[start : _authority_end(url, start)].rpartition("@")[2]
    if authority.startswith("["):  # [IPv6]:port
        host = authority[1:].partition("]")[0]
    else:
        host = authority.partition(":")[0]
    host = host.strip().rstrip(".").lower()
    return host or None


def _authority_end(url: str, start: int) -> int:
    ends = [i for i in (url.find(c, start) for c in "/?#\\") if i >= 0]
    return min(ends) if ends else len(url)


def content_id(kind: str, parts: tuple[object, ...]) -> str:
    """A stable id for a record that came without one: a digest of its normalised fields.

    Sending the same record again gives the same id, so re-ingest is idempotent.
    """
    text = "\x1f".join("" if part is None else str(part) for part in (kind, *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
