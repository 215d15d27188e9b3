"""Step ``expand_user``: a user's recent sign-ins, the mail they sent, their forwarding.

- **Sign-ins** in the window are summarised on the user item (count, failures, countries, IP
  addresses); the analysis step judges them (impossible travel, new country, failure bursts).
  The IPs of recent successful sign-ins from countries outside the user's usual ones become
  linked ``ipEvidence``.
- **Sent mail**: a cluster of the messages the user sent in the window (P2 sender), judged by
  its members like any cluster (reference §2.5: "user-compromise runs add clusters of the
  user's sent mail").
- **Mailbox rules** come from the mail connector (ManageSieve): each user's mailbox becomes
  ``mailboxEvidence`` with ``externalForwarding`` (addresses outside the organisation its
  running rules redirect mail to) and ``outOfOffice``; external forwarding makes the mailbox
  suspicious, which proposes turning it off. Without a connector the step says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.domain.investigations.evidence import EvidenceItem, EvidenceOrigin
from autoir.domain.investigations.graph_evidence import (
    ip_properties,
    mailbox_properties,
    user_properties,
)
from autoir.domain.telemetry.clusters import ClusterKey
from autoir.domain.telemetry.normalize import normalize_address
from autoir.domain.verdicts.report import Reason
from autoir.services.investigation_steps.clusters import ClusterSpec, run_clusters
from autoir.services.investigation_steps.contract import StepInput, StepOutput
from autoir.services.investigation_steps.findings import Findings, value_of

WINDOW_DAYS = 30
MAX_SIGN_INS = 2000
MAX_IPS = 20


def _upn(item: EvidenceItem) -> str | None:
    if item.kind == "user":
        account = item.properties.get("userAccount") or {}
        raw = account.get("userPrincipalName")
    else:
        raw = item.properties.get("primaryAddress") or item.properties.get("upn")
    return normalize_address(str(raw)) if raw else None


def expand_user(step: StepInput) -> StepOutput:
    """Sign-ins, sent-mail cluster, forwarding (params: ``days``, ``sent_mail``)."""
    days = float(step.step.params.get("days", WINDOW_DAYS))
    since = step.now - timedelta(days=days)
    findings = Findings(step.evidence, step.step.id)
    subject = str(step.investigation.subject.get("value") or "").lower()
    users = dict.fromkeys(
        upn
        for item in [*findings.of_kind("user"), *findings.of_kind("mailbox")]
        if item.kind == "user" or item.origin is EvidenceOrigin.ALERT or value_of(item) == subject
        for upn in [_upn(item)]
        if upn
    )
    total = 0
    specs: list[ClusterSpec] = []
    for upn in users:
        sign_ins = step.uow.telemetry.sign_ins(upn, since, None, MAX_SIGN_INS)
        total += len(sign_ins)
        countries = Counter(
            s.location.country for s in sign_ins if s.success and s.location.country
        )
        usual = {c for c, n in countries.items() if n >= max(2, len(sign_ins) // 10)}
        item = findings.add(
            "user",
            upn,
            upn,
            {
                **user_properties(upn),
                "signInSummary": {
                    "since": since.isoformat(),
                    "count": len(sign_ins),
                    "failures": sum(not s.success for s in sign_ins),
                    "countries": dict(countries.most_common(10)),
                    "lastSignInDateTime": sign_ins[0].time.isoformat() if sign_ins else None,
                },
            },
        )
        unusual = [s for s in sign_ins if s.success and s.ip and s.location.country not in usual]
        for sign_in in unusual[:MAX_IPS]:
            assert sign_in.ip is not None
            ip = findings.add(
                "ip",
                sign_in.ip,
                sign_in.ip,
                {**ip_properties(sign_in.ip), "countryLetterCode": sign_in.location.country},
            )
            findings.link(item.key, ip.key)
        if step.step.params.get("sent_mail", True):
            specs.append(ClusterSpec(ClusterKey.SENDER, upn, "sentMail"))
    clusters, judge = run_clusters(step, findings, specs) if specs else ([], None)
    for cluster in clusters:
        sender = cluster.properties.get("clusterByValue")
        findings.link(f"user:{sender}", cluster.key)
    output = findings.output(
        f"{len(users)} users: {total} sign-ins in {days:g} days, {len(clusters)} sent-mail "
        f"clusters; {_mailbox_rules(step, findings, list(users))}"
    )
    if judge is not None and judge.count:
        output.summary += f"; {judge.count} sent messages judged"
    return output


def _mailbox_rules(step: StepInput, findings: Findings, users: list[str]) -> str:
    """Read each user's mailbox rules into mailbox evidence; a summary for the log."""
    if step.mailboxes is None:
        return "forwarding rules: no mail connector configured"
    forwarding = away = 0
    unreadable: list[str] = []
    for upn in users:
        try:
            rules = step.mailboxes.mailbox_rules(upn, step.internal_domains)
        except (ConnectorUnavailable, ConnectorRejected) as exc:
            unreadable.append(f"{upn} ({exc})")
            continue
        item = findings.add(
            "mailbox", upn, upn, {**mailbox_properties(upn), **rules.to_json()}, entity=None
        )
        findings.link(f"user:{upn}", item.key)
        away += rules.out_of_office.active
        if rules.external_forwarding:
            forwarding += 1
            reason = Reason(
                "mailbox.external_forwarding",
                "Mail is redirected outside the organisation to "
                + ", ".join(rules.external_forwarding[:5]),
                EvidenceVerdict.SUSPICIOUS,
                0.7,
            )
            findings.put(
                replace(item, verdict=EvidenceVerdict.SUSPICIOUS, confidence=0.7, reasons=(reason,))
            )
    summary = (
        f"mailbox rules of {len(users) - len(unreadable)} mailboxes: {forwarding} forward "
        f"outside the organisation, {away} out of office"
    )
    if unreadable:
        summary += f"; unreadable: {', '.join(unreadable[:3])}"
    return summary
