"""HTML bodies: readable text, links with their anchor text, and what analysis looks for.

Parsed with selectolax (the Lexbor HTML5 engine, see docs/adr): it never rejects input, which
matters for the broken markup of real mail. Scripts, styles and comments are dropped from the
text; links come from ``a``/``area`` ``href``, ``form`` ``action`` and ``iframe`` ``src``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

_BLOCKS = (
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b\u200c\u200d\ufeff]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_LINKS = (("a", "href"), ("area", "href"), ("form", "action"), ("iframe", "src"))


@dataclass(frozen=True, slots=True)
class HtmlLink:
    """A link target and the text a reader sees for it (empty for forms and frames)."""

    href: str
    text: str


@dataclass(frozen=True, slots=True)
class HtmlContent:
    """What the HTML says once rendered as text, and what it links to."""

    text: str
    links: tuple[HtmlLink, ...]
    has_form: bool
    has_password_field: bool
    has_script: bool


def read_html(html: str) -> HtmlContent:
    """Text, links and active content of an HTML document."""
    tree = LexborHTMLParser(html)
    has_script = tree.css_first("script") is not None
    has_form = tree.css_first("form") is not None
    has_password = tree.css_first("input[type=password i]") is not None
    links: list[HtmlLink] = []
    for tag, attribute in _LINKS:
        for node in tree.css(f"{tag}[{attribute}]"):
            target = (node.attributes.get(attribute) or "").strip()
            if target:
                text = node.text(separator=" ") if tag in {"a", "area"} else ""
                links.append(HtmlLink(target, collapse_spaces(text or "")))
    tree.strip_tags(["script", "style", "noscript", "template", "head", "title"])
    for tag in _BLOCKS:
        for node in tree.css(tag):
            node.insert_before("\n")
    root = tree.body or tree.root
    text = root.text(separator=" ") if root is not None else ""
    return HtmlContent(
        text=tidy_text(text),
        links=tuple(links),
        has_form=has_form,
        has_password_field=has_password,
        has_script=has_script,
    )


def collapse_spaces(text: str) -> str:
    """One line, single spaces, invisible characters removed."""
    return " ".join(_SPACES.sub(" ", text).split())


def tidy_text(text: str) -> str:
    """Lines with single spaces, at most one blank line between paragraphs."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
