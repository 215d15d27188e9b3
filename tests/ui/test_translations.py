"""Every message of the UI (templates and Python) has a French translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import autoir.ui

UI_DIR = Path(autoir.ui.__file__).parent
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS_MAP = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def extracted_messages() -> set[str | tuple[str, ...]]:
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    messages: set[str | tuple[str, ...]] = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(UI_DIR), METHOD_MAP, OPTIONS_MAP, keywords=keywords
    ):
        messages.add(message)
    return messages


def test_extraction_finds_template_and_python_messages() -> None:
    messages = extracted_messages()
    assert "Dashboard" in messages  # navigation (Python)
    assert "True positive" in messages  # enum labels (Python)
    assert "Manage alert" in messages  # templates
    assert len(messages) > 250


def test_every_message_has_a_french_translation() -> None:
    with (UI_DIR / "locales/fr/LC_MESSAGES/messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    missing = []
    for message in extracted_messages():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        if entry is None or entry.fuzzy:
            missing.append(msgid)
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(s.strip() for s in strings):
            missing.append(msgid)
    assert not missing, f"{len(missing)} messages lack a French translation: {sorted(missing)[:20]}"


def test_french_placeholders_match_english() -> None:
    with (UI_DIR / "locales/fr/LC_MESSAGES/messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        names = {part.split(")")[0] for part in ids[0].split("%(")[1:]}
        for text in strings:
            assert {part.split(")")[0] for part in text.split("%(")[1:]} <= names | {"num"}, ids
