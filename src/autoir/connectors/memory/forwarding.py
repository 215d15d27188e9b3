"""A tiny Sieve model: enough of RFC 5228 ``redirect`` to find and remove external forwarding.

Scripts are kept as text. Only ``redirect [:copy] "address";`` commands are understood;
everything else (``vacation`` (RFC 5230), ``fileinto``, ``keep``, tests and blocks) is carried
through byte for byte, so removing a redirect never changes another rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_REDIRECT = re.compile(r'\bredirect\s+(?::copy\s+)?"((?:[^"\\]|\\.)*)"\s*;', re.IGNORECASE)


def redirect_targets(script: str) -> list[str]:
    """The addresses ``script`` redirects mail to, in order."""
    return [_unquote(match.group(1)) for match in _REDIRECT.finditer(script)]


def is_internal(address: str, internal_domains: Sequence[str]) -> bool:
    """Whether ``address`` is in one of ``internal_domains`` (or a subdomain of one).

    An address without a domain names a local user (RFC 5228 §4.2), so it is internal.
    """
    if "@" not in address:
        return True
    domain = address.rsplit("@", 1)[1].strip().lower().rstrip(".")
    for internal in internal_domains:
        wanted = internal.strip().lower().rstrip(".")
        if domain == wanted or domain.endswith("." + wanted):
            return True
    return False


def without_external_redirects(
    script: str, internal_domains: Sequence[str]
) -> tuple[str, list[str]]:
    """``script`` with its external redirects removed, and the addresses removed.

    A line left blank by a removal is dropped; every other character stays as it was.
    """
    removed: list[str] = []

    def drop_external(match: re.Match[str]) -> str:
        address = _unquote(match.group(1))
        if is_internal(address, internal_domains):
            return match.group(0)
        removed.append(address)
        return ""

    lines: list[str] = []
    for line in script.splitlines(keepends=True):
        kept = _REDIRECT.sub(drop_external, line)
        if kept != line and not kept.strip():
            continue
        lines.append(kept)
    return "".join(lines), removed


def _unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted)
