"""Automation settings: device groups with their automation levels, email opt-ins, expiry.

The policy (:class:`~autoir.domain.remediation.automation.AutomationPolicy`) is one JSON document
in the system settings under ``automation_policy``, replaced whole by :meth:`put` (all or
nothing); who replaced it and when are kept beside it under ``automation_policy_modified``.
Unset, the defaults apply: every device in "Ungrouped devices (default)" at full automation, email
auto-remediation off, pending actions expire after 7 days (reference §2.6, §3.1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autoir.domain.access.permissions import Principal
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.remediation.automation import AutomationPolicy, Decision
from autoir.domain.remediation.catalog import ActionType, spec_of
from autoir.domain.remediation.device_groups import DeviceFacts, DeviceGroup
from autoir.domain.remediation.folders import FolderClass
from autoir.domain.timestamps import format_timestamp, parse_timestamp
from autoir.services.context import ServiceContext

POLICY_KEY = "automation_policy"
MODIFIED_KEY = "automation_policy_modified"
MAX_PATH = 4096
# What the preview shows: a file action (folder levels apply) and a device-wide one.
PREVIEW_ACTIONS = (ActionType.STOP_AND_QUARANTINE_FILE, ActionType.ISOLATE_DEVICE)


@dataclass(frozen=True, slots=True)
class PolicyModification:
    """Who last replaced the automation policy, and when."""

    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AutomationPreview:
    """Which group a device falls in, and what malicious evidence on it would lead to."""

    device: DeviceFacts
    group: DeviceGroup
    file_path: str | None
    folder_class: FolderClass | None
    decisions: tuple[tuple[ActionType, Decision], ...]


class AutomationSettingsService:
    """Reading, replacing and trying out the automation policy."""

    def __init__(self, ctx: ServiceContext) -> None:
        """Keep the service context."""
        self._ctx = ctx

    def get(self) -> AutomationPolicy:
        """The stored policy, or the defaults when none was ever saved."""
        with self._ctx.read_uow() as uow:
            raw = uow.system.get(POLICY_KEY)
        return AutomationPolicy() if raw is None else AutomationPolicy.from_json(json.loads(raw))

    def modified(self) -> PolicyModification | None:
        """Who last replaced the policy and when; None while the defaults apply."""
        with self._ctx.read_uow() as uow:
            raw = uow.system.get(MODIFIED_KEY)
        if raw is None:
            return None
        stored = json.loads(raw)
        at = parse_timestamp(str(stored.get("at", "")))
        return None if at is None else PolicyModification(str(stored.get("by", "")), at)

    def put(self, principal: Principal, body: Mapping[str, Any]) -> AutomationPolicy:
        """Replace the whole policy with ``body`` (the API's JSON shape).

        Raises:
            ValidationFailed: one ``FieldError`` per bad field; nothing is saved.
        """
        policy = AutomationPolicy.from_json(body)
        modified = {"by": principal.name, "at": format_timestamp(self._ctx.clock.now())}
        with self._ctx.uow() as uow:
            uow.system.put(POLICY_KEY, json.dumps(policy.to_json(), separators=(",", ":")))
            uow.system.put(MODIFIED_KEY, json.dumps(modified, separators=(",", ":")))
            uow.commit()
        return policy

    def device_group_of(self, facts: DeviceFacts) -> DeviceGroup:
        """The group the stored policy puts the device in."""
        return self.get().group_for(facts)

    def preview(self, body: Mapping[str, Any]) -> AutomationPreview:
        """What the policy (stored, or ``body["policy"]`` unsaved) does on one device.

        ``body`` is ``{"device": {deviceEvidence properties}, "filePath": "/tmp/x",
        "policy": {…}}``; only ``device`` is required.

        Raises:
            ValidationFailed: a missing or malformed device, path or policy.
        """
        errors = [
            FieldError(key, "is not a known property; expected device, filePath, policy")
            for key in body
            if key not in {"device", "filePath", "policy"}
        ]
        device = body.get("device")
        if not isinstance(device, Mapping):
            errors.append(FieldError("device", "is required: an object of deviceEvidence fields"))
        path = body.get("filePath")
        if path is not None and (not isinstance(path, str) or len(path) > MAX_PATH):
            errors.append(FieldError("filePath", f"must be a string of at most {MAX_PATH} chars"))
        policy = None
        if body.get("policy") is not None:
            try:
                policy = AutomationPolicy.from_json(body["policy"], "policy")
            except ValidationFailed as exc:
                errors.extend(exc.errors)
        if errors or not isinstance(device, Mapping):
            raise ValidationFailed(errors)
        file_path = (path.strip() or None) if isinstance(path, str) else None
        facts = DeviceFacts.from_evidence(device)
        return _preview(policy or self.get(), facts, device, file_path)


def _preview(
    policy: AutomationPolicy,
    facts: DeviceFacts,
    device: Mapping[str, Any],
    file_path: str | None,
) -> AutomationPreview:
    name = facts.dns_name or facts.device_id or "the device"
    device_item = EvidenceItem(
        "device", f"device:{name}", name, device, verdict=EvidenceVerdict.MALICIOUS
    )
    file_item = EvidenceItem(
        "file",
        f"file:{file_path or 'unknown'}",
        file_path or "a file",
        {"fileDetails": {"filePath": file_path}, "mdeDeviceId": facts.device_id},
        verdict=EvidenceVerdict.MALICIOUS,
    )
    decisions = tuple(
        (
            action,
            policy.decide(
                spec_of(action),
                device_item if action is ActionType.ISOLATE_DEVICE else file_item,
                facts,
            ),
        )
        for action in PREVIEW_ACTIONS
    )
    folder = dict(decisions)[ActionType.STOP_AND_QUARANTINE_FILE].folder_class
    return AutomationPreview(facts, policy.group_for(facts), file_path, folder, decisions)
