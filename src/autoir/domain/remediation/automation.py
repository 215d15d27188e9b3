r"""Who decides whether a remediation runs: automation levels, device groups, email opt-in.

Reference §3.1 (automation levels per device group), §2.6 (opt-in email auto-remediation) and
§2.7 (verdict → outcome). :meth:`AutomationPolicy.decide` answers, for one proposed action on one
piece of evidence, ``automatic`` (run now), ``approval`` (wait in Pending) or ``none`` (propose
nothing), with the reason in a sentence.

Rules, in order:

1. Evidence that is neither malicious nor suspicious → ``none``.
2. Device actions (the endpoint fleet's: files, processes, tasks, the device itself) take the
   level of the device's group (the first group by rank with a matching rule, else the default
   group "Ungrouped devices (default)", level ``full``). ``noAutomatedResponse`` → ``none``: in
   Defender such devices are not investigated at all; here the investigation still runs and shows
   its evidence, but proposes no device action (an analyst can still act by hand).
3. Suspicious → ``approval``, at every level.
4. Undo actions and ``offboardMachine`` / ``hardDeleteEmail`` are never automatic → ``approval``.
5. Malicious, by level: ``full`` → automatic; ``semiAnyFolder`` → approval; ``semiCoreFolders`` →
   approval when the file's folder is core, else automatic; ``semiNonTempFolders`` → automatic
   only when the folder is temporary. Under the two folder levels an action without a known
   absolute folder (isolate or scan the device, a scheduled task, a file without a path) waits for
   approval: it may touch core folders.
6. Email: approval, except ``softDeleteEmail`` on a malicious ``mailCluster`` of an opted-in kind
   (``clusterBy`` ``attachmentSha256`` = similar files; ``url``/``urlDomain`` = similar URLs) with
   at most ``max_cluster_size`` messages. Blocking a URL: approval.
7. User: ``confirmUserCompromised`` on a malicious user is automatic ("user Compromised →
   automatic"); every other user action waits for approval.

Folder classes (:func:`classify_folder`; ``*`` is one path segment, a folder includes everything
below it; the first matching row wins):

=========  =================================================  ================================
class      Windows (any drive, case-insensitive)              Linux / macOS (case-sensitive)
=========  =================================================  ================================
temp       ``\users\*\appdata\local\temp``,              ``/tmp``, ``/var/tmp``,
           ``\windows\temp``, ``\users\*\downloads``,    ``/usr/tmp``, ``/dev/shm``,
           ``\program files (x86)`` (as the reference        ``/run/shm``, ``/run/user/*``,
           lists it), ``\documents and settings\*\local    ``/home/*/Downloads``,
           settings\temp`` and ``…\temporary``              ``/root/Downloads``,
                                                              ``/private/tmp``,
                                                              ``/private/var/tmp``,
                                                              ``/Users/*/Downloads``
core       ``\windows`` (the OS folder)                      ``/bin``, ``/sbin``, ``/usr``
                                                              except ``/usr/local``, ``/lib``,
                                                              ``/lib32``, ``/lib64``,
                                                              ``/libx32``, ``/boot``, ``/etc``,
                                                              ``/System``
other      everything else (``\program files``,              everything else (``/opt``,
           ``\programdata``, UNC shares, relative paths)     ``/usr/local``, ``/home``, ``/srv``)
=========  =================================================  ================================

``/opt`` and ``/usr/local`` hold locally installed software, like ``\program files``: not core.
Paths are normalised first, so ``/tmp/../usr/bin`` is core and ``C:\Windows\Temp\..\x`` is
core: ``..`` cannot smuggle a core file into a temp class. Windows paths may use ``/``,
``%SystemRoot%``-style variables, ``\\?\`` and ``\Device\HarddiskVolumeN`` prefixes and
admin shares (``\\host\c$``).
"""

from __future__ import annotations

import ipaddress
import ntpath
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

from autoir.domain.alerts.enums import EvidenceVerdict, parse_enum
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.remediation.catalog import ActionSpec, ActionType, Connector, TargetKind
from autoir.domain.telemetry.clusters import ClusterKey

