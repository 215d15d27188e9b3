"""Analyse one email message with the registered analyzers and reach one verdict.

Which analyzer sees what:

- analyzers accepting ``email`` get the whole message (:class:`EmailSubject`) and judge
  everything they understand in it (the email analyzer, the URL analyzer with anchor texts,
  the indicators analyzer on every identifier);
- analyzers accepting ``file`` but not ``email`` get each attachment with its payload;
- analyzers accepting ``url`` but not ``email`` get each URL of the message; URLs that
  attachment analyzers extracted (links inside a PDF) go to every ``url`` analyzer, up to
  ``max_extracted_urls``.

Combining: an authoritative report (allow/block indicator) decides as in
:func:`autoir.domain.verdicts.report.combine` (allow wins). Otherwise the findings of all
reports are pooled as independent evidence (:func:`autoir.domain.verdicts.scoring.judge`: each
finding code once, noisy-OR of weights), so weak signals seen by different analyzers add up
while one analyzer's repeated finding does not. An analyzer that fails yields an ``unknown``
report naming the failure; the others still run. Imports the domain and ports only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.messages.message import EmailMessage
from autoir.domain.verdicts.observables import (
    EmailSubject,
    FileSubject,
    Observable,
    ObservableKind,
    Subject,
)
from autoir.domain.verdicts.report import AnalyzerReport, Reason, combine
from autoir.domain.verdicts.scoring import (
    DEFAULT_POLICY,
    ScoringPolicy,
    judge,
    strongest_per_code,
)
from autoir.ports.analyzer import AnalysisContext, Analyzer

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MessageAssessment:
    """The verdict on one message, why, and every report behind it."""

    network_message_id: str
    verdict: EvidenceVerdict
    confidence: float
    reasons: tuple[Reason, ...]
    reports: tuple[AnalyzerReport, ...]
    observables: tuple[Observable, ...]

    @property
    def is_threat(self) -> bool:
        """Whether the verdict is suspicious or malicious."""
        return self.verdict in {EvidenceVerdict.SUSPICIOUS, EvidenceVerdict.MALICIOUS}


class MessageAnalysisService:
    """Runs analyzers over a message and combines their reports."""

    def __init__(
        self,
        analyzers: Sequence[Analyzer],
        *,
        policy: ScoringPolicy = DEFAULT_POLICY,
        max_extracted_urls: int = 20,
    ) -> None:
        """Use ``analyzers`` (in order) with the scoring ``policy``."""
        self._analyzers = tuple(analyzers)
        self._policy = policy
        self._max_extracted_urls = max_extracted_urls

    @property
    def analyzer_ids(self) -> tuple[str, ...]:
        """Ids of the analyzers in use."""
        return tuple(analyzer.id for analyzer in self._analyzers)

    def analyze(self, message: EmailMessage, context: AnalysisContext) -> MessageAssessment:
        """Analyse ``message`` (rules in the module docstring)."""
        reports = [
            self._run(analyzer, EmailSubject(message), context)
            for analyzer in self._accepting(ObservableKind.EMAIL)
        ]
        file_reports = [
            self._run(analyzer, subject, context)
            for subject in _attachment_subjects(message)
            for analyzer in self._accepting(ObservableKind.FILE, unless=ObservableKind.EMAIL)
        ]
        reports += file_reports
        own_urls = {u.url for u in message.urls}
        url_observables = [Observable(ObservableKind.URL, url) for url in own_urls]
        reports += [
            self._run(analyzer, observable, context)
            for observable in sorted(url_observables, key=lambda o: o.value)
            for analyzer in self._accepting(ObservableKind.URL, unless=ObservableKind.EMAIL)
        ]
        extracted = list(
            dict.fromkeys(
                o
                for report in file_reports
                for o in report.observables
                if o.kind is ObservableKind.URL and o.value not in own_urls
            )
        )[: self._max_extracted_urls]
        reports += [
            self._run(analyzer, observable, context)
            for observable in extracted
            for analyzer in self._accepting(ObservableKind.URL)
        ]
        return self._assess(message.network_message_id, reports)

    def _assess(self, network_message_id: str, reports: list[AnalyzerReport]) -> MessageAssessment:
        observables = tuple(dict.fromkeys(o for r in reports for o in r.observables))
        if any(report.authoritative for report in reports):
            combined = combine(reports)
            return MessageAssessment(
                network_message_id,
                combined.verdict,
                combined.confidence,
                combined.reasons,
                tuple(reports),
                observables,
            )
        reasons = [reason for report in reports for reason in report.reasons]
        judgement = judge(reasons, self._policy)
        examined = any(r.verdict is not EvidenceVerdict.UNKNOWN for r in reports)
        verdict = judgement.verdict
        confidence = judgement.confidence
        if verdict is EvidenceVerdict.NO_THREATS_FOUND and not examined:
            verdict, confidence = EvidenceVerdict.UNKNOWN, 0.0
        ordered = tuple(
            sorted(
                strongest_per_code(reasons),
                key=lambda r: (-_RANK.get(r.verdict, 0), -r.weight),
            )
        )
        return MessageAssessment(
            network_message_id, verdict, confidence, ordered, tuple(reports), observables
        )

    def _accepting(
        self, kind: ObservableKind, *, unless: ObservableKind | None = None
    ) -> list[Analyzer]:
        return [
            analyzer
            for analyzer in self._analyzers
            if kind in analyzer.observable_kinds
            and (unless is None or unless not in analyzer.observable_kinds)
        ]

    @staticmethod
    def _run(analyzer: Analyzer, subject: Subject, context: AnalysisContext) -> AnalyzerReport:
        try:
            return analyzer.analyze(subject, context)
        # One failing analyzer must not lose the others' verdicts: logged, reported, skipped.
        except Exception as exc:
            logger.warning("analyzer %s failed", analyzer.id, exc_info=True)
            reason = Reason(
                "analyzer.failed",
                f"{analyzer.id} failed: {type(exc).__name__}",
                EvidenceVerdict.UNKNOWN,
                0.0,
            )
            return AnalyzerReport(analyzer.id, EvidenceVerdict.UNKNOWN, 0.0, (reason,))


_RANK = {EvidenceVerdict.MALICIOUS: 2, EvidenceVerdict.SUSPICIOUS: 1}


def _attachment_subjects(message: EmailMessage) -> list[FileSubject]:
    return [
        FileSubject(a.name, a.sha256, a.payload, a.content_type)
        for a in message.attachments
        if a.payload is not None
    ]
