"""OData ``$filter`` terms written from form fields (quoting, lists, time ranges, entities).

The UI builds the same ``$filter`` text a REST client would send and parses it with
``autoir.odata.parse_list_query``, so the queue and the API share one path and the generated
filter can be shown to the analyst and copied into API calls.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

from autoir.domain.alerts.enums import parse_enum
from autoir.domain.timestamps import format_timestamp

RANGES = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
RANGE_OPTIONS = ("24h", "7d", "30d", "custom", "any")
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_MD5 = re.compile(r"^[0-9a-f]{32}$")

# Evidence paths searched for each entity type the analyst may choose.
# An entity match is by kind and value, so one path per kind covers every property of that kind
# (``deviceDnsName`` also finds ``mdeDeviceId`` and ``azureAdDeviceId`` values).
ENTITY_PATHS: dict[str, tuple[str, ...]] = {
    "device": ("deviceDnsName",),
    "user": ("userAccount/userPrincipalName",),
    "mailbox": ("primaryAddress",),
    "file": ("fileDetails/sha256", "fileDetails/sha1", "fileDetails/md5"),
    "sha256": ("fileDetails/sha256",),
    "md5": ("fileDetails/md5",),
    "ip": ("ipAddress",),
    "url": ("url",),
    "any": ("value",),
}
ENTITY_TYPES = ("auto", "device", "user", "mailbox", "file", "ip", "url", "any")


def quote(value: str) -> str:
    """An OData string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def timestamp(value: datetime) -> str:
    """An OData date-time literal in UTC, to the second."""
    text = format_timestamp(value.replace(microsecond=0))
    assert text is not None
    return text.replace(".000000Z", "Z")


def enum_term(field: str, values: Iterable[str]) -> str | None:
    """``field eq 'v'`` or ``field in ('a', 'b')``; None for no values."""
    chosen = list(dict.fromkeys(values))
    if not chosen:
        return None
    if len(chosen) == 1:
        return f"{field} eq {quote(chosen[0])}"
    return f"{field} in ({', '.join(quote(v) for v in chosen)})"


def assigned_term(assigned: str, me: str) -> str | None:
    """``assignedTo`` for "me", "unassigned" or a name."""
    match assigned.strip():
        case "":
            return None
        case "me":
            return f"assignedTo eq {quote(me)}"
        case "unassigned":
            return "assignedTo eq null"
        case name:
            return f"assignedTo eq {quote(name)}"


def created_terms(
    field: str, choice: str, start: str, end: str, now: datetime
) -> tuple[list[str], list[str]]:
    """Terms for a time range choice and the problems found in custom dates."""
    if choice in RANGES:
        return [f"{field} ge {timestamp(now - RANGES[choice])}"], []
    if choice != "custom":
        return [], []
    terms: list[str] = []
    problems: list[str] = []
    for raw, op, shift in ((start, "ge", 0), (end, "lt", 1)):
        if not raw:
            continue
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            problems.append(raw)
            continue
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=shift)
        terms.append(f"{field} {op} {timestamp(moment)}")
    return terms, problems


def entity_kind_of(value: str) -> str:  # noqa: PLR0911 - one return per shape
    """Guess the entity type from a value's shape (hash, IP, URL, address, host name)."""
    text = value.strip().lower()
    if _SHA256.match(text):
        return "sha256"
    if _MD5.match(text):
        return "md5"
    if _SHA1.match(text):
        return "any"  # 40 hex digits: a SHA-1 or a device id
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        return "ip"
    if "://" in text:
        return "url"
    if "@" in text:
        return "mailbox_or_user"
    return "any"


def entity_term(value: str, kind: str) -> str | None:
    """``evidence/any(e: e/<path> eq 'v' or …)`` for an entity value and type."""
    text = value.strip()
    if not text:
        return None
    if kind not in ENTITY_TYPES or kind == "auto":
        kind = entity_kind_of(text)
    paths = (
        ENTITY_PATHS["mailbox"] + ENTITY_PATHS["user"]
        if kind == "mailbox_or_user"
        else ENTITY_PATHS.get(kind, ENTITY_PATHS["any"])
    )
    condition = " or ".join(f"e/{path} eq {quote(text)}" for path in paths)
    return f"evidence/any(e: {condition})"


def join_terms(terms: Iterable[str | None], advanced: str = "") -> str | None:
    """All terms and-ed; the analyst's own ``$filter`` is parenthesised."""
    parts = [t for t in terms if t]
    if advanced.strip():
        parts.append(f"({advanced.strip()})")
    return " and ".join(parts) or None


def pick_enum(enum_cls: type[StrEnum], raw: Iterable[str]) -> tuple[str, ...]:
    """The known values among ``raw`` in their canonical spelling (unknown ones are dropped)."""
    picked: list[str] = []
    for item in raw:
        member = parse_enum(enum_cls, item)
        if member is not None and member.value not in picked:
            picked.append(member.value)
    return tuple(picked)


def page_size(raw: str | None) -> int:
    """A page size among :data:`PAGE_SIZES`."""
    try:
        size = int(raw or DEFAULT_PAGE_SIZE)
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def offset(raw: str | None) -> int:
    """A non-negative row offset."""
    try:
        return max(0, int(raw or 0))
    except ValueError:
        return 0


def encode(pairs: Mapping[str, object] | Iterable[tuple[str, object]]) -> str:
    """A query string from pairs, skipping empty values (lists give repeated keys)."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    flat: list[tuple[str, str]] = []
    for key, value in items:
        if isinstance(value, list | tuple):
            flat.extend((key, str(v)) for v in value if v not in (None, ""))
        elif value not in (None, ""):
            flat.append((key, str(value)))
    return urlencode(flat)
