"""``analyzer.file``: YARA on content, hash indicators, fleet prevalence.

A hash indicator decides alone (authoritative; allow wins). Otherwise YARA findings and
prevalence pool: a file on a single device is slightly suspicious on its own (rare files are
where malware hides), one on many devices counts against suspicion.
"""

from __future__ import annotations

from autoir.analyzers.files.manifest import MANIFEST, FileSettings
from autoir.analyzers.manifested import ManifestedAnalyzer
from autoir.analyzers.reporting import build_report
from autoir.analyzers.signatures import load_scanner
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.indicators.indicator import IndicatorAction, IndicatorType
from autoir.domain.verdicts.observables import FileSubject, Observable, ObservableKind, Subject
from autoir.domain.verdicts.report import AnalyzerReport, Reason
from autoir.ports.analyzer import AnalysisContext


class FileAnalyzer(ManifestedAnalyzer):
    """``analyzer.file``."""

    MANIFEST = MANIFEST

    def __init__(self, settings: FileSettings = FileSettings()) -> None:
        """Build with validated settings; compiles the YARA rules once."""
        self._settings = settings
        self._scanner = load_scanner(settings.yara_rule_dirs)

    def analyze(self, subject: Subject, context: AnalysisContext) -> AnalyzerReport:
        """Judge one file or hash."""
        if isinstance(subject, FileSubject):
            sha256, payload, name = subject.sha256.lower(), subject.payload, subject.name
        elif isinstance(subject, Observable) and subject.kind is ObservableKind.FILE_SHA256:
            sha256, payload, name = subject.value.lower(), b"", ""
        else:
            return build_report(self.id, (), examined=False)
        observable = Observable(ObservableKind.FILE_SHA256, sha256)
        decided = _hash_intel(self.id, sha256, observable, context)
        if decided is not None:
            return decided
        reasons = [
            Reason(f"yara.{m.rule}", m.description, m.verdict, m.weight)
            for m in self._scanner.scan(payload, file_name=name)
        ]
        if context.file_prevalence is not None:
            devices = context.file_prevalence(sha256)
            if devices >= self._settings.prevalent_devices:
                reasons.append(
                    Reason(
                        "file.prevalent",
                        f"Seen on {devices} devices",
                        EvidenceVerdict.NO_THREATS_FOUND,
                        0.3,
                    )
                )
            elif devices <= 1:
                reasons.append(
                    Reason(
                        "file.rare",
                        "Seen on no other device of the fleet",
                        EvidenceVerdict.SUSPICIOUS,
                        0.1,
                    )
                )
        examined = bool(payload) or context.file_prevalence is not None
        return build_report(self.id, reasons, (observable,), examined=examined)


def _hash_intel(
    analyzer: str, sha256: str, observable: Observable, context: AnalysisContext
) -> AnalyzerReport | None:
    if context.indicators is None:
        return None
    matches = context.indicators.match(IndicatorType.FILE_SHA256, sha256)
    allowed = [i for i in matches if i.action is IndicatorAction.ALLOWED]
    blocked = [i for i in matches if i.action.blocks]
    if allowed:
        reason = Reason(
            "indicator.allowed",
            f"Hash allowed by indicator '{allowed[0].title}'",
            EvidenceVerdict.NO_THREATS_FOUND,
            1.0,
        )
        return AnalyzerReport(
            analyzer,
            EvidenceVerdict.NO_THREATS_FOUND,
            1.0,
            (reason,),
            (observable,),
            authoritative=True,
        )
    if blocked:
        reason = Reason(
            "indicator.blocked",
            f"Hash blocked by indicator '{blocked[0].title}'",
            EvidenceVerdict.MALICIOUS,
            1.0,
        )
        return AnalyzerReport(
            analyzer, EvidenceVerdict.MALICIOUS, 1.0, (reason,), (observable,), authoritative=True
        )
    return None
