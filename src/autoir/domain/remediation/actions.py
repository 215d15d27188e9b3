"""Remediation action types (reference §2.7, §3.3) and what each verdict proposes.

Proposal rules (pure): a malicious message or cluster proposes a soft delete of the copies still
in a mailbox (Inbox or Junk) — copies already blocked, quarantined or gone are ``prevented``; a
malicious URL proposes blocking it (and its messages are covered by their cluster); a malicious
file or process on a device proposes stop-and-quarantine and a device scan; a device with
malicious evidence proposes isolation; external forwarding proposes turning it off; a compromised
user proposes a password reset. Email actions and anything ``suspicious`` wait for approval;
device actions on ``malicious`` run automatically under full automation (issue 4 applies policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from autoir.domain.alerts.enums import EvidenceRemediationStatus, EvidenceVerdict
from autoir.domain.investigations.evidence import EvidenceItem


class ActionType(StrEnum):
    """Remediation actions AutoIR can propose."""

    SOFT_DELETE_EMAIL = "softDeleteEmail"
    MOVE_TO_JUNK = "moveToJunk"
    BLOCK_URL = "blockUrl"
    BLOCK_SENDER = "blockSender"
    TURN_OFF_EXTERNAL_FORWARDING = "turnOffExternalForwarding"
    REMOVE_DELEGATION = "removeDelegation"
    STOP_AND_QUARANTINE_FILE = "stopAndQuarantineFile"
    RUN_ANTIVIRUS_SCAN = "runAntivirusScan"
    ISOLATE_DEVICE = "isolateDevice"
    COLLECT_INVESTIGATION_PACKAGE = "collectInvestigationPackage"
    DISABLE_USER = "disableUser"
    RESET_PASSWORD = "resetPassword"  # noqa: S105 - an action name, not a password
    CONFIRM_USER_COMPROMISED = "confirmUserCompromised"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed action on one evidence item."""

    action_type: ActionType
    target_key: str
    target_name: str
    requires_approval: bool
    reason: str


_EMAIL_KINDS = frozenset({"analyzedMessage", "mailCluster"})


def propose(item: EvidenceItem) -> list[Proposal]:
    """The actions this item's verdict proposes (rules in the module docstring)."""
    if not item.is_threat:
        return []
    malicious = item.verdict is EvidenceVerdict.MALICIOUS
    why = f"{item.kind} judged {item.verdict.value}"
    planned: list[tuple[ActionType, bool]] = []
    if item.kind in _EMAIL_KINDS:
        if malicious and _has_copies_in_mailboxes(item):
            planned.append((ActionType.SOFT_DELETE_EMAIL, True))
    elif item.kind == "url":
        if malicious:
            planned.append((ActionType.BLOCK_URL, True))
    elif item.kind in {"file", "process"}:
        planned.append((ActionType.STOP_AND_QUARANTINE_FILE, not malicious))
    elif item.kind == "device":
        planned.append((ActionType.RUN_ANTIVIRUS_SCAN, not malicious))
        if malicious:
            planned.append((ActionType.ISOLATE_DEVICE, True))
    elif item.kind == "mailbox":
        if item.properties.get("externalForwarding"):
            planned.append((ActionType.TURN_OFF_EXTERNAL_FORWARDING, True))
    elif item.kind == "user" and malicious:
        planned.append((ActionType.RESET_PASSWORD, True))
        planned.append((ActionType.CONFIRM_USER_COMPROMISED, True))
    return [Proposal(action, item.key, item.name, approval, why) for action, approval in planned]


def _has_copies_in_mailboxes(item: EvidenceItem) -> bool:
    if item.kind == "mailCluster":
        counts = item.properties.get("countByDeliveryLocation") or {}
        return any(counts.get(location, 0) for location in ("inbox", "junkFolder"))
    return item.properties.get("deliveryLocation") in {"inbox", "junkFolder", None}


def remediation_status(item: EvidenceItem, proposals: list[Proposal]) -> EvidenceRemediationStatus:
    """Remediation status of an item once its proposals are known."""
    if not item.is_threat:
        return EvidenceRemediationStatus.NONE
    if proposals:
        return EvidenceRemediationStatus.PENDING_APPROVAL
    if item.kind in _EMAIL_KINDS and item.verdict is EvidenceVerdict.MALICIOUS:
        return EvidenceRemediationStatus.PREVENTED
    return EvidenceRemediationStatus.UNREMEDIATED
