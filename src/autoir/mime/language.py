"""A small language guess for message bodies: enough to label mail and pick a word list.

Counts very common function words of the languages the analyzers read (EN, FR, DE, NL, PT, ES)
and answers the best one when it is clear. Not a general language identifier; ``None`` when the
text is short or mixed. ``Content-Language`` wins when the message declares it.
"""

from __future__ import annotations

import re

_STOPWORDS = {
    "en": {"the", "and", "you", "your", "to", "of", "is", "for", "this", "with", "are", "please"},
    "fr": {"le", "la", "les", "et", "vous", "votre", "des", "est", "pour", "une", "dans", "nous"},
    "de": {"der", "die", "und", "sie", "ihr", "ihre", "ist", "nicht", "mit", "das", "wir", "bitte"},
    "nl": {"de", "het", "een", "en", "van", "uw", "u", "je", "niet", "met", "wij", "voor"},
    "pt": {"o", "os", "e", "você", "seu", "sua", "não", "para", "com", "uma", "do", "da"},
    "es": {"el", "los", "y", "usted", "su", "que", "es", "para", "con", "una", "del", "por"},
}
_WORD = re.compile(r"[^\W\d_]+")
MIN_HITS = 5
_PRIMARY_TAG_LENGTHS = (2, 3)  # RFC 5646 primary language subtags
MARGIN = 1.3


def guess_language(text: str) -> str | None:
    """ISO 639-1 code of the dominant language, or ``None`` when unclear."""
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in _WORD.findall(text[:20_000].casefold()):
        for language, words in _STOPWORDS.items():
            if word in words:
                counts[language] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, best_count), (_, runner_up) = ranked[0], ranked[1]
    if best_count < MIN_HITS or best_count < runner_up * MARGIN:
        return None
    return best


def declared_language(value: str | None) -> str | None:
    """The primary language of a ``Content-Language`` value (``de-CH, en`` gives ``de``)."""
    if not value:
        return None
    first = value.split(",")[0].strip().lower()
    primary = first.split("-")[0]
    return primary if primary.isalpha() and len(primary) in _PRIMARY_TAG_LENGTHS else None
