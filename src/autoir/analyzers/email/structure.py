"""What the header fields themselves give away: malformed or duplicated senders, hidden recipients.

Mail composed by ordinary clients and by legitimate bulk senders (ESPs) has exactly one ``From:``
field naming one mailbox at a real domain and a recipient list. Bulk
phishing tools often get these wrong: several ``From:`` fields or mailboxes (some clients show
the first, filters read the last), addresses whose domain is not a domain at all (``{bank.com}``,
``'host``, ``%``, no public suffix), recipients hidden behind ``undisclosed-recipients:;``. The
free-mail checks read the envelope: a webmail provider sends a message with the sending
account's own address as ``Return-Path``, so a different account there means the message was not
written from the account it shows.
"""

from __future__ import annotations

import re
from email.utils import getaddresses

from autoir.analyzers.brands import is_freemail
from autoir.analyzers.hosts import split_host
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.messages.message import EmailMessage
from autoir.domain.verdicts.report import Reason

SUSPICIOUS = EvidenceVerdict.SUSPICIOUS
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,63}")
_ADDRESS = re.compile(r"[^\s<>@,;:\"]+@[^\s<>@,;:\"]+")
_UNDISCLOSED = re.compile(r"^\s*[\w .-]*:\s*;\s*$")
_LIST_HEADERS = frozenset({"list-id", "list-post", "list-unsubscribe", "sender", "precedence"})


def header_findings(message: EmailMessage) -> list[Reason]:
    """Structural anomalies of the sender and recipient fields."""
    names = [name.lower() for name, _ in message.headers]
    reasons = _sender_findings(message, names)
    reasons += _recipient_findings(message, names)
    reasons += _envelope_findings(message, names)
    return reasons


def is_valid_mail_domain(domain: str) -> bool:
    """Whether ``domain`` is a syntactically valid host name under a public suffix."""
    if not _DOMAIN.fullmatch(domain):
        return False
    return bool(split_host(domain).suffix)  # a known TLD (``iki.fi`` is itself a suffix)


def _sender_findings(message: EmailMessage, names: list[str]) -> list[Reason]:
    reasons: list[Reason] = []
    address = message.sender_from_address
    if not message.headers:
        return reasons
    from_values = [value for name, value in message.headers if name.lower() == "from"]
    if not from_values or not address:
        reasons.append(
            Reason(
                "email.missing_sender",
                "No sender address in From: (every legitimate message names one)",
                SUSPICIOUS,
                0.3,
            )
        )
        return reasons
    domain = address.rsplit("@", 1)[-1]
    if not is_valid_mail_domain(domain):
        reasons.append(
            Reason(
                "email.malformed_sender_domain",
                f"The sender's domain “{domain[:60]}” is not a valid internet domain "
                "(forged or broken by a bulk-mail tool)",
                SUSPICIOUS,
                0.45,
            )
        )
    mailboxes = [found for value in from_values for found in _ADDRESS.findall(_strip_quoted(value))]
    if len(from_values) > 1 or (len(mailboxes) > 1 and "sender" not in names):
        reasons.append(
            Reason(
                "email.multiple_senders",
                "The message has several From: fields or sender addresses "
                "(clients and filters may read different ones)",
                SUSPICIOUS,
                0.35,
            )
        )
    return reasons


def _recipient_findings(message: EmailMessage, names: list[str]) -> list[Reason]:
    to_values = [value for name, value in message.headers if name.lower() in {"to", "cc"}]
    if not to_values or any(name in _LIST_HEADERS for name in names):
        return []
    if all(_UNDISCLOSED.match(value) or not getaddresses([value])[0][1] for value in to_values):
        return [
            Reason(
                "email.undisclosed_recipients",
                "Recipients are hidden (“undisclosed-recipients”): sent in bulk by blind copy",
                SUSPICIOUS,
                0.2,
            )
        ]
    return []


def _envelope_findings(message: EmailMessage, names: list[str]) -> list[Reason]:
    address = message.sender_from_address
    envelope = message.sender_mail_from_address
    if not address or not envelope or any(name in _LIST_HEADERS for name in names):
        return []
    domain = address.rsplit("@", 1)[-1]
    envelope_domain = envelope.rsplit("@", 1)[-1]
    if not is_freemail(split_host(domain).label) or envelope_domain != domain:
        return []
    if _account(address) == _account(envelope):
        return []
    return [
        Reason(
            "email.freemail_envelope_mismatch",
            f"Shown as {address} but sent by another {domain} account ({envelope})",
            SUSPICIOUS,
            0.35,
        )
    ]


def _account(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local.split('+', 1)[0].replace('.', '')}@{domain}"


def _strip_quoted(value: str) -> str:
    """The header without its quoted display names (``"a@b" <c@d>`` names one mailbox)."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', "", value)


_LETTER_SWAP = re.compile(r"\b[A-Z]*[A-Z]l[A-Z][A-Z]*\b|\b[A-Z]+0[A-Z]{2,}\b")
_TAG = re.compile(r"[\s.]([A-Z0-9]{4,})\W*$")
MIN_SWAPPED_IN_BODY = 2


def disguise_findings(message: EmailMessage) -> list[Reason]:
    """Words disguised against filters and per-message tags shared by name and subject."""
    reasons: list[Reason] = []
    name = message.sender_display_name or ""
    swapped = _LETTER_SWAP.findall(f"{message.subject} {name}")
    if swapped or len(set(_LETTER_SWAP.findall(message.body_text[:20_000]))) >= MIN_SWAPPED_IN_BODY:
        example = (swapped or _LETTER_SWAP.findall(message.body_text[:20_000]))[0]
        reasons.append(
            Reason(
                "email.letter_substitution",
                f"Capitals with a look-alike letter or digit swapped in (“{example}”): "
                "spelling that dodges word filters",
                SUSPICIOUS,
                0.4,
            )
        )
    name_tag = _TAG.search(name)
    subject_tag = _TAG.search(message.subject)
    if name_tag and subject_tag and name_tag.group(1) == subject_tag.group(1):
        reasons.append(
            Reason(
                "email.tagged_sender_and_subject",
                f"Display name and subject end in the same code “{name_tag.group(1)}” "
                "(a bulk tool's per-message tag)",
                SUSPICIOUS,
                0.35,
            )
        )
    return reasons
