"""Step ``analyze_evidence``: run every analyzer that accepts an item, combine, keep the reasons."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.investigations.enums import LogStatus
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.messages.message import EmailMessage, MessageUrl
from autoir.domain.verdicts.observables import (
    EmailSubject,
    Observable,
    ObservableKind,
    Subject,
)
from autoir.domain.verdicts.report import AnalyzerReport, Reason, combine
from autoir.ports.analyzer import AnalysisContext, Analyzer
from autoir.services.investigation_steps.contract import AnalyzerRun, StepInput, StepOutput

PROVIDER = "alert.provider"


def subjects_of(item: EvidenceItem, now: datetime) -> list[Subject]:
    """What analyzers can be asked about this item."""
    props = item.properties
    value = item.key.split(":", 1)[1]
    if item.kind == "url":
        return [Observable(ObservableKind.URL, str(props.get("url") or value))]
    if item.kind == "ip":
        return [Observable(ObservableKind.IP, str(props.get("ipAddress") or value))]
    if item.kind == "file":
        details = props.get("fileDetails") or {}
        sha256 = details.get("sha256")
        return [Observable(ObservableKind.FILE_SHA256, str(sha256).lower())] if sha256 else []
    if item.kind == "process":
        image = props.get("imageFile") or {}
        subjects: list[Subject] = [Observable(ObservableKind.PROCESS, item.name)]
        if image.get("sha256"):
            subjects.append(Observable(ObservableKind.FILE_SHA256, str(image["sha256"]).lower()))
        return subjects
    if item.kind == "analyzedMessage":
        message = message_from_evidence(props, value, now)
        subjects = [EmailSubject(message)]
        if message.sender_from_address:
            subjects.append(Observable(ObservableKind.EMAIL_ADDRESS, message.sender_from_address))
        return subjects
    return []


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
    return ObservableKind.FILE in kinds


def assess(
    item: EvidenceItem,
    analyzers: Sequence[Analyzer],
    context: AnalysisContext,
    runs: list[AnalyzerRun],
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
    for subject in subjects_of(item, context.now):
        for analyzer in analyzers:
            if not _accepts(analyzer, subject):
                continue
            started = time.perf_counter()
            try:
                report = analyzer.analyze(subject, context)
            except Exception as exc:  # noqa: BLE001 - one analyzer failing must not stop the others
                runs.append(
                    AnalyzerRun(
                        analyzer.id,
                        LogStatus.FAILED,
                        f"{item.name}: {type(exc).__name__}: {exc}",
                        timedelta(seconds=time.perf_counter() - started),
                    )
                )
                continue
            runs.append(
                AnalyzerRun(
                    analyzer.id,
                    LogStatus.COMPLETED,
                    f"{item.name}: {report.verdict.value}",
                    timedelta(seconds=time.perf_counter() - started),
                )
            )
            reports.append(report)
    if not reports:
        return item
    assessment = combine(reports)
    return replace(
        item,
        verdict=assessment.verdict,
        confidence=assessment.confidence,
        reasons=assessment.reasons,
    )


ANALYZED_KINDS = frozenset({"url", "ip", "file", "process", "analyzedMessage"})


def analyze_evidence(step: StepInput) -> StepOutput:
    """Judge every analysable item (params ``kinds`` narrows which)."""
    kinds = frozenset(step.step.params.get("kinds", ANALYZED_KINDS))
    output = StepOutput()
    for item in step.evidence.values():
        if item.kind not in kinds:
            continue
        judged = assess(item, step.analyzers, step.analysis_context, output.analyzer_runs)
        if judged is not item:
            output.evidence.append(replace(judged, step_id=item.step_id))
    threats = sum(1 for item in output.evidence if item.is_threat)
    output.summary = f"{len(output.evidence)} items judged, {threats} malicious or suspicious"
    return output
