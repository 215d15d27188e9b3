"""Step ``email_clusters``: who else got this mail (reference §2.5, §2.6)?

For every message in the investigation: **similarity clusters** on its sender values and content
(sender IP, sender domain, subject and body fingerprints, and the combined keys of §2.6), and
**entity clusters** on each URL and attachment judged malicious. Each cluster becomes
``mailClusterEvidence`` with every member counted by delivery location and action, and a verdict
from its members: up to ``member_sample`` of them are judged by the email analyzers.

- An entity cluster is malicious: every member carries the malicious URL or file.
- A combined-key cluster (same content from the same infrastructure) of a malicious original is
  malicious: it is the same campaign.
- Otherwise the members decide: malicious when at least half of those judged are malicious,
  suspicious when at least half are threats, else no threats found.
- A malicious cluster's verdict is copied onto the original message (reference §2.5).
- A cluster larger than the playbook's ``max_cluster_size`` is recorded with
  ``aboveSizeLimit`` and its members are not listed in full; its action always waits for
  approval.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.investigations.enums import LogStatus
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.graph_evidence import mailbox_properties, odata_type
from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.clusters import (
    ClusterKey,
    ClusterQuery,
    ClusterResult,
    message_keys,
    normalize_cluster_value,
)
from autoir.domain.verdicts.observables import EmailSubject
from autoir.domain.verdicts.report import Reason, combine
from autoir.services.investigation_steps.analysis import judge_subject
from autoir.services.investigation_steps.contract import AnalyzerRun, StepInput, StepOutput
from autoir.services.investigation_steps.findings import Findings, network_id, value_of

SIMILARITY_KEYS = (
    ClusterKey.SENDER_IP,
    ClusterKey.SENDER_DOMAIN,
    ClusterKey.SUBJECT,
    ClusterKey.BODY,
    ClusterKey.BODY_SENDER_IP,
    ClusterKey.BODY_SENDER_DOMAIN,
    ClusterKey.SUBJECT_SENDER_DOMAIN,
    ClusterKey.SUBJECT_SENDER_IP,
)
MEMBER_SAMPLE = 200
MAX_LISTED = 1000
WINDOW_DAYS = 30
MAX_MAILBOXES = 200
_SEVERITY = {EvidenceVerdict.MALICIOUS: 2, EvidenceVerdict.SUSPICIOUS: 1}


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    """A cluster to query: its key and value, why, and the investigation's messages in it."""

    by: ClusterKey
    value: str
    kind: str  # similarity | entity | sentMail
    original_keys: tuple[str, ...] = ()

    @property
    def original_key(self) -> str | None:
        """The first of the investigation's messages that share the value."""
        return self.original_keys[0] if self.original_keys else None


class MemberJudge:
    """Judges member messages once each across the step's clusters."""

    def __init__(self, step: StepInput) -> None:
        """Bind to the step's telemetry and analyzers."""
        self._step = step
        self._verdicts: dict[str, EvidenceVerdict] = {}
        self._messages: dict[str, EmailMessage] = {}
        self.seconds = 0.0

    def judge(self, ids: Sequence[str]) -> dict[str, EvidenceVerdict]:
        """Verdicts of these members (stored messages; absent ones are left out)."""
        wanted = [i for i in ids if i not in self._verdicts]
        started = time.perf_counter()
        if wanted:
            for message in self._step.uow.telemetry.messages_by_network_ids(wanted):
                self._messages[message.network_message_id] = message
                reports = judge_subject(
                    EmailSubject(message), self._step.analyzers, self._step.analysis_context
                )
                verdict = combine(reports).verdict if reports else EvidenceVerdict.UNKNOWN
                self._verdicts[message.network_message_id] = verdict
        self.seconds += time.perf_counter() - started
        return {i: self._verdicts[i] for i in ids if i in self._verdicts}

    def recipients(self, ids: Iterable[str]) -> list[str]:
        """Recipients of judged members, first seen first."""
        found: dict[str, None] = {}
        for i in ids:
            message = self._messages.get(i)
            if message is not None:
                found.update(dict.fromkeys(message.recipients))
        return list(found)

    @property
    def count(self) -> int:
        """How many distinct members were judged."""
        return len(self._verdicts)


