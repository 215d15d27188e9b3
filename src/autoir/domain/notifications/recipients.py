"""Who an alert affects, and the checks every notification passes before it is sent.

The affected users are read from the alert's evidence: mailboxes (``primaryAddress``, ``upn``),
user accounts (``userPrincipalName``) and the recipients of analysed or submitted messages.
Evidence whose roles say it is the attacker or the policy violator is skipped: telling the
suspect would tip them off.

Addresses are plain ``local@domain`` (RFC 5322 dot-atom, ASCII): no display names, no
comments, no internationalised addresses (the SMTP connector does not speak SMTPUTF8).
Subjects are one line without control characters, so no header can be injected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autoir.domain.alerts.evidence import evidence_type_name
from autoir.domain.errors import FieldError, ValidationFailed

MAX_RECIPIENTS = 500
MAX_SUBJECT = 255
MAX_BODY = 20_000
MAX_ADDRESS = 254
MAX_LOCAL_PART = 64

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+{_TOP_LABEL})", re.ASCII)
_SEPARATORS = re.compile(r"[\s,;]+")
_SKIPPED_ROLES = frozenset({"attacker", "policyviolator"})


def is_email_address(text: str) -> bool:
    """True for a plain ``local@domain`` address with a dotted domain."""
    found = _ADDRESS.fullmatch(text)
    return found is not None and len(text) <= MAX_ADDRESS and len(found.group(1)) <= MAX_LOCAL_PART


def split_addresses(text: str) -> list[str]:
    """Addresses typed in one field, separated by commas, semicolons, spaces or new lines."""
    return [part for part in _SEPARATORS.split(text) if part]


def _address(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    candidate = value.strip().lower()
    return candidate if is_email_address(candidate) else None


def _skipped(evidence: Mapping[str, Any]) -> bool:
    roles = evidence.get("roles")
    if not isinstance(roles, list):
        return False
    return any(isinstance(r, str) and r.lower() in _SKIPPED_ROLES for r in roles)


def _candidates(evidence: Mapping[str, Any]) -> list[object]:
    kind = evidence_type_name(evidence.get("@odata.type"))
    account = evidence.get("userAccount")
    upn = account.get("userPrincipalName") if isinstance(account, Mapping) else None
    if kind == "mailboxEvidence":
        return [evidence.get("primaryAddress"), evidence.get("upn"), upn]
    if kind == "userEvidence":
        return [upn]
    if kind == "analyzedMessageEvidence":
        return [evidence.get("recipientEmailAddress")]
    if kind == "submissionMailEvidence":
        return [evidence.get("recipient")]
    return []


def affected_recipients(evidence: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """The addresses of the users the evidence names, lower-cased, in first-seen order."""
    found: dict[str, None] = {}
    for item in evidence:
        if not isinstance(item, Mapping) or _skipped(item):
            continue
        for value in _candidates(item):
            address = _address(value)
            if address is not None:
                found.setdefault(address, None)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class CheckedMessage:
    """A notification that passed :func:`check_message`."""

    recipients: tuple[str, ...]
    subject: str
    body: str


def _has_control(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def _check_recipients(recipients: object, errors: list[FieldError]) -> tuple[str, ...]:
    if not isinstance(recipients, Sequence) or isinstance(recipients, str):
        errors.append(FieldError("recipients", "must be a list of email addresses"))
        return ()
    unique: dict[str, str] = {}
    for index, raw in enumerate(recipients):
        if not isinstance(raw, str):
            errors.append(FieldError(f"recipients[{index}]", "must be a string"))
            continue
        address = raw.strip()
        if not address:
            continue
        if not is_email_address(address):
            errors.append(
                FieldError(f"recipients[{index}]", f"{address[:300]!r} is not an email address")
            )
            continue
        unique.setdefault(address.lower(), address)
    if not unique and not errors:
        errors.append(FieldError("recipients", "name at least one recipient"))
    elif len(unique) > MAX_RECIPIENTS:
        errors.append(
            FieldError(
                "recipients",
                f"names {len(unique)} addresses; send to at most {MAX_RECIPIENTS} at once",
            )
        )
    return tuple(unique.values())


def check_message(recipients: object, subject: object, body: object) -> CheckedMessage:
    """Check a notification; every problem is reported at once and nothing is sent.

    Duplicate addresses (in any case) are sent to once; blank entries are ignored.

    Raises:
        ValidationFailed: with a ``FieldError`` per bad field (``recipients[3]``, ``subject``…).
    """
    errors: list[FieldError] = []
    checked_recipients = _check_recipients(recipients, errors)
    clean_subject = subject.strip() if isinstance(subject, str) else ""
    if not isinstance(subject, str):
        errors.append(FieldError("subject", "must be a string"))
    elif not clean_subject or len(clean_subject) > MAX_SUBJECT or _has_control(clean_subject):
        errors.append(
            FieldError(
                "subject",
                f"must be one line of 1 to {MAX_SUBJECT} characters without control characters",
            )
        )
    clean_body = body.replace("\r\n", "\n").replace("\r", "\n") if isinstance(body, str) else ""
    if not isinstance(body, str):
        errors.append(FieldError("body", "must be a string"))
    elif not clean_body.strip() or len(clean_body) > MAX_BODY or _has_control(clean_body, "\n\t"):
        errors.append(
            FieldError(
                "body",
                f"must be text of 1 to {MAX_BODY} characters without control characters",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    return CheckedMessage(checked_recipients, clean_subject, clean_body.strip("\n"))
