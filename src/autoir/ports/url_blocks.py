"""The click-time URL block list as the services read it: active blocks, matching, exports.

:class:`~autoir.ports.remediation.UrlBlocker` is the write side that remediation actions call;
:class:`UrlBlockList` is the read side behind ``/l`` (is this click blocked?) and the lists that
proxies and resolvers fetch. One adapter implements both.

Scopes: a ``url`` block covers that URL and everything under it (path prefix at a segment
boundary, any scheme and port, host case-insensitive); a ``domain`` block covers the host and
every subdomain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class BlockScope(StrEnum):
    """What a block covers."""

    URL = "url"
    """The URL and everything under it on the same host."""
    DOMAIN = "domain"
    """The host and all its subdomains."""


@dataclass(frozen=True, slots=True)
class UrlBlock:
    """One active block."""

    id: int
    url: str
    """As blocked, normalised (scheme and host in lower case); the host alone for a domain."""
    host: str
    """Lower case, IDNA (``xn--``) form, no port or trailing dot."""
    scope: BlockScope
    prefix: str
    """What is matched, without scheme: ``host/path[?query]`` for a URL, the host for a domain."""
    action_id: str
    reason: str
    created_at: datetime
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class UrlBlockExport:
    """The active block list in the shapes proxies and resolvers need."""

    domains: tuple[str, ...]
    """Hosts of domain-scope blocks (each covers its subdomains), sorted, without names that a
    listed parent already covers."""
    hosts: tuple[str, ...]
    """Hosts blocked whole but not their subdomains (URL blocks whose path is ``/``), sorted,
    without those the domains cover."""
    url_prefixes: tuple[str, ...]
    """``host/path[?query]`` of every URL-scope block, sorted."""
    changed_at: datetime | None
    """The latest block or unblock (None when the list was never used): the zone's serial."""


class UrlBlockList(Protocol):
    """Reads the URL block list."""

    def active_blocks(self) -> list[UrlBlock]:
        """Every block in force, newest first."""
        ...

    def match(self, url: str) -> UrlBlock | None:
        """The block that stops a click on ``url`` (the most specific one), or None."""
        ...

    def export(self) -> UrlBlockExport:
        """The active list for proxies (domains, URL prefixes) and DNS resolvers (RPZ)."""
        ...
