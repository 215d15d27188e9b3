"""The automation policy's JSON shape (``GET``/``PUT /api/v1/automation``), read and checked.

:class:`PolicyReader` reads the document field by field and collects one
:class:`~autoir.domain.errors.FieldError` per bad field instead of stopping at the first, so a
form shows every mistake at once; :meth:`AutomationPolicy.from_json
<autoir.domain.remediation.automation.AutomationPolicy.from_json>` and ``to_json`` assemble the
policy from it. Unknown keys are errors: a misspelt ``deviceGroup`` must not silently drop the
groups.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from autoir.domain.alerts.enums import parse_enum
from autoir.domain.errors import FieldError
from autoir.domain.remediation.device_groups import (
    DEFAULT_GROUP_NAME,
    MAX_DESCRIPTION,
    MAX_DEVICE_GROUPS,
    MAX_RANK,
    MAX_RULES,
    MAX_TEXT,
    AutomationLevel,
    DeviceGroup,
    DeviceGroupRule,
)

POLICY_KEYS = ("deviceGroups", "defaultAutomationLevel", "email", "pendingActionExpiryDays")
_GROUP_KEYS = ("name", "rank", "automationLevel", "description", "rules")
_REQUIRED_GROUP_KEYS = ("name", "rank", "automationLevel", "rules")
_RULE_KEYS = ("namePattern", "tag", "osPlatform", "ipRange")
EMAIL_KEYS = ("autoSoftDeleteSimilarFiles", "autoSoftDeleteSimilarUrls", "maxClusterSize")


class PolicyReader:
    """Reads the policy JSON, collecting one error per bad field instead of stopping."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str) -> None:
        """Record that the field at ``path`` (under the prefix) is bad."""
        target = ".".join(p for p in (self.prefix, path) if p) or "body"
        self.errors.append(FieldError(target, message))

    def mapping(self, raw: object, path: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
        """An object with only ``keys``; ``{}`` if it is not one."""
        if not isinstance(raw, Mapping):
            self.fail(path, "must be an object")
            return {}
        for key in raw:
            if key not in keys:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, "is not a known property; expected one of " + ", ".join(keys))
        return raw

    def array(self, raw: object, path: str, limit: int = MAX_DEVICE_GROUPS) -> list[Any]:
        """An array of at most ``limit`` entries; ``[]`` if it is not one or is longer."""
        if not isinstance(raw, list):
            self.fail(path, "must be an array")
            return []
        if len(raw) > limit:
            self.fail(path, f"has {len(raw)} entries; at most {limit} are allowed")
            return []
        return raw

    def boolean(self, raw: object, path: str) -> bool:
        """A boolean; False if it is not one."""
        if not isinstance(raw, bool):
            self.fail(path, "must be true or false")
            return False
        return raw

    def integer(self, raw: object, path: str, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``; ``low`` if it is not one."""
        if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
            self.fail(path, f"must be a whole number from {low:,} to {high:,}")
            return low
        return raw

    def text(self, raw: object, path: str, limit: int = MAX_TEXT) -> str | None:
        """A string, or None for null or blank (forms send ``""`` for an empty field)."""
        if raw is None:
            return None
        if not isinstance(raw, str):
            self.fail(path, "must be a string")
            return None
        if len(raw) > limit:
            self.fail(path, f"is longer than {limit} characters")
            return None
        return raw.strip() or None

    def level(self, raw: object, path: str) -> AutomationLevel | None:
        """An automation level by its API value, ignoring case; None if it is not one."""
        level = parse_enum(AutomationLevel, raw) if isinstance(raw, str) else None
        if level is None:
            allowed = ", ".join(m.value for m in AutomationLevel)
            self.fail(path, f"unknown automation level {raw!r}; expected one of {allowed}")
        return level

    def glob(self, raw: object, path: str) -> str | None:
        """A glob pattern (text whose every ``[`` is closed), else None."""
        pattern = self.text(raw, path)
        if pattern is not None and re.search(r"\[(?![^\]]+\])", pattern):
            self.fail(path, f"{pattern!r} has a '[' without its closing ']'")
            return None
        return pattern

    def network(self, raw: object, path: str) -> str | None:
        """A CIDR network without host bits, normalised; None for null, blank or bad."""
        text = self.text(raw, path)
        if text is None:
            return None
        try:
            return str(ipaddress.ip_network(text))
        except ValueError:
            try:
                loose = ipaddress.ip_network(text, strict=False)
            except ValueError:
                self.fail(path, f"{text!r} is not a network in CIDR form (10.0.0.0/8, fd00::/8)")
            else:
                self.fail(path, f"{text!r} has host bits set; did you mean {loose}?")
            return None

    def rule(self, raw: object, path: str) -> DeviceGroupRule | None:
        """A rule with at least one condition, else None."""
        before = len(self.errors)
        body = self.mapping(raw, path, _RULE_KEYS)
        rule = DeviceGroupRule(
            name_pattern=self.glob(body.get("namePattern"), f"{path}.namePattern"),
            tag=self.text(body.get("tag"), f"{path}.tag"),
            os_platform=self.glob(body.get("osPlatform"), f"{path}.osPlatform"),
            ip_range=self.network(body.get("ipRange"), f"{path}.ipRange"),
        )
        if len(self.errors) > before:
            return None
        if rule == DeviceGroupRule():  # it would match every device
            self.fail(path, "needs at least one of " + ", ".join(_RULE_KEYS))
            return None
        return rule

    def group(self, raw: object, path: str) -> DeviceGroup | None:
        """A ranked device group with its required keys and rules, else None."""
        before = len(self.errors)
        body = self.mapping(raw, path, _GROUP_KEYS)
        if not isinstance(raw, Mapping):
            return None
        for key in _REQUIRED_GROUP_KEYS:
            if body.get(key) is None:
                self.fail(f"{path}.{key}", "is required")
        raw_name, raw_rank = body.get("name"), body.get("rank")
        raw_level, raw_rules = body.get("automationLevel"), body.get("rules")
        name = self.text(raw_name, f"{path}.name")
        if isinstance(raw_name, str) and not raw_name.strip():
            self.fail(f"{path}.name", "must not be blank")
        rank = 0 if raw_rank is None else self.integer(raw_rank, f"{path}.rank", 1, MAX_RANK)
        level = None if raw_level is None else self.level(raw_level, f"{path}.automationLevel")
        description = self.text(body.get("description"), f"{path}.description", MAX_DESCRIPTION)
        rules = []
        if raw_rules is not None:
            listed = self.array(raw_rules, f"{path}.rules", MAX_RULES)
            if raw_rules == []:
                self.fail(f"{path}.rules", "needs at least one rule (other devices are ungrouped)")
            rules = [self.rule(r, f"{path}.rules[{i}]") for i, r in enumerate(listed)]
        if len(self.errors) > before or name is None or level is None:
            return None
        return DeviceGroup(name, rank, level, tuple(r for r in rules if r), description)

    def groups(self, raw: object) -> tuple[DeviceGroup, ...]:
        """The groups, with names (also against the default group's) and ranks unique."""
        names: dict[str, int] = {DEFAULT_GROUP_NAME.lower(): -1}
        ranks: dict[int, int] = {}
        groups: list[DeviceGroup] = []
        for i, item in enumerate(self.array(raw, "deviceGroups")):
            group = self.group(item, f"deviceGroups[{i}]")
            if group is None:
                continue
            groups.append(group)
            first = names.setdefault(group.name.lower(), i)
            if first != i:
                other = "the default group's name" if first < 0 else f"deviceGroups[{first}].name"
                self.fail(f"deviceGroups[{i}].name", f"{group.name!r} is already {other}")
            first = ranks.setdefault(group.rank, i)
            if first != i:
                self.fail(
                    f"deviceGroups[{i}].rank", f"{group.rank} is deviceGroups[{first}]'s rank"
                )
        return tuple(groups)


def group_to_json(group: DeviceGroup) -> dict[str, Any]:
    """One device group in the shape :meth:`PolicyReader.group` reads back."""
    return {
        "name": group.name,
        "rank": group.rank,
        "automationLevel": group.automation_level.value,
        "description": group.description,
        "rules": [
            {
                "namePattern": r.name_pattern,
                "tag": r.tag,
                "osPlatform": r.os_platform,
                "ipRange": r.ip_range,
            }
            for r in group.rules
        ],
    }
