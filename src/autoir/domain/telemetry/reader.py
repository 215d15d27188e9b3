"""Reading the typed fields of one inbound JSON object, with errors that name the field.

Every reader method returns the value or ``None`` and, when the value is present but wrong,
appends one :class:`~autoir.domain.errors.FieldError` whose target is the JSON path
(``value[3].senderIPv4``). Properties the format does not know are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from autoir.domain.alerts.enums import enum_values, parse_enum
from autoir.domain.errors import FieldError
from autoir.domain.telemetry.normalize import normalize_address, normalize_ip, normalize_sha256
from autoir.domain.timestamps import parse_timestamp

E = TypeVar("E", bound=StrEnum)
MAX_STRING = 4096


class FieldReader:
    """Typed access to one JSON object at ``target`` in the request."""

    def __init__(self, payload: Mapping[str, Any], target: str, errors: list[FieldError]) -> None:
        self.payload = payload
        self.target = target
        self.errors = errors
        self._before = len(errors)

    @property
    def ok(self) -> bool:
        """No error was recorded for this object (nested readers included) so far."""
        return len(self.errors) == self._before

    def fail(self, name: str, message: str) -> None:
        """Record an error on ``name`` (empty for the object itself)."""
        self.errors.append(FieldError(f"{self.target}.{name}" if name else self.target, message))

    def require(self, name: str, value: object) -> None:
        """Record "is required" when a required field came out as None and had no other error."""
        if value is None and self.payload.get(name) is None:
            self.fail(name, "is required")

    def string(self, name: str, *, max_length: int = MAX_STRING) -> str | None:
        """A string; empty or blank strings read as absent."""
        raw = self.payload.get(name)
        if raw is None:
            return None
        if not isinstance(raw, str):
            self.fail(name, "must be a string")
            return None
        if len(raw) > max_length:
            self.fail(name, f"is longer than {max_length} characters")
            return None
        return raw if raw.strip() else None

    def text(self, name: str, *, max_length: int = 64 * 1024) -> str:
        """A string that may be empty (subjects, command lines); absent reads as ``""``."""
        value = self.string(name, max_length=max_length)
        return "" if value is None else value

    def time(self, name: str) -> datetime | None:
        """An ISO 8601 date-time, as aware UTC."""
        raw = self.payload.get(name)
        if raw is None:
            return None
        parsed = parse_timestamp(raw) if isinstance(raw, str) else None
        if parsed is None:
            self.fail(name, f"not an ISO 8601 date-time: {raw!r}")
        return parsed

    def integer(self, name: str, *, minimum: int = 0, maximum: int = 2**63 - 1) -> int | None:
        """An integer within bounds (JSON numbers with no fraction; booleans are refused)."""
        raw = self.payload.get(name)
        if raw is None:
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.fail(name, "must be an integer")
            return None
        if not minimum <= raw <= maximum:
            self.fail(name, f"must be between {minimum} and {maximum}")
            return None
        return raw

    def number(self, name: str, *, minimum: float, maximum: float) -> float | None:
        """A number within bounds."""
        raw = self.payload.get(name)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.fail(name, "must be a number")
            return None
        if not minimum <= raw <= maximum:
            self.fail(name, f"must be between {minimum} and {maximum}")
            return None
        return float(raw)

    def boolean(self, name: str) -> bool | None:
        """``true`` or ``false``."""
        raw = self.payload.get(name)
        if raw is None:
            return None
        if not isinstance(raw, bool):
            self.fail(name, "must be true or false")
            return None
        return raw

    def enum(
        self, name: str, enum_cls: type[E], aliases: Mapping[str, E] | None = None
    ) -> E | None:
        """A member of ``enum_cls`` by value in any case, or by a lower-case alias."""
        raw = self.payload.get(name)
        if raw is None:
            return None
        member = None
        if isinstance(raw, str):
            member = parse_enum(enum_cls, raw)
            if member is None and aliases is not None:
                member = aliases.get(raw.strip().lower())
        if member is None:
            self.fail(name, f"unknown value {raw!r}; expected one of {enum_values(enum_cls)}")
        return member

    def ip(self, name: str) -> str | None:
        """An IPv4 or IPv6 address, canonical form."""
        raw = self.string(name, max_length=64)
        if raw is None:
            return None
        value = normalize_ip(raw)
        if value is None:
            self.fail(name, f"not an IP address: {raw!r}")
        return value

    def address(self, name: str) -> str | None:
        """An email address, lower case."""
        raw = self.string(name, max_length=320)
        if raw is None:
            return None
        value = normalize_address(raw)
        if value is None:
            self.fail(name, f"not an email address: {raw!r}")
        return value

    def addresses(self, name: str, *, max_items: int = 1000) -> tuple[str, ...]:
        """One address or a list of them, de-duplicated in order."""
        raw = self.payload.get(name)
        if raw is None:
            return ()
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.fail(name, "must be an email address or a list of them")
            return ()
        if len(items) > max_items:
            self.fail(name, f"holds more than {max_items} addresses")
            return ()
        found: list[str] = []
        for index, item in enumerate(items):
            value = normalize_address(item)
            if value is None:
                self.fail(
                    f"{name}[{index}]" if isinstance(raw, list) else name,
                    f"not an email address: {item!r}",
                )
            elif value not in found:
                found.append(value)
        return tuple(found)

    def sha256(self, name: str) -> str | None:
        """A SHA-256 as 64 hex digits (lower case)."""
        raw = self.string(name, max_length=128)
        if raw is None:
            return None
        value = normalize_sha256(raw)
        if value is None:
            self.fail(name, "must be a SHA-256: 64 hexadecimal digits")
        return value

    def child(self, name: str) -> FieldReader | None:
        """A nested object, or None when absent (an error when it is not an object)."""
        raw = self.payload.get(name)
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.fail(name, "must be a JSON object")
            return None
        return FieldReader(raw, f"{self.target}.{name}", self.errors)

    def items(self, name: str, *, max_items: int) -> Iterator[tuple[str, object]]:
        """The elements of a list with their JSON paths; nothing when absent or not a list."""
        raw = self.payload.get(name)
        if raw is None:
            return
        if not isinstance(raw, list):
            self.fail(name, "must be a list")
            return
        if len(raw) > max_items:
            self.fail(name, f"holds more than {max_items} items")
            return
        for index, item in enumerate(raw):
            yield f"{self.target}.{name}[{index}]", item
