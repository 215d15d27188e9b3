"""Host names as a phishing analyst reads them: registered domain, look-alikes, hidden scripts.

Registered domains come from the Public Suffix List snapshot bundled with ``tldextract``
(private suffixes included, so ``victim.web.app`` is its own site); it never fetches the list at
run time. Look-alike detection compares a *skeleton* (Unicode confusables folded to Latin,
accents removed, ``rn``→``m``, ``vv``→``w``, digits that pass for letters) and an edit distance
of one, on the registered label only.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import tldextract

_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)

# Unicode TR39 confusables for the scripts phishing uses most (Cyrillic, Greek), to Latin.
_CONFUSABLE_GROUPS = {
    "\u0430\u0251\u03b1": "a",
    "\u0432\u03b2": "b",
    "\u0441": "c",
    "\u0501": "d",
    "\u0435\u0451\u03b5": "e",
    "\u0261": "g",
    "\u043d\u04bb": "h",
    "\u0456\u0457\u03b9\u0131": "i",
    "\u0458": "j",
    "\u043a\u03ba": "k",
    "\u04cf\u2113": "l",
    "\u043c": "m",
    "\u03b7": "n",
    "\u043e\u03bf": "o",
    "\u0440\u03c1": "p",
    "\u051b": "q",
    "\u0455": "s",
    "\u0442\u03c4": "t",
    "\u03c5": "u",
    "\u03bd": "v",
    "\u051d\u03c9": "w",
    "\u0445\u03c7": "x",
    "\u0443": "y",
}
_CONFUSABLES = str.maketrans(
    {c: latin for chars, latin in _CONFUSABLE_GROUPS.items() for c in chars}
)
_DIGIT_LOOKALIKES = str.maketrans({"0": "o", "1": "l", "3": "e", "5": "s", "@": "a", "$": "s"})
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE")
MIN_LOOKALIKE_LENGTH = 5
_TRANSPOSITION = 2  # positions that differ when two neighbours swap


@dataclass(frozen=True, slots=True)
class HostName:
    """A host split at its public suffix."""

    host: str
    subdomain: str
    label: str
    suffix: str
    is_ip: bool

    @property
    def registered_domain(self) -> str:
        """``label.suffix``, or the host itself for IPs and bare names."""
        if self.is_ip or not self.suffix:
            return self.host
        return f"{self.label}.{self.suffix}"

    @property
    def unicode_host(self) -> str:
        """The host with punycode labels decoded."""
        return decode_punycode(self.host)


@lru_cache(maxsize=4096)
def split_host(host: str) -> HostName:
    """Split a host name (lower-cased, port and brackets removed)."""
    host = host.strip().lower().strip("[]").rstrip(".")
    if is_ip_literal(host):
        return HostName(host, "", host, "", is_ip=True)
    parts = _EXTRACT(host)
    return HostName(host, parts.subdomain, parts.domain, parts.suffix, is_ip=False)


def is_ip_literal(host: str) -> bool:
    """Whether the host is an IPv4/IPv6 address, including integer and hex IPv4 forms."""
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    if host.isdigit():  # http://3232235777/ is 192.168.1.1 to a browser
        return int(host) < 2**32
    digits = host.removeprefix("0x")
    return digits != host and bool(digits) and all(c in "0123456789abcdef" for c in digits)


def decode_punycode(host: str) -> str:
    """Decode ``xn--`` labels, leaving undecodable ones as they are."""
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                labels.append(label[4:].encode("ascii").decode("punycode"))
            except (UnicodeError, ValueError):
                labels.append(label)
        else:
            labels.append(label)
    return ".".join(labels)


def skeleton(text: str) -> str:
    """Fold confusables, accents and digit look-alikes: what the eye reads."""
    text = text.casefold().translate(_CONFUSABLES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.translate(_DIGIT_LOOKALIKES)
    return text.replace("rn", "m").replace("vv", "w").replace("cl", "d")


def is_lookalike(candidate: str, protected: str, *, allow_typo: bool = True) -> bool:
    """Whether label ``candidate`` imitates label ``protected`` without being it.

    Same skeleton (``paypa1``, ``rnicrosoft``, Cyrillic letters) always counts; one typo
    (insertion, deletion, substitution, swap) only with ``allow_typo``: short real words are one
    typo away from many brands (``mail``/``gmail``), so callers allow it for long names only.
    """
    if candidate == protected or len(protected) < MIN_LOOKALIKE_LENGTH:
        return False
    cand, prot = skeleton(candidate), skeleton(protected)
    if cand == prot:
        return True
    return allow_typo and abs(len(cand) - len(prot)) <= 1 and _within_one_edit(cand, prot)


def mixes_scripts(word: str) -> bool:
    """Whether one word mixes Latin letters with Cyrillic/Greek/… ones (homoglyph disguise)."""
    scripts = set()
    for char in word:
        if char.isalpha():
            name = unicodedata.name(char, "")
            script = next((s for s in _SCRIPTS if name.startswith(s)), None)
            if script:
                scripts.add(script)
    return len(scripts) > 1


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        first, *rest = diffs
        # one transposition of neighbours: paypla / paypal
        return (
            len(diffs) == _TRANSPOSITION
            and rest[0] == first + 1
            and a[first] == b[first + 1]
            and a[first + 1] == b[first]
        )
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
