"""MessageAnalysisService: routing of subjects, pooling of findings, authoritative reports."""

from __future__ import annotations

from dataclasses import dataclass

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.messages.message import MessageUrl
from autoir.domain.verdicts.observables import (
    EmailSubject,
    FileSubject,
    Observable,
    ObservableKind,
    Subject,
)
from autoir.domain.verdicts.report import AnalyzerReport, Reason
from autoir.ports.analyzer import AnalysisContext
from autoir.services.message_analysis import MessageAnalysisService
from tests.unit.analyzers.builders import attachment, context, email

S = EvidenceVerdict.SUSPICIOUS


@dataclass
class Fixed:
    """An analyzer that records what it saw and answers with fixed reasons."""

    id: str
    observable_kinds: frozenset[ObservableKind]
    reasons: tuple[Reason, ...] = ()
    authoritative_verdict: EvidenceVerdict | None = None
    fail: bool = False

    def __post_init__(self) -> None:
        self.seen: list[Subject] = []

    def analyze(self, subject: Subject, context: AnalysisContext) -> AnalyzerReport:
        del context
        self.seen.append(subject)
        if self.fail:
            raise RuntimeError("boom")
        if self.authoritative_verdict is not None:
            return AnalyzerReport(
                self.id, self.authoritative_verdict, 1.0, self.reasons, authoritative=True
            )
        observables = ()
        if isinstance(subject, FileSubject):
            observables = (Observable(ObservableKind.URL, "https://from-pdf.example/"),)
        return AnalyzerReport(
            self.id,
            S if self.reasons else EvidenceVerdict.NO_THREATS_FOUND,
            0.5,
            self.reasons,
            observables,
        )


def test_subjects_are_routed_by_accepted_kinds() -> None:
    whole = Fixed("a.email", frozenset({ObservableKind.EMAIL, ObservableKind.URL}))
    files = Fixed("a.file", frozenset({ObservableKind.FILE}))
    urls = Fixed("a.url", frozenset({ObservableKind.URL}))
    message = email(
        urls=(MessageUrl("https://a.example/"),), attachments=(attachment("x.pdf", b"%PDF"),)
    )
    MessageAnalysisService([whole, files, urls]).analyze(message, context())
    assert [type(s) for s in whole.seen] == [EmailSubject, Observable]  # + the URL from the PDF
    assert [type(s) for s in files.seen] == [FileSubject]
    assert sorted(s.value for s in urls.seen if isinstance(s, Observable)) == [
        "https://a.example/",
        "https://from-pdf.example/",
    ]


def test_weak_signals_from_different_analyzers_add_up_but_repeats_do_not() -> None:
    weak = Reason("x.weak", "weak", S, 0.3)
    other = Reason("y.weak", "other", S, 0.3)
    one = MessageAnalysisService([Fixed("a", frozenset({ObservableKind.EMAIL}), (weak,))])
    assert one.analyze(email(), context()).verdict is EvidenceVerdict.NO_THREATS_FOUND
    repeated = MessageAnalysisService(
        [
            Fixed("a", frozenset({ObservableKind.EMAIL}), (weak,)),
            Fixed("b", frozenset({ObservableKind.EMAIL}), (weak,)),
        ]
    )
    assert repeated.analyze(email(), context()).verdict is EvidenceVerdict.NO_THREATS_FOUND
    pooled = MessageAnalysisService(
        [
            Fixed("a", frozenset({ObservableKind.EMAIL}), (weak,)),
            Fixed("b", frozenset({ObservableKind.EMAIL}), (other,)),
        ]
    )
    assessment = pooled.analyze(email(), context())
    assert assessment.verdict is EvidenceVerdict.SUSPICIOUS
    assert {r.code for r in assessment.reasons} == {"x.weak", "y.weak"}


def test_decisive_malicious_finding_and_allow_list_override() -> None:
    bad = Reason("z.bad", "bad", EvidenceVerdict.MALICIOUS, 0.95)
    analyzers = [Fixed("a", frozenset({ObservableKind.EMAIL}), (bad,))]
    assert (
        MessageAnalysisService(analyzers).analyze(email(), context()).verdict
        is EvidenceVerdict.MALICIOUS
    )
    allow = Fixed(
        "i",
        frozenset({ObservableKind.EMAIL}),
        (Reason("indicator.allowed", "allowed", EvidenceVerdict.NO_THREATS_FOUND, 1.0),),
        authoritative_verdict=EvidenceVerdict.NO_THREATS_FOUND,
    )
    assessment = MessageAnalysisService([*analyzers, allow]).analyze(email(), context())
    assert assessment.verdict is EvidenceVerdict.NO_THREATS_FOUND
    assert [r.code for r in assessment.reasons] == ["indicator.allowed"]


def test_a_failing_analyzer_is_reported_and_the_others_still_count() -> None:
    broken = Fixed("broken", frozenset({ObservableKind.EMAIL}), fail=True)
    strong = Fixed("ok", frozenset({ObservableKind.EMAIL}), (Reason("k.s", "s", S, 0.6),))
    assessment = MessageAnalysisService([broken, strong]).analyze(email(), context())
    assert assessment.verdict is EvidenceVerdict.SUSPICIOUS
    assert "analyzer.failed" in {r.code for r in assessment.reasons}


def test_nothing_examined_is_unknown() -> None:
    assessment = MessageAnalysisService([]).analyze(email(), context())
    assert assessment.verdict is EvidenceVerdict.UNKNOWN
