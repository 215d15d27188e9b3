"""``analyzer.attachments``: one attachment judged by what it is and what it contains."""

from __future__ import annotations

from autoir.analyzers.attachments.archives import inspect_zip
from autoir.analyzers.attachments.documents import (
    inspect_macros,
    inspect_ooxml,
    is_encrypted_ole,
    pdf_urls,
)
from autoir.analyzers.attachments.filetypes import (
    CONTAINER_EXTENSIONS,
    DOCUMENT_EXTENSIONS,
    EXECUTABLE_EXTENSIONS,
    HTML_EXTENSIONS,
    FileKind,
    detect_kind,
    extensions,
)
from autoir.analyzers.attachments.manifest import MANIFEST, AttachmentSettings
from autoir.analyzers.manifested import ManifestedAnalyzer
from autoir.analyzers.reporting import build_report
from autoir.analyzers.signatures import load_scanner
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.observables import FileSubject, Observable, ObservableKind, Subject
from autoir.domain.verdicts.report import AnalyzerReport, Reason
from autoir.ports.analyzer import AnalysisContext

SUSPICIOUS = EvidenceVerdict.SUSPICIOUS
MALICIOUS = EvidenceVerdict.MALICIOUS
_RTLO = "\u202e"
_PADDING = "      "


class AttachmentAnalyzer(ManifestedAnalyzer):
    """``analyzer.attachments``."""

    MANIFEST = MANIFEST

    def __init__(self, settings: AttachmentSettings = AttachmentSettings()) -> None:
        """Build with validated settings; compiles the YARA rules once."""
        self._settings = settings
        self._scanner = load_scanner(settings.yara_rule_dirs)

    @property
    def rule_errors(self) -> list[str]:
        """Extra YARA rule files that could not be compiled."""
        return list(self._scanner.errors)

    def analyze(self, subject: Subject, context: AnalysisContext) -> AnalyzerReport:
        """Judge one attachment."""
        del context  # attachments are judged on their own
        if not isinstance(subject, FileSubject) or not subject.payload:
            return build_report(self.id, (), examined=False)
        payload = subject.payload
        kind = detect_kind(payload, subject.content_type)
        reasons = _name_findings(subject.name, kind)
        reasons += self._content_findings(subject, kind)
        urls: list[str] = pdf_urls(payload) if kind is FileKind.PDF else []
        if kind is FileKind.PDF and urls:
            reasons.append(
                Reason(
                    "attachment.pdf_links",
                    f"PDF links to {len(urls)} web address(es)",
                    SUSPICIOUS,
                    0.15,
                )
            )
        reasons += [
            Reason(f"yara.{m.rule}", m.description, m.verdict, m.weight)
            for m in self._scanner.scan(payload, file_name=subject.name)
        ]
        observables = [subject.observable, *(Observable(ObservableKind.URL, u) for u in urls)]
        return build_report(self.id, reasons, observables)

    def _content_findings(self, subject: FileSubject, kind: FileKind) -> list[Reason]:
        payload = subject.payload
        reasons: list[Reason] = []
        if kind is FileKind.EXECUTABLE:
            reasons.append(
                Reason("attachment.executable", f"{subject.name} is a program", MALICIOUS, 0.9)
            )
        elif kind is FileKind.SHORTCUT:
            reasons.append(
                Reason(
                    "attachment.shortcut", f"{subject.name} is a Windows shortcut", MALICIOUS, 0.85
                )
            )
        elif kind is FileKind.DISK_IMAGE:
            reasons.append(
                Reason(
                    "attachment.disk_image",
                    f"{subject.name} is a disk image (bypasses download protections)",
                    SUSPICIOUS,
                    0.6,
                )
            )
        elif kind is FileKind.HTML:
            reasons.append(
                Reason(
                    "attachment.html_file",
                    f"{subject.name} is a web page opened from disk",
                    SUSPICIOUS,
                    0.35,
                )
            )
        elif kind is FileKind.OOXML_OR_ZIP:
            reasons += inspect_zip(payload, max_members=self._settings.max_archive_members)
            reasons += inspect_ooxml(payload)
        elif kind is FileKind.OLE and is_encrypted_ole(payload):
            reasons.append(
                Reason(
                    "attachment.encrypted_document",
                    "Password-protected Office document: its content cannot be scanned",
                    SUSPICIOUS,
                    0.5,
                )
            )
        if self._settings.inspect_macros and kind in {FileKind.OLE, FileKind.OOXML_OR_ZIP}:
            reasons += inspect_macros(subject.name, payload)
        return reasons


def _name_findings(name: str, kind: FileKind) -> list[Reason]:
    reasons: list[Reason] = []
    exts = extensions(name)
    last = exts[-1] if exts else ""
    if _RTLO in name:
        reasons.append(
            Reason(
                "attachment.rtlo_name",
                "File name uses right-to-left override to hide its extension",
                MALICIOUS,
                0.9,
            )
        )
    shown = exts[-2] if len(exts) > 1 else ""
    if last in EXECUTABLE_EXTENSIONS and shown in DOCUMENT_EXTENSIONS:
        reasons.append(
            Reason(
                "attachment.double_extension",
                f"{name} poses as .{shown} but is .{last}",
                MALICIOUS,
                0.95,
            )
        )
    elif _PADDING in name and last in EXECUTABLE_EXTENSIONS:
        reasons.append(
            Reason(
                "attachment.padded_name",
                f"Spaces push the real extension of {name.strip()} out of view",
                MALICIOUS,
                0.9,
            )
        )
    if last in EXECUTABLE_EXTENSIONS and kind is not FileKind.EXECUTABLE:
        reasons.append(
            Reason(
                "attachment.dangerous_extension",
                f"{name} runs as a program or script when opened (.{last})",
                MALICIOUS,
                0.85,
            )
        )
    if last in CONTAINER_EXTENSIONS and kind is not FileKind.DISK_IMAGE:
        reasons.append(
            Reason(
                "attachment.disk_image",
                f"{name} is a disk image (bypasses download protections)",
                SUSPICIOUS,
                0.6,
            )
        )
    if last in HTML_EXTENSIONS and kind is not FileKind.HTML:
        reasons.append(
            Reason(
                "attachment.html_file", f"{name} is a web page opened from disk", SUSPICIOUS, 0.35
            )
        )
    return reasons
