"""The real-mail evaluation behind ``autoir analyze evaluate`` (see docs/evaluation.md).

Labelled folders under ``emails/``: ``phish`` (phishing, should be judged suspicious or
malicious), ``ham`` (legitimate, should be judged no threats found) and ``spam`` (reported on
its own: unwanted but not the phishing this product acts on). Figures:

- per verdict class (``malicious``, ``suspicious``, ``suspicious or malicious``,
  ``noThreatsFound``): precision and recall over phish + ham, phish being the positive class
  for the threat verdicts and ham for ``noThreatsFound``;
- the targets of issue 3: at least 90 % of phish judged suspicious or malicious, at most 2 % of
  ham malicious and at most 5 % suspicious.

Messages are analysed offline, as ``autoir analyze eml`` does: no organisation domains, no
history, no indicators.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from autoir.bootstrap.analysis import build_analysis
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.mime import MessageSource, iter_message_sources, parse_message
from autoir.settings import Settings

LABELS = ("phish", "ham", "spam")
THREATS = frozenset({EvidenceVerdict.SUSPICIOUS.value, EvidenceVerdict.MALICIOUS.value})
MIN_PHISH_DETECTED = 0.90
MAX_HAM_MALICIOUS = 0.02
MAX_HAM_SUSPICIOUS = 0.05
REPO_ROOT = Path(__file__).resolve().parents[3]


def default_datasets_dir(settings: Settings | None = None) -> Path:
    """``AUTOIR_DATASETS``, else ``<repo>/../shared/datasets``."""
    configured = (settings or Settings()).datasets
    return configured or REPO_ROOT.parent / "shared" / "datasets"


@dataclass(frozen=True, slots=True)
class Miss:
    """A message judged against its label: phish not flagged, or legitimate mail flagged."""

    label: str
    path: str
    verdict: str
    subject: str
    codes: tuple[str, ...]


@dataclass(slots=True)
class LabelResult:
    """Verdict counts, frequent finding codes and the misses of one label."""

    verdicts: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Messages judged."""
        return sum(self.verdicts.values())

    def share(self, *verdicts: str) -> float:
        """Fraction of messages given one of ``verdicts``."""
        return sum(self.verdicts[v] for v in verdicts) / self.total if self.total else 0.0


@dataclass(slots=True)
class MailEvaluation:
    """The evaluation's figures."""

    results: dict[str, LabelResult]
    seconds: float

    def precision_recall(self) -> dict[str, dict[str, float]]:
        """Precision and recall per verdict class over phish (positive) and ham."""
        phish, ham = self.results["phish"], self.results["ham"]
        classes = {
            "malicious": ({"malicious"}, True),
            "suspicious": ({"suspicious"}, True),
            "suspiciousOrMalicious": (set(THREATS), True),
            "noThreatsFound": ({"noThreatsFound", "unknown"}, False),
        }
        figures = {}
        for name, (verdicts, positive_is_phish) in classes.items():
            hits_phish = sum(phish.verdicts[v] for v in verdicts)
            hits_ham = sum(ham.verdicts[v] for v in verdicts)
            right, wrong, relevant = (
                (hits_phish, hits_ham, phish.total)
                if positive_is_phish
                else (hits_ham, hits_phish, ham.total)
            )
            figures[name] = {
                "precision": right / (right + wrong) if right + wrong else 0.0,
                "recall": right / relevant if relevant else 0.0,
            }
        return figures

    def targets(self) -> dict[str, tuple[float, float, bool]]:
        """``name: (measured, target, met)`` for the issue's targets."""
        phish, ham = self.results["phish"], self.results["ham"]
        detected = phish.share(*THREATS)
        malicious = ham.share("malicious")
        suspicious = ham.share("suspicious")
        return {
            "phish judged suspicious or malicious": (
                detected,
                MIN_PHISH_DETECTED,
                detected >= MIN_PHISH_DETECTED,
            ),
            "ham judged malicious": (malicious, MAX_HAM_MALICIOUS, malicious <= MAX_HAM_MALICIOUS),
            "ham judged suspicious": (
                suspicious,
                MAX_HAM_SUSPICIOUS,
                suspicious <= MAX_HAM_SUSPICIOUS,
            ),
        }

    @property
    def meets_targets(self) -> bool:
        """Whether every target is met."""
        return all(met for _, _, met in self.targets().values())

    def as_dict(self) -> dict[str, object]:
        """JSON-ready figures."""
        return {
            "counts": {label: dict(r.verdicts) for label, r in self.results.items()},
            "precisionRecall": self.precision_recall(),
            "targets": {
                name: {"measured": m, "target": t, "met": ok}
                for name, (m, t, ok) in self.targets().items()
            },
            "topFindings": {label: r.codes.most_common(10) for label, r in self.results.items()},
            "misses": [
                {
                    "label": m.label,
                    "path": m.path,
                    "verdict": m.verdict,
                    "subject": m.subject,
                    "codes": list(m.codes),
                }
                for r in self.results.values()
                for m in r.misses
            ],
            "seconds": round(self.seconds, 1),
        }


