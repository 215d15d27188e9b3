"""Inside documents: Office macros (oletools), remote templates, encrypted files, PDF links.

oletools parses hostile files; every call is wrapped so that a file it cannot read becomes
"not inspected", never an exception (see docs/adr).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.report import Reason

SUSPICIOUS = EvidenceVerdict.SUSPICIOUS
MALICIOUS = EvidenceVerdict.MALICIOUS
_REMOTE_TEMPLATE = re.compile(
    rb"(attachedTemplate|oleObject)[^>]{0,400}Target=\"(https?|\\\\)", re.IGNORECASE
)
_PDF_URI = re.compile(rb"/URI\s*\(([^)\s]{4,2048})\)")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
MAX_PDF_STREAMS = 200
MAX_INFLATED = 8 * 1024 * 1024


@dataclass(slots=True)
class DocumentFindings:
    """Findings and links from one document."""

    reasons: list[Reason] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


@cache
def _vba_parser_class() -> Any:  # noqa: ANN401 - oletools ships no type information
    """The ``VBA_Parser`` of oletools, imported on first use.

    olevba calls pyparsing's deprecated ``enablePackrat`` at import time; the warning is about
    oletools' code, not ours, so it is silenced here rather than in every caller.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser  # noqa: PLC0415 - deferred, see docstring

    return VBA_Parser


def inspect_macros(name: str, payload: bytes) -> list[Reason]:
    """Macros in Office files: present, auto-executing, and doing suspicious things."""
    try:
        parser = _vba_parser_class()(name or "attachment", data=payload)
    except Exception:  # noqa: BLE001 - oletools raises many types on hostile input
        return []
    try:
        if not parser.detect_vba_macros():
            return []
        results = parser.analyze_macros() or []
        autoexec = sorted({str(k) for kind, k, _ in results if kind == "AutoExec"})
        suspicious = sorted({str(k) for kind, k, _ in results if kind == "Suspicious"})
    except Exception:  # noqa: BLE001 - as above
        return [Reason("attachment.office_macros", "Office document with macros", SUSPICIOUS, 0.5)]
    finally:
        parser.close()
    reasons = [Reason("attachment.office_macros", "Office document with macros", SUSPICIOUS, 0.5)]
    if autoexec:
        text = f"Macros run on open ({', '.join(autoexec[:3])})"
        reasons.append(Reason("attachment.macro_autoexec", text, SUSPICIOUS, 0.7))
    if autoexec and suspicious:
        text = f"Auto-run macros {', '.join(suspicious[:4])}"
        reasons.append(Reason("attachment.macro_suspicious_keywords", text, MALICIOUS, 0.9))
    elif suspicious:
        text = f"Macros use {', '.join(suspicious[:4])}"
        reasons.append(Reason("attachment.macro_suspicious_keywords", text, SUSPICIOUS, 0.6))
    return reasons


def inspect_ooxml(payload: bytes) -> list[Reason]:
    """Remote templates and external OLE links in Office Open XML relationships."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            rels = [n for n in archive.namelist() if n.endswith(".rels")][:50]
            for name in rels:
                if _REMOTE_TEMPLATE.search(archive.read(name)[:1_000_000]):
                    return [
                        Reason(
                            "attachment.remote_template",
                            "Document loads a template or object from the internet when opened",
                            SUSPICIOUS,
                            0.75,
                        )
                    ]
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return []
    return []


def is_encrypted_ole(payload: bytes) -> bool:
    """An Office file protected by a password (OOXML inside an encrypted OLE container)."""
    return (
        b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in payload[:1_000_000]
    )


def pdf_urls(payload: bytes) -> list[str]:
    """Link targets in a PDF, from plain objects and Flate-compressed streams."""
    found = [m.group(1) for m in _PDF_URI.finditer(payload)]
    inflated = 0
    for number, match in enumerate(_PDF_STREAM.finditer(payload)):
        if number >= MAX_PDF_STREAMS or inflated >= MAX_INFLATED:
            break
        try:
            data = zlib.decompressobj().decompress(match.group(1), MAX_INFLATED - inflated)
        except zlib.error:
            continue
        inflated += len(data)
        found.extend(m.group(1) for m in _PDF_URI.finditer(data))
    urls = []
    for raw in found:
        text = raw.decode("latin-1", errors="replace").replace("\\", "")
        if text.lower().startswith(("http://", "https://")):
            urls.append(text)
    return list(dict.fromkeys(urls))[:50]
