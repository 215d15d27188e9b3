"""The JSON path's subject key must equal the MIME adapter's, or the two never cluster."""

from __future__ import annotations

import pytest

from autoir.domain.telemetry.subjects import subject_fingerprint

SUBJECTS = [
    "Invoice 4711 overdue",
    "RE: FW: Invoice 4712 overdue",
    "AW: [EXTERNAL] Invoice 1 OVERDUE!!",
    "Re[2]: Réunion à 10h",
    "\uff32\uff25\uff1a \uff26\uff55\uff4c\uff4c width",  # full-width RE: and letters
    "TR : Votre colis 123-456",
    "  ",
    "",
    "[spam] Win a prize",
]


def test_reply_prefixes_case_and_numbers_are_folded() -> None:
    assert subject_fingerprint("Invoice 4711 overdue") == subject_fingerprint(
        "RE: FW: invoice 12 Overdue"
    )
    assert subject_fingerprint("Invoice overdue") != subject_fingerprint("Invoice 1 overdue")
    assert subject_fingerprint("RE:") is None


@pytest.mark.parametrize("subject", SUBJECTS)
def test_same_key_as_the_mime_adapter(subject: str) -> None:
    fingerprints = pytest.importorskip("autoir.mime.fingerprints")
    assert subject_fingerprint(subject) == fingerprints.subject_fingerprint(subject)
