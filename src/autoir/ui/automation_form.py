"""The automation settings form: fields named by the policy's JSON paths, edits, errors.

Every input of the form is named by the JSON path of the value it holds in ``PUT
/api/v1/settings/automation`` (``deviceGroups[0].rules[1].ipRange``, ``email.maxClusterSize``):
the page's script builds the same document for the live preview, and each ``FieldError`` the
service raises names the input it is about. A group's rank is its row: rank 1 is the first row.

The form keeps what was typed as text, so a refused save shows the page again with the input
kept; :meth:`AutomationForm.body` turns it into the document (whole numbers parsed, the rest left
to the service to check: it is all or nothing). :meth:`AutomationForm.apply` carries out the
editing buttons (add, move, delete a group or a rule) without saving anything.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from autoir.domain.errors import ValidationFailed
from autoir.domain.remediation.automation import (
    MAX_CLUSTER_LIMIT,
    MAX_EXPIRY_DAYS,
    AutomationPolicy,
)
from autoir.domain.remediation.device_groups import (
    DEFAULT_GROUP_NAME,
    MAX_DESCRIPTION,
    MAX_DEVICE_GROUPS,
    MAX_RULES,
    MAX_TEXT,
    AutomationLevel,
)
from autoir.ui.labels import N_

RULE_KEYS = ("namePattern", "tag", "osPlatform", "ipRange")
SIMILAR_FILES = "email.autoSoftDeleteSimilarFiles"
SIMILAR_URLS = "email.autoSoftDeleteSimilarUrls"
MAX_CLUSTER = "email.maxClusterSize"
EXPIRY_DAYS = "pendingActionExpiryDays"
DEFAULT_LEVEL = "defaultAutomationLevel"
LEVELS = tuple(level.value for level in AutomationLevel)

_GROUP_FIELD = re.compile(r"deviceGroups\[([0-9]{1,4})\]\.(name|automationLevel|description)")
_RULE_FIELD = re.compile(r"deviceGroups\[([0-9]{1,4})\]\.rules\[([0-9]{1,4})\]\.(\w+)")
_INDEX = re.compile(r"[0-9]{1,4}")
_GROUPED_NUMBER = re.compile(r"\d{1,3}(?:[,.'\s\u00a0\u202f]\d{3})+")
_TARGET = re.compile(r"deviceGroups\[(\d+)\](?:\.rules(?:\[(\d+)\])?)?(?:\.(\w+))?")

NAME_BLANK = N_("Name the group.")
NAME_TAKEN = N_("Another device group already has this name.")
NAME_DEFAULT = N_("This is the default group's name: choose another.")
TOO_LONG = N_("At most %(max)s characters.")
GLOB_OPEN = N_("A '[' has no closing ']'.")
CIDR_BAD = N_("Not a network in CIDR form, such as 10.0.0.0/8 or fd00::/8.")
CIDR_HOST = N_("Host bits are set: did you mean %(network)s?")
RULE_EMPTY = N_("Set at least one condition.")
RULES_NONE = N_("Add at least one rule: a group without rules takes no device.")
RULES_MANY = N_("At most %(max)s rules per group.")
GROUPS_MANY = N_("At most %(max)s device groups.")
LEVEL_UNKNOWN = N_("Choose an automation level.")
NUMBER_RANGE = N_("A whole number from %(low)s to %(high)s.")


def field_id(path: str) -> str:
    """The HTML id of the input named ``path`` (``f-deviceGroups-0-rules-1-ipRange``)."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")


def whole_number(text: str) -> int | str:
    """``text`` as a whole number (``10,000`` and ``10 000`` too); the text itself if not one."""
    cleaned = text.strip()
    if _GROUPED_NUMBER.fullmatch(cleaned):
        cleaned = re.sub(r"\D", "", cleaned)
    return int(cleaned) if re.fullmatch(r"[0-9]{1,9}", cleaned) else text