def cluster_verdict(
    spec: ClusterSpec,
    verdicts: dict[str, EvidenceVerdict],
    original: EvidenceVerdict | None,
) -> tuple[EvidenceVerdict, tuple[Reason, ...]]:
    """The cluster's verdict from its kind, its original and its judged members."""
    judged = len(verdicts)
    malicious = sum(v is EvidenceVerdict.MALICIOUS for v in verdicts.values())
    threats = malicious + sum(v is EvidenceVerdict.SUSPICIOUS for v in verdicts.values())
    tally = f"{malicious} malicious and {threats - malicious} suspicious of {judged} judged"
    if spec.kind == "entity":
        what = "URL" if spec.by is ClusterKey.URL else "attachment"
        return EvidenceVerdict.MALICIOUS, (
            Reason(
                f"cluster.malicious_{'url' if what == 'URL' else 'attachment'}",
                f"Every member carries the malicious {what} {spec.value} ({tally})",
                EvidenceVerdict.MALICIOUS,
                0.95,
            ),
        )
    if spec.by.is_combined and original is EvidenceVerdict.MALICIOUS:
        return EvidenceVerdict.MALICIOUS, (
            Reason(
                "cluster.same_campaign",
                f"Same content from the same sender infrastructure as a malicious message "
                f"({spec.by.value}; {tally})",
                EvidenceVerdict.MALICIOUS,
                0.9,
            ),
        )
    half = max(1, math.ceil(judged / 2))
    if judged and malicious >= half:
        return EvidenceVerdict.MALICIOUS, (
            Reason("cluster.mostly_malicious", f"Members: {tally}", EvidenceVerdict.MALICIOUS, 0.9),
        )
    if judged and threats >= half:
        return EvidenceVerdict.SUSPICIOUS, (
            Reason("cluster.mostly_threats", f"Members: {tally}", EvidenceVerdict.SUSPICIOUS, 0.6),
        )
    return EvidenceVerdict.NO_THREATS_FOUND, (
        Reason("cluster.members", f"Members: {tally}", EvidenceVerdict.NO_THREATS_FOUND, 0.5),
    )


def cluster_item_properties(
    result: ClusterResult,
    spec: ClusterSpec,
    verdicts: dict[str, EvidenceVerdict],
    above_limit: bool,
    original: EvidenceItem | None,
) -> dict[str, Any]:
    """``mailClusterEvidence`` plus counts by threat and size-limit flag."""
    counts = {"malicious": 0, "suspicious": 0, "noThreatsFound": 0, "unknown": 0}
    for verdict in verdicts.values():
        name = verdict.value if verdict.value in counts else "unknown"
        counts[name] += 1
    properties = result.to_json()
    properties.update(
        {
            "@odata.type": odata_type("mailCluster"),
            "clusterType": spec.kind,
            "originalNetworkMessageId": network_id(original) if original else None,
            "countByThreatType": counts,
            "judgedCount": len(verdicts),
            "aboveSizeLimit": above_limit,
        }
    )
    return properties


def _specs(step: StepInput, findings: Findings, keys: Sequence[ClusterKey]) -> list[ClusterSpec]:
    specs: dict[tuple[ClusterKey, str], ClusterSpec] = {}
    for kind, by in (("url", ClusterKey.URL), ("file", ClusterKey.ATTACHMENT)):
        for item in findings.of_kind(kind):
            if item.verdict is not EvidenceVerdict.MALICIOUS:
                continue
            carrier = next((k for k in item.related if k.startswith("analyzedMessage:")), None)
            raw = str(item.properties.get("url") or value_of(item))
            normal = normalize_cluster_value(by, raw)
            if normal:
                specs.setdefault(
                    (by, normal),
                    ClusterSpec(by, normal, "entity", (carrier,) if carrier else ()),
                )
    originals = {network_id(i): i for i in findings.of_kind("analyzedMessage")}
    stored = step.uow.telemetry.messages_by_network_ids(list(originals)) if originals else []
    for message in stored:
        original = originals.get(message.network_message_id)
        mine = (original.key,) if original else ()
        for key, value in message_keys(message):
            if key not in keys:
                continue
            known = specs.get((key, value))
            if known is None:
                specs[(key, value)] = ClusterSpec(key, value, "similarity", mine)
            elif mine and mine[0] not in known.original_keys:
                specs[(key, value)] = replace(known, original_keys=(*known.original_keys, *mine))
    return list(specs.values())


