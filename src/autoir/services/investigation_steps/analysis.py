"""Step ``analyze_evidence``: run every analyzer that accepts an item, combine, keep the reasons."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.investigations.enums import LogStatus
from autoir.domain.investigations.evidence import EvidenceItem, key_value
from autoir.domain.messages.message import EmailMessage, MessageUrl
from autoir.domain.verdicts.observables import (
    EmailSubject,
    Observable,
    ObservableKind,
    ProcessSubject,
    Subject,
    UserActivitySubject,
)
from autoir.domain.verdicts.report import AnalyzerReport, Reason, combine
from autoir.ports.analyzer import AnalysisContext, Analyzer
from autoir.services.investigation_steps.contract import AnalyzerRun, StepInput, StepOutput

PROVIDER = "alert.provider"


SIGN_IN_DAYS = 30
MAX_SIGN_INS = 2000


@dataclass(frozen=True, slots=True)
class Lookups:
    """What judging an item may need from telemetry: stored messages, a user's sign-ins."""

    messages: Mapping[str, EmailMessage] = field(default_factory=dict)
    activity: Callable[[str], UserActivitySubject | None] | None = None


def subjects_of(item: EvidenceItem, now: datetime, lookups: Lookups | None = None) -> list[Subject]:
    """What analyzers can be asked about this item."""
    lookups = lookups or Lookups()
    props = item.properties
    value = key_value(item.key)
    if item.kind == "process":
        return [process_subject(props, item.name)]
    if item.kind == "user":
        account = props.get("userAccount") or {}
        upn = str(account.get("userPrincipalName") or "").lower()
        activity = lookups.activity(upn) if upn and lookups.activity else None
        return [activity] if activity is not None else []
    if item.kind == "analyzedMessage":
        message = lookups.messages.get(value) or message_from_evidence(props, value, now)
        subjects: list[Subject] = [EmailSubject(message)]
        if message.sender_from_address:
            subjects.append(Observable(ObservableKind.EMAIL_ADDRESS, message.sender_from_address))
        return subjects
    return _observables(item.kind, props, value)


def _observables(kind: str, props: Mapping[str, Any], value: str) -> list[Subject]:
    if kind == "url":
        return [Observable(ObservableKind.URL, str(props.get("url") or value))]
    if kind == "ip":
        return [Observable(ObservableKind.IP, str(props.get("ipAddress") or value))]
    if kind == "file":
        details = props.get("fileDetails") or {}
        sha256 = details.get("sha256")
        return [Observable(ObservableKind.FILE_SHA256, str(sha256).lower())] if sha256 else []
    return []


def process_subject(props: Mapping[str, Any], fallback: str) -> ProcessSubject:
    """A :class:`ProcessSubject` from ``processEvidence`` properties."""
    image = props.get("imageFile") or {}
    parent = props.get("parentProcessImageFile") or {}
    account = props.get("userAccount") or {}
    command = str(props.get("processCommandLine") or "")
    return ProcessSubject(
        image=str(image.get("fileName") or command.split(" ", 1)[0] or fallback),
        command_line=command,
        parent_image=parent.get("fileName"),
        parent_command_line=props.get("parentProcessCommandLine"),
        account=account.get("accountName"),
        sha256=image.get("sha256"),
        folder=image.get("filePath"),
        ancestors=tuple(str(a) for a in props.get("ancestors") or ()),
    )


def message_from_evidence(
    props: Mapping[str, Any], network_message_id: str, fallback_time: datetime
) -> EmailMessage:
    """An :class:`EmailMessage` from ``analyzedMessageEvidence`` properties (no bodies)."""
    p1 = props.get("p1Sender") or {}
    p2 = props.get("p2Sender") or {}
    received = props.get("receivedDateTime")
    try:
        received_at = datetime.fromisoformat(str(received))
    except ValueError:
        received_at = fallback_time
    recipient = props.get("recipientEmailAddress")
    return EmailMessage(
        network_message_id=network_message_id,
        received_at=received_at,
        subject=str(props.get("subject") or ""),
        internet_message_id=props.get("internetMessageId"),
        sender_from_address=_lower(p2.get("emailAddress")),
        sender_display_name=p2.get("displayName"),
        sender_mail_from_address=_lower(p1.get("emailAddress")),
        sender_ip=props.get("senderIp"),
        recipients=(str(recipient).lower(),) if recipient else (),
        urls=tuple(MessageUrl(str(url)) for url in props.get("urls") or ()),
    )


