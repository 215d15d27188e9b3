"""The subject similarity key for messages that arrive as JSON without one.

Messages parsed from MIME get their keys from ``autoir.mime.fingerprints``; a JSON message event
that carries no ``subjectFingerprint`` gets the same key computed here from its subject, so that
both paths meet in one cluster. The rules must stay identical to the MIME adapter's
(``tests/unit/domain/telemetry/test_subjects.py`` compares them): reply/forward prefixes and
``[EXTERNAL]``-style tags dropped, NFKC + case folding, digit runs folded to ``#``, punctuation to
spaces, then the first 32 hex digits of SHA-256.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_PREFIX_WORD = r"(?:re|fw|fwd|aw|wg|tr|rv|res|enc|sv|vs|antw|r|i)"
_PREFIX = re.compile(
    rf"^\s*(?:{_PREFIX_WORD}\s*(?:\[\d+\]|\(\d+\))?\s*(?::|\uff1a)\s*)+", re.IGNORECASE
)
_TAG = re.compile(r"^\s*\[(?:external|ext|extern|externe|spam|suspected spam)\]\s*", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w#]+")


def subject_fingerprint(subject: str) -> str | None:
    """Key of the normalised subject; ``None`` for an empty one."""
    previous = None
    while previous != subject:
        previous = subject
        subject = _TAG.sub("", _PREFIX.sub("", subject))
    text = unicodedata.normalize("NFKC", subject.strip()).casefold()
    text = " ".join(_NON_WORD.sub(" ", _DIGITS.sub("#", text)).split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] if text else None
