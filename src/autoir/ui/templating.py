"""Jinja2 environments (one per language) and rendering of pages.

Each language has its own environment with the gettext catalogue installed (newstyle gettext,
so ``_()`` autoescapes and formats), and filters bound to that language: ``label`` for enum
values, ``dt``/``day``/``num`` for dates and numbers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from autoir import __version__
from autoir.ui.auth import CSRF_FIELD, Viewer
from autoir.ui.i18n import LOCALES, Formatter, load_translations, supported
from autoir.ui.labels import labeller
from autoir.ui.navigation import NAVIGATION

UI_DIR = Path(__file__).parent
TEMPLATE_DIR = UI_DIR / "templates"
STATIC_DIR = UI_DIR / "static"


def _static_version() -> str:
    """A short digest of the static files, so browsers reload them after an upgrade."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".css", ".js", ".svg"):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def json_script(value: object) -> Markup:
    """JSON for a ``<script type="application/json">`` block (``<`` escaped)."""
    text = json.dumps(value, separators=(",", ":"), default=str)
    return Markup(  # noqa: S704 - characters that could end the script block are escaped
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )


class Templates:
    """Renders templates in the viewer's language."""

    def __init__(self) -> None:
        self.version = _static_version()
        self._translations = {locale: load_translations(locale) for locale in LOCALES}
        self._envs = {locale: self._environment(locale) for locale in LOCALES}

    def _environment(self, locale: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        translations = self._translations[locale]
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        fmt = Formatter(locale)
        env.filters.update(
            label=labeller(translations.gettext),
            dt=fmt.date_time,
            day=fmt.day,
            fulldt=fmt.full,
            num=fmt.number,
            pct=fmt.percent,
            duration=fmt.duration,
            json_script=json_script,
        )
        env.globals.update(
            static=self.static_url,
            navigation=NAVIGATION,
            locale=locale,
            locales=LOCALES,
            language_name=fmt.language_name,
            csrf_field=CSRF_FIELD,
            version=__version__,
        )
        return env

    def static_url(self, path: str) -> str:
        """URL of a static file with a cache-busting version."""
        return f"/static/{path}?v={self.version}"

    def label_function(self, locale: str) -> Callable[[object, str], str]:
        """The ``label(value, vocabulary)`` filter of a language, for Python code."""
        label: Callable[[object, str], str] = self._envs[supported(locale)].filters["label"]
        return label

    def gettext(self, locale: str, message: str) -> str:
        """Translate a message from Python code (flash messages, errors)."""
        return self._translations[supported(locale)].gettext(message)

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        viewer: Viewer | None = None,
        locale: str | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        """Render ``name`` for the request's viewer (or ``locale`` on public pages)."""
        language = supported(viewer.locale if viewer else locale)
        template = self._envs[language].get_template(name)
        html = template.render(
            {
                "request": request,
                "viewer": viewer,
                "csrf_token": viewer.csrf_token if viewer else "",
                "path": request.url.path,
                **(context or {}),
            }
        )
        return HTMLResponse(html, status_code=status_code)
