"""Planning: a copy's own action gives way to a cluster action that lists it."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.investigations.evidence import EvidenceItem, evidence_key
from autoir.domain.remediation.automation import AutomationPolicy
from autoir.domain.remediation.planning import plan

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def message(nmid: str) -> EvidenceItem:
    return EvidenceItem(
        "analyzedMessage",
        evidence_key("analyzedMessage", nmid),
        "Invoice overdue",
        {"networkMessageId": nmid, "recipientEmailAddress": f"{nmid}@contoso.com"},
        EvidenceVerdict.MALICIOUS,
    )


def cluster(by: str, nmids: list[str]) -> EvidenceItem:
    return EvidenceItem(
        "mailCluster",
        evidence_key("mailCluster", f"{by}:x"),
        f"{by}: x",
        {
            "clusterBy": by,
            "clusterByValue": "x",
            "emailCount": len(nmids),
            "networkMessageIds": nmids,
            "countByDeliveryLocation": {"inbox": len(nmids)},
        },
        EvidenceVerdict.MALICIOUS,
    )


def planned(items: list[EvidenceItem]) -> list[tuple[str, str]]:
    ids = count()
    result = plan(
        investigation_id="inv-1",
        items=items,
        already=set(),
        policy=AutomationPolicy(),
        new_id=lambda: f"a{next(ids)}",
        now=NOW,
    )
    return [(a.action_type.value, a.target_name) for a in result.actions]


def test_copies_listed_by_a_cluster_get_no_action_of_their_own() -> None:
    items = [message("m1"), message("m2"), cluster("subjectFingerprint", ["m1", "m2"])]
    assert planned(items) == [("softDeleteEmail", "subjectFingerprint: x")]


def test_a_copy_outside_every_cluster_keeps_its_action() -> None:
    items = [message("m1"), message("m9"), cluster("senderIp", ["m1", "m2"])]
    assert planned(items) == [
        ("softDeleteEmail", "Invoice overdue"),
        ("softDeleteEmail", "senderIp: x"),
    ]
