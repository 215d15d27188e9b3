"""``analyzer.process``: a process judged by its command line, location and ancestry.

Findings pool (noisy-OR, :mod:`autoir.domain.verdicts.scoring`): a technique with no ordinary
administrative use (reverse shell, credential dumping, shadow-copy deletion) is decisive; weaker
ones (encoded PowerShell, an image in ``/tmp``, a discovery burst) need company. A command the
administrator allowed (``allowed_command_patterns``) is ``noThreatsFound`` and decides alone.
"""

from __future__ import annotations

import re

from autoir.analyzers.manifested import ManifestedAnalyzer
from autoir.analyzers.processes.command_rules import COMMAND_RULES
from autoir.analyzers.processes.lineage import lineage_findings
from autoir.analyzers.processes.manifest import MANIFEST, ProcessSettings
from autoir.analyzers.reporting import build_report
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.observables import (
    Observable,
    ObservableKind,
    ProcessSubject,
    Subject,
)
from autoir.domain.verdicts.report import AnalyzerReport, Reason
from autoir.ports.analyzer import AnalysisContext

_STAGING = re.compile(
    r"^(?:/tmp/|/dev/shm/|/var/tmp/|/run/user/\d+/)"
    r"|\\(?:temp|tmp)\\|\\appdata\\local\\temp\\|\\users\\public\\|\\downloads\\|\\perflogs\\"
    r"|\\programdata\\[^\\]+\.exe$",
    re.IGNORECASE,
)
_HIDDEN = re.compile(r"(?:^|/)\.[^/.][^/]*(?:/|$)")
MAX_COMMAND = 32_768


class ProcessAnalyzer(ManifestedAnalyzer):
    """``analyzer.process``."""

    MANIFEST = MANIFEST

    def __init__(self, settings: ProcessSettings = ProcessSettings()) -> None:
        """Compile the administrator's allow patterns."""
        self._allowed = tuple(
            re.compile(p, re.IGNORECASE) for p in settings.allowed_command_patterns
        )

    def analyze(self, subject: Subject, context: AnalysisContext) -> AnalyzerReport:  # noqa: ARG002 - the port's signature
        """Judge one process (a bare command line is judged without its ancestry)."""
        if isinstance(subject, ProcessSubject):
            process = subject
        elif isinstance(subject, Observable) and subject.kind is ObservableKind.PROCESS:
            process = ProcessSubject(
                image=subject.value.split(" ", 1)[0], command_line=subject.value
            )
        else:
            return build_report(self.id, (), examined=False)
        command = process.command_line[:MAX_COMMAND]
        observable = process.observable
        for pattern in self._allowed:
            if pattern.search(command):
                reason = Reason(
                    "process.allowed_command",
                    f"Matches the allowed command pattern {pattern.pattern!r}",
                    EvidenceVerdict.NO_THREATS_FOUND,
                    1.0,
                )
                return AnalyzerReport(
                    self.id,
                    EvidenceVerdict.NO_THREATS_FOUND,
                    1.0,
                    (reason,),
                    (observable,),
                    authoritative=True,
                )
        return build_report(self.id, _findings(process, command), _observables(process))


def _findings(process: ProcessSubject, command: str) -> list[Reason]:
    reasons = [
        Reason(rule.code, rule.description, rule.verdict, rule.weight)
        for rule in COMMAND_RULES
        if rule.pattern.search(command)
    ]
    parent_line = process.parent_command_line or ""
    if parent_line and not reasons:
        # A shell started as `sh -c "<payload>"` shows the payload on the parent too.
        reasons.extend(
            Reason(rule.code, f"Parent: {rule.description}", rule.verdict, rule.weight * 0.8)
            for rule in COMMAND_RULES
            if rule.pattern.search(parent_line[:MAX_COMMAND])
        )
    reasons.extend(
        Reason(f.code, f.description, f.verdict, f.weight)
        for f in lineage_findings(process.image, process.parent_image, process.ancestors)
    )
    location = _location(process)
    if location and _STAGING.search(location):
        reasons.append(
            Reason(
                "process.runs_from_staging_folder",
                f"Runs from a temporary or user-writable folder ({location})",
                EvidenceVerdict.SUSPICIOUS,
                0.3,
            )
        )
    if location and "/" in location and _HIDDEN.search(location):
        reasons.append(
            Reason(
                "process.hidden_path",
                f"Runs from a hidden file or folder ({location})",
                EvidenceVerdict.SUSPICIOUS,
                0.35,
            )
        )
    return reasons


def _location(process: ProcessSubject) -> str:
    if process.folder:
        separator = "\\" if "\\" in process.folder else "/"
        name = re.split(r"[\\/]", process.image)[-1]
        return process.folder.rstrip("\\/") + separator + name
    return process.image if re.search(r"[\\/]", process.image) else ""


def _observables(process: ProcessSubject) -> tuple[Observable, ...]:
    found = [process.observable]
    if process.sha256:
        found.append(Observable(ObservableKind.FILE_SHA256, process.sha256.lower()))
    found.extend(
        Observable(ObservableKind.URL, url)
        for url in dict.fromkeys(re.findall(r"https?://[^\s\"'|;&)]+", process.command_line))
    )
    found.extend(
        Observable(ObservableKind.IP, ip)
        for ip in dict.fromkeys(
            re.findall(r"/dev/tcp/(\d{1,3}(?:\.\d{1,3}){3})/", process.command_line)
        )
    )
    return tuple(found)
