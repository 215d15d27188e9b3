"""Archives: password protection and the programs they carry.

ZIP directories are read in place (nothing is extracted); other archive formats are judged by
their name and YARA only.
"""

from __future__ import annotations

import io
import zipfile

from autoir.analyzers.attachments.filetypes import (
    CONTAINER_EXTENSIONS,
    EXECUTABLE_EXTENSIONS,
    extensions,
)
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.report import Reason

SUSPICIOUS = EvidenceVerdict.SUSPICIOUS
MALICIOUS = EvidenceVerdict.MALICIOUS


def inspect_zip(payload: bytes, *, max_members: int) -> list[Reason]:
    """Encrypted members and dangerous member names of a ZIP archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = archive.infolist()[:max_members]
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return []
    reasons: list[Reason] = []
    if any(member.flag_bits & 0x1 for member in members):
        reasons.append(
            Reason(
                "attachment.encrypted_archive",
                "Password-protected archive: its content cannot be scanned",
                SUSPICIOUS,
                0.55,
            )
        )
    dangerous = [
        m.filename
        for m in members
        if (extensions(m.filename) or [""])[-1] in EXECUTABLE_EXTENSIONS | CONTAINER_EXTENSIONS
    ]
    if dangerous:
        reasons.append(
            Reason(
                "attachment.archive_with_executable",
                f"Archive carries {dangerous[0][:80]}",
                MALICIOUS,
                0.85,
            )
        )
    return reasons