def run_clusters(
    step: StepInput, findings: Findings, specs: Sequence[ClusterSpec]
) -> tuple[list[EvidenceItem], MemberJudge]:
    """Query, judge and record each cluster; returns the cluster items."""
    params = step.step.params
    sample = int(params.get("member_sample", MEMBER_SAMPLE))
    listed = int(params.get("max_listed", MAX_LISTED))
    since = step.now - timedelta(days=float(params.get("days", WINDOW_DAYS)))
    judge = MemberJudge(step)
    clusters: list[EvidenceItem] = []
    mailboxes = 0
    for spec in specs:
        query = ClusterQuery(
            spec.by, spec.value, since, None, min(listed, step.limits.max_cluster_size)
        )
        counts = step.uow.telemetry.cluster(query)
        result = ClusterResult(
            query=query,
            email_count=counts.email_count,
            network_message_ids=tuple(counts.network_message_ids),
            count_by_delivery_location=counts.by_location,
            count_by_delivery_action=counts.by_action,
            queried_at=step.now,
        )
        if result.email_count == 0 or (spec.kind == "similarity" and result.email_count <= 1):
            continue  # nothing, or only the original itself: no cluster
        verdicts = judge.judge(result.network_message_ids[:sample])
        originals = [o for o in (findings.get(k) for k in spec.original_keys) if o is not None]
        worst = max(originals, key=lambda o: _SEVERITY.get(o.verdict, 0), default=None)
        verdict, reasons = cluster_verdict(spec, verdicts, worst.verdict if worst else None)
        above = result.email_count > step.limits.max_cluster_size
        item = findings.add(
            "mailCluster",
            f"{spec.by.value}={spec.value}",
            f"{spec.by.value}: {spec.value}",
            cluster_item_properties(result, spec, verdicts, above, next(iter(originals), None)),
            related=spec.original_keys,
        )
        item = replace(
            item, verdict=verdict, confidence=max(r.weight for r in reasons), reasons=reasons
        )
        findings.put(item)
        clusters.append(item)
        if verdict is EvidenceVerdict.MALICIOUS:
            for original in originals:
                if original.verdict is not EvidenceVerdict.MALICIOUS:
                    findings.put(_copied(original, item))
            for address in judge.recipients(result.network_message_ids[:sample]):
                if mailboxes >= MAX_MAILBOXES:
                    break
                findings.add(
                    "mailbox", address, address, mailbox_properties(address), related=(item.key,)
                )
                mailboxes += 1
    return clusters, judge


def _copied(original: EvidenceItem, cluster: EvidenceItem) -> EvidenceItem:
    reason = Reason(
        "cluster.copied_to_original",
        f"Member of the malicious cluster {cluster.name}",
        EvidenceVerdict.MALICIOUS,
        0.9,
    )
    return replace(
        original,
        verdict=EvidenceVerdict.MALICIOUS,
        confidence=max(original.confidence, 0.9),
        reasons=(*original.reasons, reason),
    )


def email_clusters(step: StepInput) -> StepOutput:
    """Similarity and entity clusters of the investigation's messages.

    Params: ``keys`` (similarity keys, default all of :data:`SIMILARITY_KEYS`), ``days``
    (window, default 30), ``member_sample`` (members judged per cluster, default 200),
    ``max_listed`` (member ids kept per cluster, default 1,000).
    """
    keys = tuple(
        ClusterKey(k) for k in step.step.params.get("keys", [k.value for k in SIMILARITY_KEYS])
    )
    findings = Findings(step.evidence, step.step.id)
    specs = _specs(step, findings, keys)
    clusters, judge = run_clusters(step, findings, specs)
    malicious = sum(c.verdict is EvidenceVerdict.MALICIOUS for c in clusters)
    output = findings.output(
        f"{len(clusters)} clusters from {len(specs)} queries, {malicious} malicious; "
        f"{judge.count} member messages judged"
    )
    if judge.count:
        output.analyzer_runs.append(
            AnalyzerRun(
                "cluster.members",
                LogStatus.COMPLETED,
                f"{judge.count} member messages judged by the email analyzers",
                timedelta(seconds=judge.seconds),
            )
        )
    return output
