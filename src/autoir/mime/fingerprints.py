"""Similarity keys for email clusters (reference §2.5): normalised subject and body, hashed.

Two messages of one campaign differ in reply prefixes, case, numbers (order ids, amounts,
dates), whitespace and per-recipient links; the normal forms below fold exactly those, so the
campaign shares one key. Keys are the first 32 hex digits of SHA-256: short enough to index,
long enough never to collide by chance.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Reply/forward prefixes in the languages of our mail (EN, DE, FR, NL, PT, ES, IT, Nordic):
# RE, FW, FWD, AW (Antwort), WG (Weitergeleitet), TR (transféré), RV/RES/ENC (PT/ES), SV/VS, ANTW.
_PREFIX_WORD = r"(?:re|fw|fwd|aw|wg|tr|rv|res|enc|sv|vs|antw|r|i)"
_PREFIX = re.compile(
    rf"^\s*(?:{_PREFIX_WORD}\s*(?:\[\d+\]|\(\d+\))?\s*(?::|\uff1a)\s*)+", re.IGNORECASE
)
_TAG = re.compile(r"^\s*\[(?:external|ext|extern|externe|spam|suspected spam)\]\s*", re.IGNORECASE)
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)\S+", re.IGNORECASE)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w#]+")
MAX_BODY_CHARS = 20_000


def strip_subject_prefixes(subject: str) -> str:
    """The subject without ``RE:``/``FW:``-style prefixes and ``[EXTERNAL]`` tags."""
    previous = None
    while previous != subject:
        previous = subject
        subject = _TAG.sub("", _PREFIX.sub("", subject))
    return subject.strip()


def subject_fingerprint(subject: str) -> str | None:
    """Key of the normalised subject; ``None`` for an empty one."""
    text = _fold(strip_subject_prefixes(subject))
    return _digest(text) if text else None


def body_fingerprint(body: str) -> str | None:
    """Key of the normalised body (URLs, addresses and digits folded); ``None`` when empty."""
    text = _URL.sub(" url ", body[:MAX_BODY_CHARS])
    text = _fold(_ADDRESS.sub(" address ", text))
    return _digest(text) if text else None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _DIGITS.sub("#", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
