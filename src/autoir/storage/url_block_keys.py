r"""Canonical forms of blocked URLs and the look-up keys of a click.

A block and a click meet when they reduce to the same text, so both go through the same steps,
chosen so that spellings a browser treats alike cannot slip past a block:

- host: percent-decoded, lower case, IDNA ``xn--`` form, no port, credentials or trailing dot;
  IPv4 in the WHATWG URL Standard's forms (``0x7f.1``, ``2130706433``) and IPv6 canonical;
- scheme and port are ignored (a block on ``https://…`` also stops ``http://…:8080``);
- path (RFC 3986 §6.2.2): percent-encoded unreserved characters decoded, other escapes in upper
  case, ``\\`` as ``/``, dot segments removed (§5.2.4), empty segments and a trailing ``/``
  dropped; the path stays case-sensitive, as servers treat it;
- query kept (escapes normalised as in the path), fragment dropped (it never reaches a server).

A URL-scope block's prefix is ``host/path[?query]``: it covers the same path and every path
under it (segment boundary: ``/a`` covers ``/a/b`` but not ``/ab``), and, when it names a query,
the same path with that query or that query followed by more ``&`` parameters.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import string
from dataclasses import dataclass
from urllib.parse import unquote

from autoir.domain.telemetry.normalize import normalize_url, url_host
from autoir.ports.url_blocks import BlockScope
from autoir.storage.url_block_tables import MAX_URL_KEY

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_WEB_SCHEMES = frozenset({"http", "https"})
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")
_STRIPPED = str.maketrans("", "", "\t\r\n")  # browsers drop these anywhere in a URL (WHATWG)
_MAX_HOST = 253
_IPV4_PARTS = 4


@dataclass(frozen=True, slots=True)
class BlockTarget:
    """What a block stores: the URL as shown, its host, scope and matched prefix."""

    url: str
    host: str
    scope: BlockScope
    prefix: str

    @property
    def key(self) -> str:
        """The indexed look-up key."""
        return lookup_key(self.scope, self.prefix)


def lookup_key(scope: BlockScope, prefix: str) -> str:
    """``url:<prefix>`` or ``domain:<host>``, hashed when longer than the indexed column."""
    text = f"{scope.value}:{prefix}"
    if len(text) <= MAX_URL_KEY:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ipv4_number(part: str) -> int | None:
    if not _IPV4_PART.fullmatch(part):
        return None
    if part[:2] in {"0x", "0X"}:
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8) if set(part) <= set("01234567") else None
    return int(part)


def _ipv4(host: str) -> str | None:
    """The WHATWG IPv4 parser: None when the host is not an IPv4 address in any spelling."""
    parts = host.split(".")
    if not parts[-1] or _IPV4_PART.fullmatch(parts[-1]) is None or len(parts) > _IPV4_PARTS:
        return None
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    last = values.pop()
    if any(v > 255 for v in values) or last >= 256 ** (_IPV4_PARTS - len(values)):  # noqa: PLR2004
        return None
    address = last
    for position, value in enumerate(values):
        address += value << (8 * (3 - position))
    return str(ipaddress.IPv4Address(address))


def _ip_address(host: str) -> str | None:
    """The canonical IPv6 or IPv4 (any WHATWG spelling) form of ``host``, if it is one."""
    if ":" not in host:
        return _ipv4(host)
    try:
        address = ipaddress.IPv6Address(host)
    except ValueError:
        return None
    return str(address.ipv4_mapped or address)


def canonical_host(raw: str) -> str | None:
    """A host in its canonical form, or None when it is not a host name or IP address."""
    host = unquote(raw.translate(_STRIPPED)).strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    address = _ip_address(host) if host else None
    if address is not None or not host or ":" in host:
        return address
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if len(host) > _MAX_HOST or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return None
    return host


def _escapes(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(one, text)


def canonical_path(raw: str) -> str:
    """``/a/b`` form: escapes normalised, dot and empty segments removed, no trailing slash."""
    segments: list[str] = []
    for segment in _escapes(raw.replace("\\", "/")).split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in {"", "."}:
            segments.append(segment)
    return "/" + "/".join(segments)


def _split(raw: str) -> tuple[str, str, str | None] | None:
    """(host, path, query) of an http(s) or scheme-less URL; None for anything else."""
    url = normalize_url(raw.translate(_STRIPPED))
    match = _SCHEME.match(url)
    start = 0
    if match is not None:
        if match.group(1).lower() not in _WEB_SCHEMES or url[match.end() : match.end() + 2] not in {
            "//",
            "\\\\",
        }:
            return None
        start = match.end() + 2
        url = url[: match.end()] + "//" + url[start:]
    host = canonical_host(url_host(url) or "")
    if host is None:
        return None
    ends = [i for i in (url.find(c, start) for c in "/?#\\") if i >= 0]
    rest = url[min(ends) :].partition("#")[0] if ends else ""
    path, has_query, query = rest.partition("?")
    return host, canonical_path(path), _escapes(query) if has_query and query else None


def _is_bare_host(raw: str) -> bool:
    return "://" not in raw and not any(c in raw for c in "/?#\\")


def parse_target(raw: str, scope: BlockScope | None = None) -> BlockTarget | None:
    """What blocking ``raw`` stores; None when it is neither an http(s) URL nor a host.

    Without ``scope``, a bare host (``evil.example``, ``*.evil.example``, an IP address) is a
    domain block and anything with a scheme or path a URL block.
    """
    text = raw.strip()
    if scope is None:
        scope = BlockScope.DOMAIN if _is_bare_host(text) else BlockScope.URL
    if scope is BlockScope.DOMAIN:
        if _is_bare_host(text):
            host = canonical_host(text.removeprefix("*."))
        else:
            parts = _split(text)
            host = parts[0] if parts else None
        return None if host is None else BlockTarget(host, host, scope, host)
    parts = _split(text)
    if parts is None:
        return None
    host, path, query = parts
    prefix = host + path + ("" if query is None else f"?{query}")
    return BlockTarget(normalize_url(text), host, scope, prefix)


def parent_domains(host: str) -> list[str]:
    """The host and each parent domain (an IP address only itself)."""
    if ":" in host or _ipv4(host) == host:
        return [host]
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def click_keys(url: str) -> list[str]:
    """The look-up keys of every block that could cover a click on ``url`` (empty: none can)."""
    parts = _split(url)
    if parts is None:
        return []
    host, path, query = parts
    keys = [lookup_key(BlockScope.DOMAIN, d) for d in parent_domains(host)]
    segments = path.split("/")[1:]
    prefixes = [host + "/"] + [
        host + "/" + "/".join(segments[:i]) for i in range(1, len(segments) + 1)
    ]
    keys.extend(lookup_key(BlockScope.URL, p) for p in dict.fromkeys(prefixes))
    if query is not None:
        params = query.split("&")
        keys.extend(
            lookup_key(BlockScope.URL, f"{host}{path}?{'&'.join(params[:i])}")
            for i in range(1, len(params) + 1)
        )
    return list(dict.fromkeys(keys))


def is_covered(host: str, domains: set[str], *, strict: bool = False) -> bool:
    """Whether a domain block in ``domains`` covers ``host`` (``strict``: a parent, not itself)."""
    candidates = parent_domains(host)
    return any(d in domains for d in (candidates[1:] if strict else candidates))
