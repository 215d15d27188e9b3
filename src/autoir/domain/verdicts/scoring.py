"""Weighing independent findings into one verdict (used by analyzers and message analysis).

Each :class:`~autoir.domain.verdicts.report.Reason` carries the verdict it argues for and a
weight in [0, 1], read as "how likely this alone makes the subject bad". Independent findings
pool like independent probabilities (noisy-OR): ``score = 1 - Π(1 - weight)`` over the reasons
arguing ``suspicious`` or ``malicious``, one per code (the strongest), so the same finding
reported twice never counts twice. Reasons arguing ``noThreatsFound`` discount the score the
same way. Then:

- ``malicious`` when one ``malicious`` reason is decisive on its own (weight ≥
  ``decisive_weight``), or the pooled score reaches ``malicious_at`` with at least one
  ``malicious`` reason among the findings;
- ``suspicious`` when the score reaches ``suspicious_at``;
- otherwise ``noThreatsFound`` (the weak findings stay listed for the analyst).

Confidence is the score for a bad verdict and ``1 - score`` for ``noThreatsFound``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.report import Reason

_BAD = {EvidenceVerdict.SUSPICIOUS, EvidenceVerdict.MALICIOUS}


@dataclass(frozen=True, slots=True)
class ScoringPolicy:
    """Thresholds of the pooled score."""

    suspicious_at: float = 0.35
    malicious_at: float = 0.9
    decisive_weight: float = 0.85


DEFAULT_POLICY = ScoringPolicy()


@dataclass(frozen=True, slots=True)
class Judgement:
    """A verdict with its confidence and the pooled score behind it."""

    verdict: EvidenceVerdict
    confidence: float
    score: float


def strongest_per_code(reasons: Iterable[Reason]) -> list[Reason]:
    """One reason per code (the heaviest, malicious before suspicious), first-seen order."""
    chosen: dict[str, Reason] = {}
    for reason in reasons:
        current = chosen.get(reason.code)
        if current is None or (_rank(reason), reason.weight) > (_rank(current), current.weight):
            chosen[reason.code] = reason
    return list(chosen.values())


def pooled_score(reasons: Iterable[Reason]) -> float:
    """Noisy-OR of the bad findings, discounted by the benign ones."""
    bad = 1.0
    benign = 1.0
    for reason in strongest_per_code(reasons):
        weight = min(max(reason.weight, 0.0), 1.0)
        if reason.verdict in _BAD:
            bad *= 1.0 - weight
        elif reason.verdict is EvidenceVerdict.NO_THREATS_FOUND:
            benign *= 1.0 - weight
    return (1.0 - bad) * benign


def judge(reasons: Iterable[Reason], policy: ScoringPolicy = DEFAULT_POLICY) -> Judgement:
    """The verdict the findings support together (rules in the module docstring)."""
    distinct = strongest_per_code(reasons)
    score = pooled_score(distinct)
    malicious = [r for r in distinct if r.verdict is EvidenceVerdict.MALICIOUS]
    if any(r.weight >= policy.decisive_weight for r in malicious) or (
        malicious and score >= policy.malicious_at
    ):
        decisive = max((r.weight for r in malicious), default=0.0)
        return Judgement(EvidenceVerdict.MALICIOUS, round(max(score, decisive), 3), score)
    if score >= policy.suspicious_at:
        return Judgement(EvidenceVerdict.SUSPICIOUS, round(score, 3), score)
    return Judgement(EvidenceVerdict.NO_THREATS_FOUND, round(1.0 - score, 3), score)


def _rank(reason: Reason) -> int:
    order = {EvidenceVerdict.MALICIOUS: 2, EvidenceVerdict.SUSPICIOUS: 1}
    return order.get(reason.verdict, 0)
