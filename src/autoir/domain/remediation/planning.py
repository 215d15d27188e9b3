"""From an investigation's judged evidence to Action Center actions (reference §2.7, §3.1).

:func:`~autoir.domain.remediation.proposals.propose` says *what* each threat calls for; the
automation policy says *how*: automatic (created ``approved``, decided by ``Automation``),
waiting for approval (``pending`` until approved, rejected or expired), or not at all. A file or
process action is planned once per device it was seen on, since each device's group decides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from autoir.domain.alerts.enums import EvidenceRemediationStatus
from autoir.domain.investigations.evidence import EvidenceItem, key_value
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.automation import AutomationPolicy, DecisionMode
from autoir.domain.remediation.catalog import ActionType, TargetKind, spec_of
from autoir.domain.remediation.device_groups import DeviceFacts
from autoir.domain.remediation.lifecycle import AUTOMATION, ActionSource, ActionStatus
from autoir.domain.remediation.proposals import Proposal, propose


@dataclass(frozen=True, slots=True)
class Plan:
    """Evidence with its remediation status, and the new actions to store."""

    items: list[EvidenceItem]
    actions: list[RemediationAction]


def devices_of(item: EvidenceItem, by_key: Mapping[str, EvidenceItem]) -> list[EvidenceItem]:
    """The device items a file or process is linked to (either direction), or that it names."""
    found = {
        key: by_key[key] for key in item.related if key in by_key and by_key[key].kind == "device"
    }
    for other in by_key.values():
        if other.kind == "device" and item.key in other.related:
            found.setdefault(other.key, other)
    named = str(item.properties.get("mdeDeviceId") or "").lower()
    if named:
        for other in by_key.values():
            if other.kind == "device" and _device_id(other) == named:
                found.setdefault(other.key, other)
    return sorted(found.values(), key=lambda d: d.key)


def _device_id(device: EvidenceItem) -> str:
    return str(device.properties.get("mdeDeviceId") or key_value(device.key)).lower()


def target_properties(item: EvidenceItem, device: EvidenceItem | None) -> dict[str, Any]:
    """What the connector needs to find the target again."""
    props = item.properties
    out: dict[str, Any] = {"kind": item.kind}
    if device is not None:
        out["deviceId"] = _device_id(device)
        out["deviceName"] = device.name
    if item.kind in {"file", "process"}:
        details = props.get("fileDetails") or props.get("imageFile") or {}
        out["sha256"] = details.get("sha256")
        out["filePath"] = details.get("filePath")
        out["fileName"] = details.get("fileName")
        if item.kind == "process":
            out["processId"] = props.get("processId")
    elif item.kind == "analyzedMessage":
        out["networkMessageIds"] = [props.get("networkMessageId") or key_value(item.key)]
        out["internetMessageId"] = props.get("internetMessageId")
        out["mailboxes"] = (
            [props["recipientEmailAddress"]] if props.get("recipientEmailAddress") else []
        )
    elif item.kind == "mailCluster":
        out["clusterBy"] = props.get("clusterBy")
        out["clusterByValue"] = props.get("clusterByValue")
        out["emailCount"] = props.get("emailCount")
        out["networkMessageIds"] = list(props.get("networkMessageIds") or [])
        out["query"] = props.get("query")
    elif item.kind == "url":
        out["url"] = props.get("url") or key_value(item.key)
    elif item.kind == "mailbox":
        out["mailbox"] = props.get("primaryAddress") or item.name
    elif item.kind == "user":
        account = props.get("userAccount") or {}
        out["userPrincipalName"] = account.get("userPrincipalName") or item.name
    elif item.kind == "device":
        out["deviceId"] = _device_id(item)
        out["deviceName"] = item.name
    return out


def approval_key(action_type: ActionType, properties: Mapping[str, Any], target_key: str) -> str:
    """Two approvals with this key within an hour are one (reference §2.7: same cluster)."""
    if properties.get("clusterBy"):
        by, value = properties["clusterBy"], properties.get("clusterByValue")
        return f"{action_type.value}|cluster|{by}|{value}"
    return f"{action_type.value}|{target_key}"


def plan(
    *,
    investigation_id: str,
    items: Sequence[EvidenceItem],
    already: set[tuple[str, str]],
    policy: AutomationPolicy,
    new_id: Callable[[], str],
    now: datetime,
) -> Plan:
    """Actions for every threat not already acted on; each item gets its remediation status."""
    by_key = {item.key: item for item in items}
    actions: list[RemediationAction] = []
    judged: list[EvidenceItem] = []
    for item in items:
        planned = [
            action
            for proposal in propose(item)
            for action in _actions_for(
                proposal, item, by_key, policy, investigation_id, new_id, now
            )
        ]
        fresh = [a for a in planned if (a.action_type.value, a.target_key) not in already]
        already.update((a.action_type.value, a.target_key) for a in fresh)
        actions.extend(fresh)
        judged.append(replace(item, remediation_status=_item_status(item, planned)))
    return Plan(judged, _without_covered_messages(actions))


def _without_covered_messages(actions: list[RemediationAction]) -> list[RemediationAction]:
    """A message's own action is dropped when a cluster action of its type lists the message.

    A campaign of 50 copies then waits in the Action Center as one cluster action per cluster
    (reference §2.7), not as 50 more, one per copy the investigation judged.
    """
    covered: dict[ActionType, set[str]] = {}
    for action in actions:
        if action.properties.get("clusterBy"):
            ids = action.properties.get("networkMessageIds") or []
            covered.setdefault(action.action_type, set()).update(str(i) for i in ids)
    if not covered:
        return actions

    def is_covered(action: RemediationAction) -> bool:
        if action.properties.get("kind") != "analyzedMessage":
            return False
        ids = [str(i) for i in action.properties.get("networkMessageIds") or [] if i]
        listed = covered.get(action.action_type, set())
        return bool(ids) and all(i in listed for i in ids)

    return [a for a in actions if not is_covered(a)]


def _actions_for(
    proposal: Proposal,
    item: EvidenceItem,
    by_key: Mapping[str, EvidenceItem],
    policy: AutomationPolicy,
    investigation_id: str,
    new_id: Callable[[], str],
    now: datetime,
) -> list[RemediationAction]:
    spec = spec_of(proposal.action_type)
    devices: list[EvidenceItem | None]
    if item.kind in {"file", "process"}:
        # A file seen on no known device has nowhere to be remediated: no action to propose.
        devices = list(devices_of(item, by_key))
    elif item.kind == "device":
        devices = [item]
    else:
        devices = [None]
    out: list[RemediationAction] = []
    for device in devices:
        facts = DeviceFacts.from_evidence(device.properties) if device is not None else None
        decision = policy.decide(spec, item, facts)
        if decision.mode is DecisionMode.NONE:
            continue
        automatic = decision.mode is DecisionMode.AUTOMATIC
        properties = target_properties(item, device)
        if decision.device_group:
            properties["deviceGroup"] = decision.device_group
        # A file is fleet-wide evidence: one action per device it is on. A process already
        # belongs to one device, and its item key says which.
        per_device = device is not None and item.kind == "file"
        target_key = f"{item.key}@{_device_id(device)}" if per_device and device else item.key
        name = f"{item.name} on {device.name}" if per_device and device else item.name
        out.append(
            RemediationAction(
                id=new_id(),
                investigation_id=investigation_id,
                action_type=proposal.action_type,
                target_key=target_key,
                target_name=name,
                status=ActionStatus.APPROVED if automatic else ActionStatus.PENDING,
                requires_approval=not automatic,
                reason=f"{proposal.reason}. {decision.reason}",
                created_at=now,
                properties=properties,
                source=ActionSource.AUTOMATED_DEVICE
                if spec.is_device_action
                else ActionSource.AUTOMATED_EMAIL,
                target_kind=_target_kind(item.kind),
                requested_by=AUTOMATION,
                decided_by=AUTOMATION if automatic else None,
                decided_at=now if automatic else None,
                updated_at=now,
                expires_at=None if automatic else now + timedelta(days=policy.pending_expiry_days),
                approval_key=approval_key(proposal.action_type, properties, target_key),
            )
        )
    return out


def _target_kind(kind: str) -> str:
    try:
        return TargetKind(kind).value
    except ValueError:
        return kind


def _item_status(
    item: EvidenceItem, planned: Sequence[RemediationAction]
) -> EvidenceRemediationStatus:
    if not item.is_threat:
        return EvidenceRemediationStatus.NONE
    if any(a.status is ActionStatus.PENDING for a in planned):
        return EvidenceRemediationStatus.PENDING_APPROVAL
    if planned:
        return EvidenceRemediationStatus.RUNNING
    if item.kind in {"analyzedMessage", "mailCluster"}:
        return EvidenceRemediationStatus.PREVENTED
    return EvidenceRemediationStatus.UNREMEDIATED
