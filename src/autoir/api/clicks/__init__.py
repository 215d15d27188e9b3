"""The pages of the public click route ``/l``: block page and unverified-link interstitial.

Part of the API edge (it may import what ``autoir.api`` imports, never ``autoir.ui``): the pages
are shown to anyone who clicks a wrapped link, signed in or not, so they stand alone — one
inline style sheet allowed by its hash in the Content-Security-Policy, no script, no external
asset. English and French, chosen by ``Accept-Language``; the French catalogue is
``locales/fr/LC_MESSAGES/messages.po`` (Babel), compiled in memory as the UI's is.
"""

from __future__ import annotations

import base64
import hashlib
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

PAGES_DIR = Path(__file__).parent
LOCALES = ("en", "fr")
DEFAULT_LOCALE = "en"


def _translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    with (PAGES_DIR / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def negotiate_locale(accept_language: str | None) -> str:
    """The best of ``LOCALES`` for an ``Accept-Language`` header (RFC 9110 §12.5.4)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for negative_quality, _, language in sorted(ranked):
        if negative_quality < 0 and language in LOCALES:
            return language
    return DEFAULT_LOCALE


class ClickPages:
    """Renders the click pages; :attr:`csp` is the policy to send with them."""

    def __init__(self) -> None:
        self.css = (PAGES_DIR / "page.css").read_text(encoding="utf-8")
        digest = base64.b64encode(hashlib.sha256(self.css.encode("utf-8")).digest()).decode()
        # No script at all; the one inline style sheet by its hash. No form-action: the
        # "continue anyway" form is answered with a redirect to the destination, which a
        # form-action 'self' would block (CSP 3 checks form redirects).
        self.csp = (
            f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; "
            "frame-ancestors 'none'"
        )
        self._envs = {locale: self._environment(locale) for locale in LOCALES}

    def _environment(self, locale: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(PAGES_DIR / "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(_translations(locale), newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(locale=locale, css=Markup(self.css))  # noqa: S704 - our own file
        return env

    def render(self, name: str, locale: str, **context: Any) -> str:  # noqa: ANN401
        """Render ``name`` (``blocked.html``, ``unverified.html``) in ``locale``."""
        language = locale if locale in LOCALES else DEFAULT_LOCALE
        return self._envs[language].get_template(name).render(context)