DEFAULT_GROUP_NAME = "Ungrouped devices (default)"
DEFAULT_GROUP_RANK = 0
"""The default group's rank: it has no rules and is consulted after every ranked group."""
MAX_DEVICE_GROUPS = 500
MAX_RANK = 10_000
MAX_RULES = 100
MAX_TEXT = 256
MAX_DESCRIPTION = 1024
MAX_CLUSTER_SIZE = 10_000  # reference §2.6: larger clusters stay pending
MAX_CLUSTER_LIMIT = 1_000_000
MAX_EXPIRY_DAYS = 90
DEFAULT_EXPIRY_DAYS = 7  # reference §2.7, §3.1: pending actions expire after a week


class AutomationLevel(StrEnum):
    """A device group's automation level (reference §3.1). Values are the API's."""

    FULL = "full"
    SEMI_ANY_FOLDER = "semiAnyFolder"
    SEMI_CORE_FOLDERS = "semiCoreFolders"
    SEMI_NON_TEMP_FOLDERS = "semiNonTempFolders"
    NO_AUTOMATED_RESPONSE = "noAutomatedResponse"

    @property
    def label(self) -> str:
        """Defender's name for the level."""
        return _LABELS[self]


_LABELS = {
    AutomationLevel.FULL: "Full - remediate threats automatically",
    AutomationLevel.SEMI_ANY_FOLDER: "Semi - require approval for any remediation",
    AutomationLevel.SEMI_CORE_FOLDERS: "Semi - require approval for core folders remediation",
    AutomationLevel.SEMI_NON_TEMP_FOLDERS: (
        "Semi - require approval for non-temp folders remediation"
    ),
    AutomationLevel.NO_AUTOMATED_RESPONSE: "No automated response",
}


class FolderClass(StrEnum):
    """What kind of folder a file lives in (see the module docstring's table)."""

    CORE = "core"
    TEMP = "temp"
    OTHER = "other"


class DecisionMode(StrEnum):
    """Whether a proposed action runs now, waits for approval, or is not proposed."""

    AUTOMATIC = "automatic"
    APPROVAL = "approval"
    NONE = "none"


# --- Folders -------------------------------------------------------------------------------

_Pattern = tuple[str, ...]
_WINDOWS_TEMP: tuple[_Pattern, ...] = (
    ("users", "*", "appdata", "local", "temp"),
    ("windows", "temp"),
    ("users", "*", "downloads"),
    ("program files (x86)",),
    ("documents and settings", "*", "local settings", "temp"),
    ("documents and settings", "*", "local settings", "temporary"),
)
_WINDOWS_CORE: tuple[_Pattern, ...] = (("windows",),)
_POSIX_TEMP: tuple[_Pattern, ...] = (
    ("tmp",),
    ("var", "tmp"),
    ("usr", "tmp"),
    ("dev", "shm"),
    ("run", "shm"),
    ("run", "user", "*"),
    ("home", "*", "Downloads"),
    ("root", "Downloads"),
    ("private", "tmp"),
    ("private", "var", "tmp"),
    ("Users", "*", "Downloads"),
)
_POSIX_NOT_CORE: tuple[_Pattern, ...] = (("usr", "local"),)
_POSIX_CORE: tuple[_Pattern, ...] = tuple(
    (name,)
    for name in ("bin", "sbin", "usr", "lib", "lib32", "lib64", "libx32", "boot", "etc", "System")
)
_FOLDER_TABLES: dict[bool, tuple[tuple[_Pattern, ...], ...]] = {
    True: (_WINDOWS_TEMP, _WINDOWS_CORE, ()),
    False: (_POSIX_TEMP, _POSIX_CORE, _POSIX_NOT_CORE),
}

