"""Turning an analyzer's findings into its report, the same way for every built-in."""

from __future__ import annotations

from collections.abc import Iterable

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.observables import Observable
from autoir.domain.verdicts.report import AnalyzerReport, Reason
from autoir.domain.verdicts.scoring import judge, strongest_per_code


def build_report(
    analyzer: str,
    reasons: Iterable[Reason],
    observables: Iterable[Observable] = (),
    *,
    examined: bool = True,
) -> AnalyzerReport:
    """A report whose verdict is the pooled judgement of ``reasons``.

    ``examined=False`` means the analyzer had nothing it could look at (no content, no rules):
    with no findings that is ``unknown``, not ``noThreatsFound``.
    """
    distinct = strongest_per_code(reasons)
    found = tuple(dict.fromkeys(observables))
    if not distinct and not examined:
        return AnalyzerReport(analyzer, EvidenceVerdict.UNKNOWN, 0.0, (), found)
    judgement = judge(distinct)
    ordered = sorted(distinct, key=lambda r: (-_rank(r.verdict), -r.weight))
    return AnalyzerReport(analyzer, judgement.verdict, judgement.confidence, tuple(ordered), found)


def _rank(verdict: EvidenceVerdict) -> int:
    return {EvidenceVerdict.MALICIOUS: 2, EvidenceVerdict.SUSPICIOUS: 1}.get(verdict, 0)
