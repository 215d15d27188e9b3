"""What each verdict proposes (reference §2.7, §3.3).

Proposal rules (pure): a malicious message or cluster proposes a soft delete of the copies still
in a mailbox (Inbox or Junk) — copies already blocked, quarantined or gone are ``prevented``; a
malicious URL proposes blocking it (and its messages are covered by their cluster); a malicious
file or process on a device proposes stop-and-quarantine (a process whose image has no hash:
stopping the process) and a device scan; a device with
malicious evidence proposes isolation; external forwarding proposes turning it off; a compromised
user proposes a password reset. Whether each runs at once or waits for approval is the
automation policy's decision (:mod:`autoir.domain.remediation.automation`, applied by
:mod:`autoir.domain.remediation.planning`).
"""

from __future__ import annotations

from dataclasses import dataclass

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.remediation.catalog import ActionType


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed action on one evidence item."""

    action_type: ActionType
    target_key: str
    target_name: str
    reason: str


_EMAIL_KINDS = frozenset({"analyzedMessage", "mailCluster"})


def propose(item: EvidenceItem) -> list[Proposal]:
    """The actions this item's verdict proposes (rules in the module docstring)."""
    if not item.is_threat:
        return []
    malicious = item.verdict is EvidenceVerdict.MALICIOUS
    why = f"{item.kind} judged {item.verdict.value}"
    planned: list[ActionType] = []
    if item.kind in _EMAIL_KINDS:
        if malicious and _has_copies_in_mailboxes(item):
            planned.append(ActionType.SOFT_DELETE_EMAIL)
    elif item.kind == "url":
        if malicious:
            planned.append(ActionType.BLOCK_URL)
    elif item.kind in {"file", "process"}:
        if _has_file(item):
            planned.append(ActionType.STOP_AND_QUARANTINE_FILE)
        elif item.kind == "process" and item.properties.get("processId") is not None:
            planned.append(ActionType.LIVE_RESPONSE_STOP_PROCESS)
    elif item.kind == "device":
        planned.append(ActionType.RUN_ANTIVIRUS_SCAN)
        if malicious:
            planned.append(ActionType.ISOLATE_DEVICE)
    elif item.kind == "mailbox":
        if item.properties.get("externalForwarding"):
            planned.append(ActionType.TURN_OFF_EXTERNAL_FORWARDING)
    elif item.kind == "user" and malicious:
        planned.append(ActionType.RESET_PASSWORD)
        planned.append(ActionType.CONFIRM_USER_COMPROMISED)
    return [Proposal(action, item.key, item.name, why) for action in planned]


def _has_file(item: EvidenceItem) -> bool:
    details = item.properties.get("fileDetails") or item.properties.get("imageFile") or {}
    return bool(details.get("sha256"))


def _has_copies_in_mailboxes(item: EvidenceItem) -> bool:
    if item.kind == "mailCluster":
        counts = item.properties.get("countByDeliveryLocation") or {}
        return any(counts.get(location, 0) for location in ("inbox", "junkFolder"))
    return item.properties.get("deliveryLocation") in {"inbox", "junkFolder", None}