@dataclass(frozen=True, slots=True)
class RuleFields:
    """One rule's conditions as typed (blank ones are not conditions)."""

    name_pattern: str = ""
    tag: str = ""
    os_platform: str = ""
    ip_range: str = ""

    @property
    def values(self) -> tuple[str, str, str, str]:
        """The four conditions in :data:`RULE_KEYS` order."""
        return (self.name_pattern, self.tag, self.os_platform, self.ip_range)

    @property
    def conditions(self) -> tuple[tuple[str, str], ...]:
        """The conditions that are set, as (JSON key, value)."""
        return tuple(
            (k, v.strip()) for k, v in zip(RULE_KEYS, self.values, strict=True) if v.strip()
        )

    def to_json(self) -> dict[str, str]:
        """The rule in the API's shape (blank strings are read as unset)."""
        return dict(zip(RULE_KEYS, self.values, strict=True))


@dataclass(frozen=True, slots=True)
class GroupFields:
    """One device group as typed; ``is_open`` shows its editor."""

    name: str = ""
    level: str = AutomationLevel.FULL.value
    description: str = ""
    rules: tuple[RuleFields, ...] = (RuleFields(),)
    is_open: bool = False


@dataclass(frozen=True, slots=True)
class AutomationForm:
    """The whole settings document as typed: groups by rank, the default level, email, expiry."""

    groups: tuple[GroupFields, ...] = ()
    default_level: str = AutomationLevel.FULL.value
    similar_files: bool = False
    similar_urls: bool = False
    max_cluster_size: str = ""
    expiry_days: str = ""
    is_default_open: bool = False

    @classmethod
    def from_policy(cls, policy: AutomationPolicy) -> AutomationForm:
        """The form showing a stored policy."""
        doc = policy.to_json()
        groups = tuple(
            GroupFields(
                name=g["name"],
                level=g["automationLevel"],
                description=g["description"] or "",
                rules=tuple(RuleFields(*(rule[k] or "" for k in RULE_KEYS)) for rule in g["rules"]),
            )
            for g in doc["deviceGroups"]
        )
        email = doc["email"]
        return cls(
            groups=groups,
            default_level=doc["defaultAutomationLevel"],
            similar_files=email["autoSoftDeleteSimilarFiles"],
            similar_urls=email["autoSoftDeleteSimilarUrls"],
            max_cluster_size=str(email["maxClusterSize"]),
            expiry_days=str(doc["pendingActionExpiryDays"]),
        )

    @classmethod
    def from_form(cls, form: Mapping[str, Any], opened: list[str] | None = None) -> AutomationForm:
        """The form as posted; groups and rules in the order of their indices.

        Args:
            form: The posted fields (only strings are read).
            opened: The ``open`` fields: the rows whose editor is shown (a group's index, or
                ``default`` for the default group).
        """
        groups: dict[int, dict[str, str]] = {}
        rules: dict[int, dict[int, dict[str, str]]] = {}
        for key, value in form.items():
            if not isinstance(value, str):
                continue
            if found := _GROUP_FIELD.fullmatch(key):
                groups.setdefault(int(found[1]), {})[found[2]] = value
            elif (found := _RULE_FIELD.fullmatch(key)) and found[3] in RULE_KEYS:
                group = rules.setdefault(int(found[1]), {})
                group.setdefault(int(found[2]), {})[found[3]] = value
                groups.setdefault(int(found[1]), {})
        shown = {int(i) for i in opened or () if _INDEX.fullmatch(i)}
        rows = tuple(
            GroupFields(
                name=fields.get("name", ""),
                level=fields.get("automationLevel", AutomationLevel.FULL.value),
                description=fields.get("description", ""),
                rules=tuple(
                    RuleFields(*(rule.get(k, "") for k in RULE_KEYS))
                    for _, rule in sorted(rules.get(index, {}).items())
                ),
                is_open=index in shown,
            )
            for index, fields in sorted(groups.items())
        )

        def text(key: str) -> str:
            value = form.get(key)
            return value if isinstance(value, str) else ""

        return cls(
            groups=rows,
            default_level=text(DEFAULT_LEVEL) or AutomationLevel.FULL.value,
            similar_files=SIMILAR_FILES in form,
            similar_urls=SIMILAR_URLS in form,
            max_cluster_size=text(MAX_CLUSTER),
            expiry_days=text(EXPIRY_DAYS),
            is_default_open="default" in (opened or ()),
        )

    def body(self) -> dict[str, Any]:
        """The document for ``AutomationSettingsService.put`` (ranks from the rows' order)."""
        return {
            "deviceGroups": [
                {
                    "name": g.name,
                    "rank": i + 1,
                    "automationLevel": g.level,
                    "description": g.description,
                    "rules": [r.to_json() for r in g.rules],
                }
                for i, g in enumerate(self.groups)
            ],
            DEFAULT_LEVEL: self.default_level,
            "email": {
                "autoSoftDeleteSimilarFiles": self.similar_files,
                "autoSoftDeleteSimilarUrls": self.similar_urls,
                "maxClusterSize": whole_number(self.max_cluster_size),
            },
            EXPIRY_DAYS: whole_number(self.expiry_days),
        }

    def apply(self, op: str) -> tuple[AutomationForm, str | None]:
        """Carry out an editing button; returns the new form and the id of the field to focus.

        ``op`` is ``add-group``, ``edit:G``, ``up:G``, ``down:G``, ``delete:G``, ``add-rule:G``,
        ``delete-rule:G:R`` (G a group's row, R a rule's, from 0) or ``edit-default``; anything
        else changes nothing.
        """
        verb, _, rest = op.partition(":")
        if verb == "edit-default":
            opened = not self.is_default_open
            target = field_id(DEFAULT_LEVEL) if opened else "group-default-edit"
            return replace(self, is_default_open=opened), target
        numbers = [int(p) for p in rest.split(":") if _INDEX.fullmatch(p)]
        groups = list(self.groups)
        if verb == "add-group" and len(groups) < MAX_DEVICE_GROUPS:
            groups.append(GroupFields(level=self.default_level, is_open=True))
            return self._with(groups), field_id(f"deviceGroups[{len(groups) - 1}].name")
        if not numbers or not 0 <= numbers[0] < len(groups):
            return self, None
        index = numbers[0]
        handlers: dict[str, Callable[[], str | None]] = {
            "edit": lambda: self._toggle(groups, index),
            "up": lambda: self._move(groups, index, -1),
            "down": lambda: self._move(groups, index, 1),
            "delete": lambda: self._delete(groups, index),
            "add-rule": lambda: self._add_rule(groups, index),
            "delete-rule": lambda: self._delete_rule(groups, index, numbers[1:]),
        }
        handler = handlers.get(verb)
        focus = handler() if handler else None  # None: nothing changed
        return (self, None) if focus is None else (self._with(groups), focus)

    def _with(self, groups: list[GroupFields]) -> AutomationForm:
        return replace(self, groups=tuple(groups))

    @staticmethod
    def _toggle(groups: list[GroupFields], index: int) -> str:
        opened = not groups[index].is_open
        groups[index] = replace(groups[index], is_open=opened)
        return field_id(f"deviceGroups[{index}].name") if opened else f"group-{index}-edit"

    @staticmethod
    def _move(groups: list[GroupFields], index: int, step: int) -> str | None:
        other = index + step
        if not 0 <= other < len(groups):
            return None
        groups[index], groups[other] = groups[other], groups[index]
        # The moved group keeps the focus; at the top (bottom) its up (down) button is disabled.
        at_edge = other in (0, len(groups) - 1)
        same, opposite = ("up", "down") if step < 0 else ("down", "up")
        return f"group-{other}-{opposite if at_edge and len(groups) > 1 else same}"

    @staticmethod
    def _delete(groups: list[GroupFields], index: int) -> str:
        del groups[index]
        return f"group-{min(index, len(groups) - 1)}-edit" if groups else "add-group"

    @staticmethod
    def _add_rule(groups: list[GroupFields], index: int) -> str | None:
        group = groups[index]
        if len(group.rules) >= MAX_RULES:
            return None
        groups[index] = replace(group, rules=(*group.rules, RuleFields()), is_open=True)
        return field_id(f"deviceGroups[{index}].rules[{len(group.rules)}].namePattern")

    @staticmethod
    def _delete_rule(groups: list[GroupFields], index: int, rest: list[int]) -> str | None:
        group = groups[index]
        if not rest or not 0 <= rest[0] < len(group.rules):
            return None
        rules = group.rules[: rest[0]] + group.rules[rest[0] + 1 :]
        groups[index] = replace(group, rules=rules)
        return f"group-{index}-add-rule"