def _lower(value: object) -> str | None:
    return str(value).lower() if value else None


def _accepts(analyzer: Analyzer, subject: Subject) -> bool:
    kinds = analyzer.observable_kinds
    if isinstance(subject, Observable):
        return subject.kind in kinds
    if isinstance(subject, EmailSubject):
        return ObservableKind.EMAIL in kinds
    if isinstance(subject, ProcessSubject):
        return ObservableKind.PROCESS in kinds
    if isinstance(subject, UserActivitySubject):
        return ObservableKind.USER in kinds
    return ObservableKind.FILE in kinds


def judge_subject(
    subject: Subject,
    analyzers: Sequence[Analyzer],
    context: AnalysisContext,
    runs: list[AnalyzerRun] | None = None,
    label: str = "",
) -> list[AnalyzerReport]:
    """Every accepting analyzer's report on one subject; a failing analyzer is skipped.

    With ``runs``, each call is recorded for the log (``label`` names the subject).
    """
    reports: list[AnalyzerReport] = []
    for analyzer in analyzers:
        if not _accepts(analyzer, subject):
            continue
        started = time.perf_counter()
        try:
            report = analyzer.analyze(subject, context)
        except Exception as exc:  # noqa: BLE001 - one analyzer failing must not stop the others
            status, description = LogStatus.FAILED, f"{label}: {type(exc).__name__}: {exc}"
        else:
            reports.append(report)
            status, description = LogStatus.COMPLETED, f"{label}: {report.verdict.value}"
        if runs is not None:
            elapsed = timedelta(seconds=time.perf_counter() - started)
            runs.append(AnalyzerRun(analyzer.id, status, description, elapsed))
    return reports


def assess(
    item: EvidenceItem,
    analyzers: Sequence[Analyzer],
    context: AnalysisContext,
    runs: list[AnalyzerRun],
    lookups: Lookups | None = None,
) -> EvidenceItem:
    """The item with the combined verdict of every analyzer that accepts it."""
    reports: list[AnalyzerReport] = []
    if item.verdict not in {EvidenceVerdict.UNKNOWN, EvidenceVerdict.UNKNOWN_FUTURE_VALUE}:
        reports.append(
            AnalyzerReport(
                PROVIDER,
                item.verdict,
                0.7,
                (
                    Reason(
                        "alert.provider_verdict",
                        "The alert's source gave this verdict.",
                        item.verdict,
                    ),
                ),
            )
        )
    for subject in subjects_of(item, context.now, lookups):
        reports.extend(judge_subject(subject, analyzers, context, runs, item.name))
    if not reports:
        return item
    assessment = combine(reports)
    return replace(
        item,
        verdict=assessment.verdict,
        confidence=assessment.confidence,
        reasons=assessment.reasons,
    )


ANALYZED_KINDS = frozenset({"url", "ip", "file", "process", "analyzedMessage", "user"})


def lookups_for(step: StepInput, items: Sequence[EvidenceItem]) -> Lookups:
    """Stored copies of the items' messages, and a sign-in reader for users."""
    ids = [
        str(item.properties.get("networkMessageId") or key_value(item.key))
        for item in items
        if item.kind == "analyzedMessage"
    ]
    stored = step.uow.telemetry.messages_by_network_ids(ids) if ids else []
    days = int(step.step.params.get("sign_in_days", SIGN_IN_DAYS))
    since = step.now - timedelta(days=days)

    def activity(user: str) -> UserActivitySubject:
        sign_ins = step.uow.telemetry.sign_ins(user, since, None, MAX_SIGN_INS)
        return UserActivitySubject(user, tuple(sign_ins), since, step.now)

    return Lookups({m.network_message_id.lower(): m for m in stored}, activity)


def analyze_evidence(step: StepInput) -> StepOutput:
    """Judge every analysable item (params ``kinds`` narrows which)."""
    kinds = frozenset(step.step.params.get("kinds", ANALYZED_KINDS))
    output = StepOutput()
    chosen = [item for item in step.evidence.values() if item.kind in kinds]
    lookups = lookups_for(step, chosen)
    for item in chosen:
        judged = assess(item, step.analyzers, step.analysis_context, output.analyzer_runs, lookups)
        if judged is not item:
            output.evidence.append(replace(judged, step_id=item.step_id))
    threats = sum(1 for item in output.evidence if item.is_threat)
    output.summary = f"{len(output.evidence)} items judged, {threats} malicious or suspicious"
    return output
