"""What the message body does: forms, hidden text, forged dates, personalised lures."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from selectolax.lexbor import LexborHTMLParser

from autoir.analyzers.email.sender import mixes_scripts_in
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.messages.message import EmailMessage
from autoir.domain.verdicts.report import Reason

SUSPICIOUS = EvidenceVerdict.SUSPICIOUS
_ZERO_WIDTH = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
# Mathematical alphanumeric symbols (U+1D400-U+1D7FF) and enclosed/fullwidth letters render as
# ordinary styled letters but defeat word matching: legitimate mail almost never uses them.
_STYLED_LETTERS = re.compile("[\U0001d400-\U0001d7ff\U0001f130-\U0001f189\uff21-\uff5a]")
_RANDOM_TOKEN = re.compile(r"(?<![\w-])[A-Za-z0-9]{8,}(?![\w-])")
_CREDENTIAL_INPUT = re.compile(
    r"pass|pwd|user|login|card|cvv|cvc|ssn|pin\b|account|iban", re.IGNORECASE
)
MIN_STYLED = 3
MIN_CASE_SWITCHES = 5
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\s*[;\"']"
    r"|opacity\s*:\s*0(?:\.0+)?\s*[;\"']",
    re.IGNORECASE,
)
_GREETING_ADDRESS = re.compile(
    r"\b(dear|hello|hi|hallo|bonjour|ola|olá|hola|beste|geachte|caro|cara|querido|querida)"
    r"\s*,?\s+[\w.+-]+@[\w-]+(?:\.[\w-]+)*",
    re.IGNORECASE,
)
MIN_ZERO_WIDTH = 5
MIN_HIDDEN_TEXT_CHARS = 40
MAX_FEW_WORDS = 25
MIN_MIXED_WORDS = 2
MIN_WORD = 3


def html_findings(message: EmailMessage) -> list[Reason]:
    """Forms, password fields, hidden text and image-only bodies in the HTML part."""
    html = message.body_html
    if not html:
        return []
    tree = LexborHTMLParser(html)
    reasons: list[Reason] = []
    if tree.css_first("input[type=password i]") is not None:
        reasons.append(
            Reason(
                "email.password_field",
                "The message itself asks for a password (a form with a password field)",
                SUSPICIOUS,
                0.75,
            )
        )
    elif tree.css_first("form") is not None and any(
        _CREDENTIAL_INPUT.search(" ".join(str(v) for v in node.attributes.values()))
        for node in tree.css("input")
    ):
        reasons.append(
            Reason(
                "email.credential_form",
                "The message contains a form asking for account or card details",
                SUSPICIOUS,
                0.5,
            )
        )
    hidden = 0
    for node in tree.css("[style]"):
        if _HIDDEN_STYLE.search(node.attributes.get("style") or ""):
            hidden += len((node.text(separator=" ") or "").strip())
    if hidden >= MIN_HIDDEN_TEXT_CHARS:
        reasons.append(
            Reason(
                "email.hidden_text",
                "Text hidden from the reader (styled invisible) pads the message",
                SUSPICIOUS,
                0.3,
            )
        )
    words = len(message.body_text.split())
    images = len(tree.css("img"))
    if words < MAX_FEW_WORDS and images and message.urls:
        reasons.append(
            Reason(
                "email.image_only_body",
                "Almost no text: the message is an image with a link",
                SUSPICIOUS,
                0.25,
            )
        )
    return reasons


def text_findings(message: EmailMessage, *, future_tolerance: timedelta) -> list[Reason]:
    """Obfuscated or personalised text, and forged dates."""
    reasons: list[Reason] = []
    if len(_ZERO_WIDTH.findall(message.body_text)) >= MIN_ZERO_WIDTH or _ZERO_WIDTH.search(
        message.subject
    ):
        reasons.append(
            Reason(
                "email.zero_width_characters",
                "Invisible characters break up words (filter evasion)",
                SUSPICIOUS,
                0.3,
            )
        )
    styled = len(_STYLED_LETTERS.findall(message.subject)) + len(
        _STYLED_LETTERS.findall(message.body_text[:20_000])
    )
    if styled >= MIN_STYLED:
        reasons.append(
            Reason(
                "email.styled_unicode_letters",
                "Text written in look-alike Unicode letters (filter evasion)",
                SUSPICIOUS,
                0.4,
            )
        )
    if any(_is_random_token(t) for t in _RANDOM_TOKEN.findall(message.subject)):
        reasons.append(
            Reason(
                "email.random_subject_token",
                "Subject ends in a random-looking token (per-message variation to evade filters)",
                SUSPICIOUS,
                0.35,
            )
        )
    if mixes_scripts_in(message.subject):
        reasons.append(
            Reason(
                "email.mixed_script_subject",
                f"Subject “{message.subject[:80]}” mixes alphabets (look-alike letters)",
                SUSPICIOUS,
                0.5,
            )
        )
    elif _count_mixed_words(message.body_text) >= MIN_MIXED_WORDS:
        reasons.append(
            Reason(
                "email.mixed_script_body",
                "Words in the body mix alphabets (look-alike letters)",
                SUSPICIOUS,
                0.35,
            )
        )
    recipients = {r.lower() for r in message.recipients}
    if any(r in message.subject.lower() for r in recipients):
        reasons.append(
            Reason(
                "email.recipient_in_subject",
                "The subject quotes the recipient's address (mass-personalised lure)",
                SUSPICIOUS,
                0.3,
            )
        )
    if _GREETING_ADDRESS.search(message.body_text[:2000]):
        reasons.append(
            Reason(
                "email.address_greeting",
                "The reader is greeted by their email address",
                SUSPICIOUS,
                0.3,
            )
        )
    sent = _date_header(message)
    if sent is not None and sent - message.received_at > future_tolerance:
        reasons.append(
            Reason(
                "email.future_date",
                f"Date header ({sent:%Y-%m-%d}) is after the message arrived: forged",
                SUSPICIOUS,
                0.3,
            )
        )
    return reasons


def _count_mixed_words(text: str) -> int:
    words = text[:20_000].split()
    return sum(1 for word in words if len(word) >= MIN_WORD and mixes_scripts_in(word))


def _date_header(message: EmailMessage) -> datetime | None:
    for name, value in message.headers:
        if name.lower() == "date":
            try:
                sent = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError, OverflowError):
                return None
            return sent if sent.tzinfo else sent.replace(tzinfo=UTC)
    return None


def _is_random_token(token: str) -> bool:
    """Mixed lower case, upper case and digits, as generated ids are (``fg46qFdZiRVH3jI``)."""
    has_lower = any(c.islower() for c in token)
    has_upper = any(c.isupper() for c in token)
    has_digit = any(c.isdigit() for c in token)
    case_switches = sum(1 for a, b in itertools.pairwise(token) if a.isupper() != b.isupper())
    return has_lower and has_upper and (has_digit or case_switches >= MIN_CASE_SWITCHES)