def first_field(targets: list[str]) -> str | None:
    """The id of the input to focus for the first error that has one (a rule: its first input)."""
    for target in targets:
        if target.endswith("]") and ".rules[" in target:
            return field_id(f"{target}.{RULE_KEYS[0]}")
        if not target.endswith(".rules"):
            return field_id(target)
    return None


def field_errors(
    exc: ValidationFailed,
    form: AutomationForm,
    say: Callable[[str], str],
    number: Callable[[int], str],
) -> tuple[dict[str, str], list[str]]:
    """The service's errors said in the viewer's language: by field path, and the others.

    Messages are chosen by the error's target and the value typed there, never by the service's
    English text (which is the fallback for targets the form has no field for).

    Args:
        exc: What ``AutomationSettingsService.put`` raised.
        form: What was typed.
        say: The viewer's gettext.
        number: Formats a number for the viewer.
    """
    by_field: dict[str, str] = {}
    others: list[str] = []
    for error in exc.errors:
        message = _message(error.target, form, say, number)
        if message is None:
            text = f"{error.target}: {error.message}"
            if text not in others:
                others.append(text)
        else:
            by_field.setdefault(error.target, message)
    return by_field, others


def _message(  # noqa: PLR0911 - one message per kind of field
    target: str, form: AutomationForm, say: Callable[[str], str], number: Callable[[int], str]
) -> str | None:
    if target in (MAX_CLUSTER, EXPIRY_DAYS):
        high = MAX_CLUSTER_LIMIT if target == MAX_CLUSTER else MAX_EXPIRY_DAYS
        return say(NUMBER_RANGE) % {"low": number(1), "high": number(high)}
    if target == DEFAULT_LEVEL:
        return say(LEVEL_UNKNOWN)
    if target == "deviceGroups":
        return say(GROUPS_MANY) % {"max": number(MAX_DEVICE_GROUPS)}
    found = _TARGET.fullmatch(target)
    if found is None or int(found[1]) >= len(form.groups):
        return None
    group = form.groups[int(found[1])]
    rule_index, key = found[2], found[3]
    if ".rules" not in target:
        return _group_message(key, group, say, number)
    if rule_index is None:
        return say(RULES_NONE) if not group.rules else say(RULES_MANY) % {"max": number(MAX_RULES)}
    if int(rule_index) >= len(group.rules):
        return None
    if key is None:
        return say(RULE_EMPTY)
    if key not in RULE_KEYS:
        return None
    value = group.rules[int(rule_index)].values[RULE_KEYS.index(key)].strip()
    if len(value) > MAX_TEXT:
        return say(TOO_LONG) % {"max": number(MAX_TEXT)}
    if key == "ipRange":
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return say(CIDR_BAD)
        return say(CIDR_HOST) % {"network": str(network)}
    return say(GLOB_OPEN) if key in ("namePattern", "osPlatform") else None


def _group_message(
    key: str | None, group: GroupFields, say: Callable[[str], str], number: Callable[[int], str]
) -> str | None:
    if key == "name":
        name = group.name.strip()
        if not name:
            return say(NAME_BLANK)
        if len(group.name) > MAX_TEXT:
            return say(TOO_LONG) % {"max": number(MAX_TEXT)}
        return say(NAME_DEFAULT if name.lower() == DEFAULT_GROUP_NAME.lower() else NAME_TAKEN)
    if key == "description":
        return say(TOO_LONG) % {"max": number(MAX_DESCRIPTION)}
    if key == "automationLevel":
        return say(LEVEL_UNKNOWN)
    return None
