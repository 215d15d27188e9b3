"""URLs in a message: from HTML links (with their anchor text) and from plain text.

Kept: ``http``, ``https``, ``ftp``, ``data`` and ``javascript`` targets (the last two are what
phishing uses to avoid URL scanners). ``mailto:``, ``tel:``, ``cid:`` and in-page anchors are not
URLs a reader visits. ``data:`` URIs are cut to :data:`MAX_DATA_URI` characters: their media
type is what analysis needs, and telemetry should not store megabytes of base64.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from autoir.domain.messages.message import MessageUrl
from autoir.mime.markup import HtmlLink

MAX_URLS = 500
MAX_URL_CHARS = 4096
MAX_DATA_URI = 256
_KEPT_SCHEMES = ("http://", "https://", "ftp://", "data:", "javascript:")
_TEXT_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"*>"
_INNER_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_LOOKS_LIKE_HOST = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:[/:?#]\S*)?$"
)


def urls_in_text(text: str) -> list[str]:
    """URLs written out in plain text (``www.`` ones get ``http://``)."""
    found: list[str] = []
    for match in _TEXT_URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if url.lower().startswith("www."):
            url = f"http://{url}"
        normalised = normalise_url(url)
        if normalised:
            found.append(normalised)
    return found


def normalise_url(url: str) -> str | None:
    """The URL as stored, or ``None`` when it is not one analysis keeps."""
    url = _INNER_SPACE.sub("", url.strip().strip("<>\"'"))
    lowered = url.lower()
    if lowered.startswith("//"):
        url, lowered = f"http:{url}", f"http:{lowered}"
    if not lowered.startswith(_KEPT_SCHEMES):
        return None
    if lowered.startswith("data:"):
        return url[:MAX_DATA_URI]
    scheme, _, rest = url.partition(":")
    if scheme.lower() in {"http", "https", "ftp"}:
        rest = rest.lstrip("/\\")  # browsers accept http:\\host and http:/host
        host, sep, tail = _split_host(rest)
        if not host:
            return None
        return f"{scheme.lower()}://{host.lower()}{sep}{tail}"[:MAX_URL_CHARS]
    return url[:MAX_URL_CHARS]


def looks_like_url(text: str) -> bool:
    """Whether anchor text reads as a URL or host name (what the display/href check compares)."""
    return bool(_LOOKS_LIKE_HOST.match(text.strip().lower()))


def collect_urls(links: Iterable[HtmlLink], text_urls: Iterable[str]) -> tuple[MessageUrl, ...]:
    """Distinct URLs in first-seen order; a URL keeps the anchor text most useful to analysis.

    When several anchors share a target, text that reads as a URL wins (it is what a
    display-text/href mismatch check needs), else the first non-empty text.
    """
    chosen: dict[str, str | None] = {}
    for link in links:
        url = normalise_url(link.href)
        if url is None:
            continue
        text = link.text or None
        current = chosen.get(url)
        if url not in chosen or (
            text and (current is None or (looks_like_url(text) and not looks_like_url(current)))
        ):
            chosen[url] = text
    for url in text_urls:
        chosen.setdefault(url, None)
    return tuple(MessageUrl(url, text) for url, text in list(chosen.items())[:MAX_URLS])


def _split_host(rest: str) -> tuple[str, str, str]:
    for index, char in enumerate(rest):
        if char in "/?#":
            return rest[:index], char, rest[index + 1 :]
    return rest, "", ""