_USER = "%username%"  # a segment that only "*" matches
_WINDOWS_VARIABLES = {
    "systemroot": "c:\\windows",
    "windir": "c:\\windows",
    "systemdrive": "c:",
    "temp": f"c:\\users\\{_USER}\\appdata\\local\\temp",
    "tmp": f"c:\\users\\{_USER}\\appdata\\local\\temp",
    "userprofile": f"c:\\users\\{_USER}",
    "localappdata": f"c:\\users\\{_USER}\\appdata\\local",
    "appdata": f"c:\\users\\{_USER}\\appdata\\roaming",
    "programfiles": "c:\\program files",
    "programfiles(x86)": "c:\\program files (x86)",
    "programw6432": "c:\\program files",
    "programdata": "c:\\programdata",
}
_VARIABLE = re.compile(r"%([a-z0-9_()]+)%")
_DRIVE = re.compile(r"^[a-z]:", re.IGNORECASE)
_NT_PREFIX = re.compile(r"^(?:\\\\\?\\|\\\?\?\\|\\\\\.\\)")  # \\?\  \??\  \\.\
_VOLUME = re.compile(r"^\\device\\harddiskvolume\d+(?=\\|$)")
_ADMIN_SHARE = re.compile(r"^\\\\[^\\]+\\[a-z]\$(?=\\|$)")


def _windows_segments(path: str) -> _Pattern | None:
    text = path.strip().strip('"').replace("/", "\\").lower()
    text = _VARIABLE.sub(lambda m: _WINDOWS_VARIABLES.get(m.group(1), m.group(0)), text)
    text = _VOLUME.sub("", _NT_PREFIX.sub("", text))
    if _DRIVE.match(text):
        text = text[2:]
    elif _ADMIN_SHARE.match(text):
        text = _ADMIN_SHARE.sub("", text)
    if not text.startswith("\\") or text.startswith("\\\\"):
        return None  # relative, or a network share: not this device's folders
    # Win32 drops trailing dots and spaces: "C:\Windows.\" is C:\Windows.
    parts = (s.rstrip(". ") or s for s in ntpath.normpath(text).split("\\"))
    return tuple(s for s in parts if s)


def _posix_segments(path: str) -> _Pattern | None:
    text = re.sub(r"/+", "/", path.strip())
    if not text.startswith("/"):
        return None
    return tuple(s for s in posixpath.normpath(text).split("/") if s)


def _is_windows_path(path: str, windows: bool | None) -> bool | None:
    text = path.strip().lstrip('"')
    if _DRIVE.match(text) or "\\" in text or text.startswith("%"):
        return True
    if text.startswith("/"):
        return windows is True
    return None


def _under(segments: _Pattern, patterns: tuple[_Pattern, ...]) -> bool:
    return any(
        len(segments) >= len(p) and all(q in {"*", s} for q, s in zip(p, segments, strict=False))
        for p in patterns
    )


def folder_segments(path: str, *, windows: bool | None = None) -> tuple[bool, _Pattern] | None:
    """``(is_windows, normalised segments)`` of an absolute path, or None if it is not one.

    ``windows`` is a hint from the device's platform for paths such as ``/Windows/System32``
    that could be either; drive letters and backslashes always mean Windows.
    """
    is_windows = _is_windows_path(path, windows)
    if is_windows is None:
        return None
    segments = _windows_segments(path) if is_windows else _posix_segments(path)
    return None if segments is None else (is_windows, segments)


def classify_folder(path: str, *, windows: bool | None = None) -> FolderClass:
    """The class of the folder ``path`` (a folder or a file's full path) lies in."""
    found = folder_segments(path, windows=windows)
    if found is None:
        return FolderClass.OTHER
    is_windows, segments = found
    temp, core, not_core = _FOLDER_TABLES[is_windows]
    if _under(segments, temp):
        return FolderClass.TEMP
    if _under(segments, core) and not _under(segments, not_core):
        return FolderClass.CORE
    return FolderClass.OTHER


def file_path_of(item: EvidenceItem) -> str | None:
    """The folder of file or process evidence (``fileDetails``/``imageFile.filePath``)."""
    for holder in ("fileDetails", "imageFile"):
        details = item.properties.get(holder)
        path = details.get("filePath") if isinstance(details, Mapping) else None
        if isinstance(path, str) and path.strip():
            return path
    return None


# --- Devices and groups --------------------------------------------------------------------


