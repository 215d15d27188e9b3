"""Languages of the UI: gettext catalogues (Babel), locale negotiation and formatting.

The French catalogue is read from ``locales/fr/LC_MESSAGES/messages.po`` and compiled in memory
at start-up, so no binary ``.mo`` file is kept in the repository. English is the source language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from autoir.domain.timestamps import parse_timestamp

LOCALES = ("en", "fr")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).parent / "locales"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


def load_translations(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale`` (English needs none)."""
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def negotiate_locale(accept_language: str | None) -> str:
    """The best supported locale for an ``Accept-Language`` header (RFC 9110 §12.5.4)."""
    if not accept_language:
        return DEFAULT_LOCALE
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, tag.strip().lower()))
    for negative_quality, _, tag in sorted(weighted):
        language = tag.split("-")[0]
        if negative_quality < 0 and language in LOCALES:
            return language
    return DEFAULT_LOCALE


def supported(locale: str | None) -> str:
    """``locale`` if the UI speaks it, else English."""
    return locale if locale in LOCALES else DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class Formatter:
    """Dates and numbers written the way a reader of ``locale`` expects (times in UTC)."""

    locale: str

    def date_time(self, value: datetime | str | None) -> str:
        """Short date and time, e.g. ``Mar 3, 2025 14:05`` / ``3 mars 2025 14:05``."""
        moment = _as_datetime(value)
        if moment is None:
            return "—"
        day = format_skeleton("yMMMd", moment, tzinfo=UTC, locale=self.locale)
        return f"{day} {format_time(moment, 'HH:mm', tzinfo=UTC, locale=self.locale)}"

    def day(self, value: datetime | str | None) -> str:
        """A date without time."""
        moment = _as_datetime(value)
        if moment is None:
            return "—"
        return format_skeleton("MMMd", moment, tzinfo=UTC, locale=self.locale)

    def full(self, value: datetime | str | None) -> str:
        """Date and time to the second, for tooltips."""
        moment = _as_datetime(value)
        if moment is None:
            return ""
        return format_datetime(moment, "medium", tzinfo=UTC, locale=self.locale) + " UTC"

    def number(self, value: float | None) -> str:
        """A grouped number (``12,345`` / ``12 345``)."""
        if value is None:
            return "—"
        return format_decimal(value, locale=self.locale)

    def percent(self, value: float) -> str:
        """A ratio as a whole percentage."""
        return format_percent(value, locale=self.locale)

    def duration(self, value: timedelta | None) -> str:
        """A compact duration: ``1 h 02 min``, ``2 min 05 s``, ``4.2 s`` (``4,2 s`` in French)."""
        if value is None:
            return "—"
        seconds = max(0.0, value.total_seconds())
        if seconds < 1:
            return f"{round(seconds * 1000)} ms"
        if seconds < 60:  # noqa: PLR2004 - one minute
            shown = format_decimal(round(seconds, 1), format="0.#", locale=self.locale)
            return f"{shown} s"
        whole = int(seconds)
        hours, rest = divmod(whole, 3600)
        minutes, secs = divmod(rest, 60)
        if hours >= 24:  # noqa: PLR2004 - one day
            day_unit = "j" if self.locale == "fr" else "d"
            return f"{hours // 24} {day_unit} {hours % 24:02d} h"
        if hours:
            return f"{hours} h {minutes:02d} min"
        return f"{minutes} min {secs:02d} s"

    def language_name(self, locale: str) -> str:
        """A language's own name (``Français``)."""
        return LANGUAGE_NAMES.get(locale) or Locale.parse(locale).get_display_name(locale) or locale


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        return parse_timestamp(value.replace("Z", "+00:00"))
    return None
