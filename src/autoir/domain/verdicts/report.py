"""Analyzer reports and how several of them combine into one verdict for a piece of evidence.

Combination rules (pure, documented in docs/architecture.md):

- an *authoritative* report (an allow-list or block-list indicator) decides alone; when both
  kinds exist, allow wins;
- otherwise the strongest verdict wins (malicious > suspicious > noThreatsFound > unknown) with the
  highest confidence among the reports that reached it; ``unknown`` reports never outvote a
  ``noThreatsFound``;
- reasons from every report are kept, strongest first, so the analyst sees why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.observables import Observable

VERDICT_RANK = {
    EvidenceVerdict.UNKNOWN: 0,
    EvidenceVerdict.UNKNOWN_FUTURE_VALUE: 0,
    EvidenceVerdict.NO_THREATS_FOUND: 1,
    EvidenceVerdict.SUSPICIOUS: 2,
    EvidenceVerdict.MALICIOUS: 3,
}


@dataclass(frozen=True, slots=True)
class Reason:
    """One finding: a stable machine code (``url.ip_literal_host``), human text, what it points to.

    ``verdict`` is the verdict this finding argues for on its own; ``weight`` (0 to 1) how strongly.
    """

    code: str
    text: str
    verdict: EvidenceVerdict = EvidenceVerdict.SUSPICIOUS
    weight: float = 0.5


@dataclass(frozen=True, slots=True)
class AnalyzerReport:
    """What one analyzer concluded about one subject."""

    analyzer: str
    verdict: EvidenceVerdict
    confidence: float
    reasons: tuple[Reason, ...] = ()
    observables: tuple[Observable, ...] = ()
    authoritative: bool = False

    def __post_init__(self) -> None:
        """Keep confidence in range."""
        if not 0.0 <= self.confidence <= 1.0:
            msg = f"confidence must be between 0 and 1, got {self.confidence}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The combined verdict for one piece of evidence."""

    verdict: EvidenceVerdict
    confidence: float
    reasons: tuple[Reason, ...]
    analyzers: tuple[str, ...]


def combine(reports: Iterable[AnalyzerReport]) -> Assessment:
    """Combine analyzer reports into one assessment (rules in the module docstring)."""
    reports = list(reports)
    names = tuple(report.analyzer for report in reports)
    reasons = tuple(
        sorted(
            (reason for report in reports for reason in report.reasons),
            key=lambda reason: (-VERDICT_RANK[reason.verdict], -reason.weight),
        )
    )
    authoritative = [report for report in reports if report.authoritative]
    if authoritative:
        allowed = [r for r in authoritative if r.verdict is EvidenceVerdict.NO_THREATS_FOUND]
        deciding = allowed or authoritative
        best = max(deciding, key=lambda r: (VERDICT_RANK[r.verdict], r.confidence))
        deciding_reasons = tuple(reason for r in deciding for reason in r.reasons)
        return Assessment(best.verdict, best.confidence, deciding_reasons, names)
    if not reports:
        return Assessment(EvidenceVerdict.UNKNOWN, 0.0, (), ())
    top = max(VERDICT_RANK[report.verdict] for report in reports)
    reaching = [report for report in reports if VERDICT_RANK[report.verdict] == top]
    best = max(reaching, key=lambda report: report.confidence)
    return Assessment(best.verdict, best.confidence, reasons, names)
