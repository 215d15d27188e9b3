"""Who decides whether a remediation runs: automation levels, device groups, email opt-in.

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

Device groups and their matching rules are in :mod:`autoir.domain.remediation.device_groups`,
folder classes in :mod:`autoir.domain.remediation.folders`, and the policy's JSON shape is read
and checked by :mod:`autoir.domain.remediation.policy_json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from autoir.domain.alerts.enums import EvidenceVerdict, parse_enum
from autoir.domain.errors import ValidationFailed
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.remediation.catalog import ActionSpec, ActionType, Connector, TargetKind
from autoir.domain.remediation.device_groups import (
    AutomationLevel,
    DeviceFacts,
    DeviceGroup,
    default_group,
)
from autoir.domain.remediation.folders import (
    FolderClass,
    classify_folder,
    file_path_of,
    folder_segments,
)
from autoir.domain.remediation.policy_json import (
    EMAIL_KEYS,
    POLICY_KEYS,
    PolicyReader,
    group_to_json,
)
from autoir.domain.telemetry.clusters import ClusterKey

MAX_CLUSTER_SIZE = 10_000  # reference §2.6: larger clusters stay pending
MAX_CLUSTER_LIMIT = 1_000_000
MAX_EXPIRY_DAYS = 90
DEFAULT_EXPIRY_DAYS = 7  # reference §2.7, §3.1: pending actions expire after a week


class DecisionMode(StrEnum):
    """Whether a proposed action runs now, waits for approval, or is not proposed."""

    AUTOMATIC = "automatic"
    APPROVAL = "approval"
    NONE = "none"


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
            "deviceGroups": [group_to_json(g) for g in self.ranked_groups],
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
        reader = PolicyReader(target)
        body = reader.mapping(data, "", POLICY_KEYS)
        groups = reader.groups(body.get("deviceGroups", []))
        level = reader.level(
            body.get("defaultAutomationLevel", AutomationLevel.FULL.value),
            "defaultAutomationLevel",
        )
        email = reader.mapping(body.get("email", {}), "email", EMAIL_KEYS)
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