def evaluate_mail(
    emails_dir: Path,
    *,
    labels: tuple[str, ...] = LABELS,
    progress: Callable[[Iterator[MessageSource]], Iterator[MessageSource]] | None = None,
) -> MailEvaluation:
    """Analyse every message under ``emails_dir/<label>/`` and count the verdicts."""
    started = time.perf_counter()
    analysis = build_analysis(Settings())
    context = analysis.context(datetime.now(UTC))
    results = {label: LabelResult() for label in labels}
    for label in labels:
        folder = emails_dir / label
        if not folder.is_dir():
            continue
        sources = iter_message_sources([folder])
        for source in progress(sources) if progress else sources:
            if source.raw is None:
                results[label].verdicts["unreadable"] += 1
                continue
            message = parse_message(source.raw)
            assessment = analysis.messages.analyze(message, context)
            verdict = assessment.verdict.value
            results[label].verdicts[verdict] += 1
            for reason in assessment.reasons:
                if reason.verdict.value in THREATS:
                    results[label].codes[reason.code] += 1
            if (label == "phish") != (verdict in THREATS) and label in {"phish", "ham"}:
                codes = tuple(r.code for r in assessment.reasons if r.verdict.value in THREATS)
                results[label].misses.append(
                    Miss(label, source.label, verdict, message.subject[:120], codes)
                )
    return MailEvaluation(results, time.perf_counter() - started)


def format_misses(evaluation: MailEvaluation) -> str:
    """One line per miss: phishing judged harmless, legitimate mail judged a threat."""
    lines = []
    for result in evaluation.results.values():
        for miss in result.misses:
            findings = ", ".join(miss.codes) or "no findings"
            lines.append(f"{miss.label:5} {miss.verdict:15} {miss.path}")
            lines.append(f"      subject: {miss.subject}")
            lines.append(f"      findings: {findings}")
    return "\n".join(lines) if lines else "no misses"


def format_report(evaluation: MailEvaluation) -> str:
    """A plain-text report."""
    lines = ["verdicts per label:"]
    for label, result in evaluation.results.items():
        counts = ", ".join(f"{v} {n}" for v, n in sorted(result.verdicts.items()))
        lines.append(f"  {label:5} ({result.total}): {counts}")
    lines.append("precision / recall (phish positive; ham for noThreatsFound):")
    for name, figures in evaluation.precision_recall().items():
        lines.append(
            f"  {name:22} precision {figures['precision']:6.1%}  recall {figures['recall']:6.1%}"
        )
    lines.append("targets:")
    for name, (measured, target, met) in evaluation.targets().items():
        bound = "≥" if name.startswith("phish") else "≤"
        status = "met" if met else "MISSED"
        lines.append(f"  {name:38} {measured:6.1%} ({bound} {target:.0%}) {status}")
    lines.append(f"time: {evaluation.seconds:.1f} s")
    return "\n".join(lines)