def _strings(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(dict.fromkeys(v.strip() for v in raw if isinstance(v, str) and v.strip()))


def _text_or_none(raw: object) -> str | None:
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """What device groups match on, from ``deviceEvidence``."""

    device_id: str | None = None
    dns_name: str | None = None
    os_platform: str | None = None
    tags: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()

    @classmethod
    def from_evidence(cls, properties: Mapping[str, Any]) -> DeviceFacts:
        """Facts from Graph ``deviceEvidence`` properties (``ipInterfaces``, ``lastIpAddress``)."""
        return cls(
            device_id=_text_or_none(properties.get("mdeDeviceId")),
            dns_name=_text_or_none(properties.get("deviceDnsName"))
            or _text_or_none(properties.get("hostName")),
            os_platform=_text_or_none(properties.get("osPlatform")),
            tags=_strings(properties.get("tags")),
            ip_addresses=_strings(
                [*_strings(properties.get("ipInterfaces")), properties.get("lastIpAddress")]
            ),
        )

    @property
    def is_windows(self) -> bool | None:
        """Whether the device runs Windows; None when the platform is unknown."""
        if self.os_platform is None:
            return None
        return self.os_platform.lower().startswith("windows")


@dataclass(frozen=True, slots=True)
class DeviceGroupRule:
    """Conditions that all have to hold (unset ones are ignored).

    ``name_pattern`` is a case-insensitive glob on the DNS name or its host label (``srv-*``,
    ``*.dmz.contoso.com``); ``tag`` equals one of the device's tags, ignoring case;
    ``os_platform`` is a case-insensitive glob (``Windows*``, ``Linux``); ``ip_range`` is a CIDR
    network holding one of the device's addresses.
    """

    name_pattern: str | None = None
    tag: str | None = None
    os_platform: str | None = None
    ip_range: str | None = None

    def matches(self, facts: DeviceFacts) -> bool:
        """Whether every set condition holds for the device."""
        return (
            self._name_matches(facts)
            and (self.tag is None or self.tag.lower() in {t.lower() for t in facts.tags})
            and (
                self.os_platform is None
                or (
                    facts.os_platform is not None
                    and fnmatchcase(facts.os_platform.lower(), self.os_platform.lower())
                )
            )
            and self._ip_matches(facts)
        )

    def _name_matches(self, facts: DeviceFacts) -> bool:
        if self.name_pattern is None:
            return True
        if facts.dns_name is None:
            return False
        name, pattern = facts.dns_name.lower(), self.name_pattern.lower()
        return fnmatchcase(name, pattern) or fnmatchcase(name.split(".", 1)[0], pattern)

    def _ip_matches(self, facts: DeviceFacts) -> bool:
        if self.ip_range is None:
            return True
        network = ipaddress.ip_network(self.ip_range)
        for raw in facts.ip_addresses:
            try:
                address = ipaddress.ip_address(raw.split("%", 1)[0])
            except ValueError:
                continue
            if address.version == network.version and address in network:
                return True
        return False


@dataclass(frozen=True, slots=True)
class DeviceGroup:
    """A named set of devices with one automation level; ``rank`` 1 is consulted first."""

    name: str
    rank: int
    automation_level: AutomationLevel
    rules: tuple[DeviceGroupRule, ...] = ()
    description: str | None = None

    def matches(self, facts: DeviceFacts) -> bool:
        """Whether any of the group's rules matches the device."""
        return any(rule.matches(facts) for rule in self.rules)

    @property
    def is_default(self) -> bool:
        """The group of devices no other group takes."""
        return self.rank == DEFAULT_GROUP_RANK


def default_group(level: AutomationLevel = AutomationLevel.FULL) -> DeviceGroup:
    """The group "Ungrouped devices (default)" at ``level`` (full in new Defender tenants)."""
    return DeviceGroup(
        DEFAULT_GROUP_NAME, DEFAULT_GROUP_RANK, level, (), "Devices no other group takes."
    )


@dataclass(frozen=True, slots=True)
class EmailAutomation:
    """Opt-in automatic soft delete of malicious clusters (reference §2.6); off by default."""

    auto_soft_delete_similar_files: bool = False
    auto_soft_delete_similar_urls: bool = False
    max_cluster_size: int = MAX_CLUSTER_SIZE


@dataclass(frozen=True, slots=True)
class Decision:
    """How one proposed action proceeds, and why."""

    mode: DecisionMode
    reason: str
    device_group: str | None = None
    folder_class: FolderClass | None = None


# Defender's AIR remediates files, processes and persistence by itself, but never cuts a device
# off the network or locks it down: isolation and code restriction stop the business too, so a
# person decides (reference §3.1 lists the automatic MDE actions).
_NEVER_AUTOMATIC = frozenset(
    {
        ActionType.OFFBOARD_MACHINE,
        ActionType.HARD_DELETE_EMAIL,
        ActionType.ISOLATE_DEVICE,
        ActionType.RESTRICT_CODE_EXECUTION,
    }
)
_FOLDER_TARGETS = frozenset({TargetKind.FILE, TargetKind.PROCESS})
_SIMILAR_FILES = frozenset({ClusterKey.ATTACHMENT})
_SIMILAR_URLS = frozenset({ClusterKey.URL, ClusterKey.URL_DOMAIN})
_AUTO, _ASK, _NONE = DecisionMode.AUTOMATIC, DecisionMode.APPROVAL, DecisionMode.NONE
_FOLDER_WORDS = {FolderClass.CORE: "a core folder", FolderClass.TEMP: "a temporary folder"}


@dataclass(frozen=True, slots=True)
class AutomationPolicy:
    """Device groups by rank, the default group, email opt-ins and the pending-action expiry."""

    device_groups: tuple[DeviceGroup, ...] = ()
    default_group: DeviceGroup = field(default_factory=default_group)
    email: EmailAutomation = field(default_factory=EmailAutomation)
    pending_expiry_days: int = DEFAULT_EXPIRY_DAYS

    @property
    def ranked_groups(self) -> tuple[DeviceGroup, ...]:
        """The device groups, rank 1 first (the default group not included)."""
        return tuple(sorted(self.device_groups, key=lambda g: g.rank))

    def group_for(self, facts: DeviceFacts) -> DeviceGroup:
        """The first group by rank that matches the device, else the default group."""
        return next((g for g in self.ranked_groups if g.matches(facts)), self.default_group)

    def decide(
        self, spec: ActionSpec, item: EvidenceItem, device: DeviceFacts | None = None
    ) -> Decision:
        """Automatic, approval or none for ``spec`` on ``item`` (rules in the module docstring).

        ``device`` is the device a device action runs on; for device evidence it defaults to the
        facts of the evidence itself, otherwise to the default group.
        """
        if not item.is_threat:
            return Decision(_NONE, f"{item.name} is not a threat: there is nothing to remediate.")
        if spec.connector is Connector.ENDPOINT:
            if device is None and item.kind == TargetKind.DEVICE:
                device = DeviceFacts.from_evidence(item.properties)
            return self._decide_device(spec, item, device or DeviceFacts())
        gate = _gate(spec, item)
        if gate is not None:
            return Decision(*gate)
        if spec.connector is Connector.IDENTITY:
            if spec.type is ActionType.CONFIRM_USER_COMPROMISED:
                return Decision(_AUTO, "A compromised user is confirmed as compromised at once.")
            return Decision(_ASK, "Actions on user accounts need approval.")
        return self._decide_email(spec, item)

    def _decide_device(self, spec: ActionSpec, item: EvidenceItem, facts: DeviceFacts) -> Decision:
        group = self.group_for(facts)
        path = file_path_of(item) if item.kind in _FOLDER_TARGETS else None
        folder = None
        if path is not None and folder_segments(path, windows=facts.is_windows) is not None:
            folder = classify_folder(path, windows=facts.is_windows)
        if group.automation_level is AutomationLevel.NO_AUTOMATED_RESPONSE:
            mode, reason = _NONE, f"Device group '{group.name}' has no automated response."
        else:
            mode, reason = _gate(spec, item) or _by_level(group, spec, item, path, folder)
        return Decision(mode, reason, group.name, folder)

    def _decide_email(self, spec: ActionSpec, item: EvidenceItem) -> Decision:
        if spec.connector is Connector.URL_BLOCKER:
            return Decision(_ASK, "Blocking a URL needs approval.")
        if spec.type is not ActionType.SOFT_DELETE_EMAIL or item.kind != TargetKind.CLUSTER:
            return Decision(_ASK, "Email remediation needs approval.")
        raw = item.properties.get("clusterBy")
        by = parse_enum(ClusterKey, raw) if isinstance(raw, str) else None
        if by in _SIMILAR_FILES:
            kind, enabled = "similar files", self.email.auto_soft_delete_similar_files
        elif by in _SIMILAR_URLS:
            kind, enabled = "similar URLs", self.email.auto_soft_delete_similar_urls
        else:
            return Decision(_ASK, "Only clusters of similar files or URLs are deleted unasked.")
        if not enabled:
            return Decision(_ASK, f"Automatic soft delete of {kind} clusters is off.")
        count = item.properties.get("emailCount")
        limit = self.email.max_cluster_size
        if isinstance(count, bool) or not isinstance(count, int) or count > limit:
            size = f"{count:,} messages" if isinstance(count, int) else "an unknown size"
            return Decision(
                _ASK, f"The cluster has {size}, above the limit of {limit:,} for soft delete."
            )
        return Decision(
            _AUTO, f"Automatic soft delete of {kind} clusters is on ({count:,} messages)."
        )

    def to_json(self) -> dict[str, Any]:
        """The policy in the API's shape (read back by :meth:`from_json`)."""
        return {
            "deviceGroups": [
                {
                    "name": g.name,
                    "rank": g.rank,
                    "automationLevel": g.automation_level.value,
                    "description": g.description,
                    "rules": [
                        {
                            "namePattern": r.name_pattern,
                            "tag": r.tag,
                            "osPlatform": r.os_platform,
                            "ipRange": r.ip_range,
                        }
                        for r in g.rules
                    ],
                }
                for g in self.ranked_groups
            ],
            "defaultAutomationLevel": self.default_group.automation_level.value,
            "email": {
                "autoSoftDeleteSimilarFiles": self.email.auto_soft_delete_similar_files,
                "autoSoftDeleteSimilarUrls": self.email.auto_soft_delete_similar_urls,
                "maxClusterSize": self.email.max_cluster_size,
            },
            "pendingActionExpiryDays": self.pending_expiry_days,
        }

    @classmethod
    def from_json(cls, data: object, target: str = "") -> AutomationPolicy:
        """Parse and check :meth:`to_json`'s shape; missing keys take their defaults.

        Unknown keys are errors (a misspelt ``deviceGroup`` must not silently drop the groups).

        Raises:
            ValidationFailed: one ``FieldError`` per bad field, paths prefixed by ``target``.
        """
        reader = _Reader(target)
        body = reader.mapping(data, "", _POLICY_KEYS)
        groups = reader.groups(body.get("deviceGroups", []))
        level = reader.level(
            body.get("defaultAutomationLevel", AutomationLevel.FULL.value),
            "defaultAutomationLevel",
        )
        email = reader.mapping(body.get("email", {}), "email", _EMAIL_KEYS)
        defaults = EmailAutomation()
        policy = cls(
            device_groups=groups,
            default_group=default_group(level or AutomationLevel.FULL),
            email=EmailAutomation(
                reader.boolean(
                    email.get("autoSoftDeleteSimilarFiles", False),
                    "email.autoSoftDeleteSimilarFiles",
                ),
                reader.boolean(
                    email.get("autoSoftDeleteSimilarUrls", False),
                    "email.autoSoftDeleteSimilarUrls",
                ),
                reader.integer(
                    email.get("maxClusterSize", defaults.max_cluster_size),
                    "email.maxClusterSize",
                    1,
                    MAX_CLUSTER_LIMIT,
                ),
            ),
            pending_expiry_days=reader.integer(
                body.get("pendingActionExpiryDays", DEFAULT_EXPIRY_DAYS),
                "pendingActionExpiryDays",
                1,
                MAX_EXPIRY_DAYS,
            ),
        )
        if reader.errors:
            raise ValidationFailed(reader.errors, "The automation settings are invalid.")
        return policy


def _gate(spec: ActionSpec, item: EvidenceItem) -> tuple[DecisionMode, str] | None:
    """Approval whatever the level: suspicious evidence, undo actions, never-automatic ones."""
    if item.verdict is EvidenceVerdict.SUSPICIOUS:
        return _ASK, "Suspicious evidence always needs approval."
    if spec.undoes is not None or spec.type in _NEVER_AUTOMATIC:
        return _ASK, f"{spec.type.value} is never taken automatically."
    return None


def _by_level(
    group: DeviceGroup,
    spec: ActionSpec,
    item: EvidenceItem,
    path: str | None,
    folder: FolderClass | None,
) -> tuple[DecisionMode, str]:
    """A malicious device action under the group's (not "none") level."""
    level, name = group.automation_level, group.name
    if level is AutomationLevel.FULL:
        return _AUTO, f"Device group '{name}' remediates threats automatically."
    if level is AutomationLevel.SEMI_ANY_FOLDER:
        return _ASK, f"Device group '{name}' requires approval for any remediation."
    core = level is AutomationLevel.SEMI_CORE_FOLDERS
    rule = "core folders" if core else "folders other than temporary ones"
    if folder is None:
        what = (
            "the file's folder is not known"
            if item.kind in _FOLDER_TARGETS
            else f"{spec.type.value} is not limited to one folder"
        )
        return _ASK, f"Device group '{name}' requires approval in {rule}, and {what}."
    where = f"{path} is {_FOLDER_WORDS.get(folder, 'neither a core nor a temporary folder')}"
    if (folder is FolderClass.CORE) if core else (folder is not FolderClass.TEMP):
        return _ASK, f"Device group '{name}' requires approval in {rule}: {where}."
    return _AUTO, f"Device group '{name}' remediates automatically here: {where}."


_POLICY_KEYS = ("deviceGroups", "defaultAutomationLevel", "email", "pendingActionExpiryDays")
_GROUP_KEYS = ("name", "rank", "automationLevel", "description", "rules")
_REQUIRED_GROUP_KEYS = ("name", "rank", "automationLevel", "rules")
_RULE_KEYS = ("namePattern", "tag", "osPlatform", "ipRange")
_EMAIL_KEYS = ("autoSoftDeleteSimilarFiles", "autoSoftDeleteSimilarUrls", "maxClusterSize")


class _Reader:
    """Reads the policy JSON, collecting one error per bad field instead of stopping."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str) -> None:
        target = ".".join(p for p in (self.prefix, path) if p) or "body"
        self.errors.append(FieldError(target, message))

    def mapping(self, raw: object, path: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            self.fail(path, "must be an object")
            return {}
        for key in raw:
            if key not in keys:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, "is not a known property; expected one of " + ", ".join(keys))
        return raw

    def array(self, raw: object, path: str, limit: int = MAX_DEVICE_GROUPS) -> list[Any]:
        if not isinstance(raw, list):
            self.fail(path, "must be an array")
            return []
        if len(raw) > limit:
            self.fail(path, f"has {len(raw)} entries; at most {limit} are allowed")
            return []
        return raw

    def boolean(self, raw: object, path: str) -> bool:
        if not isinstance(raw, bool):
            self.fail(path, "must be true or false")
            return False
        return raw

    def integer(self, raw: object, path: str, low: int, high: int) -> int:
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
        level = parse_enum(AutomationLevel, raw) if isinstance(raw, str) else None
        if level is None:
            allowed = ", ".join(m.value for m in AutomationLevel)
            self.fail(path, f"unknown automation level {raw!r}; expected one of {allowed}")
        return level

    def glob(self, raw: object, path: str) -> str | None:
        pattern = self.text(raw, path)
        if pattern is not None and re.search(r"\[(?![^\]]+\])", pattern):
            self.fail(path, f"{pattern!r} has a '[' without its closing ']'")
            return None
        return pattern

    def network(self, raw: object, path: str) -> str | None:
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
