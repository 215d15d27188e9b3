"""Who the message claims to be from, and whether the headers back the claim."""

from __future__ import annotations

import re

from autoir.analyzers.brands import (
    BRANDS,
    Brand,
    brand_names,
    brands_named_as,
    brands_named_in,
    is_brand_domain,
    is_freemail,
)
from autoir.analyzers.hosts import is_lookalike, mixes_scripts, skeleton, split_host
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.messages.enums import AuthResult
from autoir.domain.messages.message import EmailMessage
from autoir.domain.verdicts.report import Reason
from autoir.ports.analyzer import AnalysisContext

SUSPICIOUS = EvidenceVerdict.SUSPICIOUS
MALICIOUS = EvidenceVerdict.MALICIOUS
_ADDRESS_IN_NAME = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_ROLE_WORDS = re.compile(
    r"\b(support|service|services|team|security|admin|administrator|billing|helpdesk|help desk|"
    r"account|accounts|notification|notifications|department|customer care|it desk|webmaster|"
    r"mail ?delivery|postmaster|payroll|hr|bank|wallet|compliance)\b"
)
MIN_LOOKALIKE_TYPO_LENGTH = 7
_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|fw|fwd|tr|wg|rv|enc)\s*:", re.IGNORECASE)
_OPENING_CHARS = 400

_AUTH_FINDINGS = {
    ("dmarc", AuthResult.FAIL): (
        "email.dmarc_fail", "DMARC failed: the From domain's owner does not vouch for it", 0.45
    ),
    ("compauth", AuthResult.FAIL): (
        "email.compauth_fail", "Composite authentication failed (judged spoofed)", 0.45
    ),
    ("spf", AuthResult.FAIL): (
        "email.spf_fail", "SPF failed: the server may not send for the envelope domain", 0.3
    ),
    ("spf", AuthResult.SOFTFAIL): (
        "email.spf_softfail", "SPF soft-failed for the envelope domain", 0.15
    ),
    ("dkim", AuthResult.FAIL): ("email.dkim_fail", "DKIM signature did not verify", 0.2),
}  # fmt: skip


def authentication_findings(message: EmailMessage) -> list[Reason]:
    """SPF, DKIM, DMARC and composite-auth failures."""
    auth = message.authentication
    results = {"spf": auth.spf, "dkim": auth.dkim, "dmarc": auth.dmarc, "compauth": auth.compauth}
    reasons = []
    for method, result in results.items():
        finding = _AUTH_FINDINGS.get((method, result)) if result else None
        if finding:
            code, text, weight = finding
            reasons.append(Reason(code, text, SUSPICIOUS, weight))
    return reasons


def impersonation_findings(
    message: EmailMessage, context: AnalysisContext, *, check_brands: bool
) -> list[Reason]:
    """Display names and domains that borrow someone else's identity."""
    address = message.sender_from_address or ""
    domain = message.sender_domain or ""
    sender_host = split_host(domain) if domain else None
    label = sender_host.label if sender_host else ""
    name = message.sender_display_name or ""
    internal = _organisation_domains(context)
    is_internal_sender = bool(domain) and _within(domain, internal)
    reasons: list[Reason] = []
    if name:
        owner = context.internal_display_names.get(" ".join(name.casefold().split()))
        if owner and owner.lower() != address and not is_internal_sender:
            reasons.append(
                Reason(
                    "email.internal_impersonation",
                    f"Display name “{name}” belongs to internal user {owner}, "
                    f"but the mail comes from {address or 'an unknown sender'}",
                    SUSPICIOUS,
                    0.7,
                )
            )
        shown = _ADDRESS_IN_NAME.search(name.lower())
        if (
            shown
            and domain
            and split_host(shown.group(1)).registered_domain != split_host(domain).registered_domain
        ):
            reasons.append(
                Reason(
                    "email.display_name_address",
                    f"Display name shows the address {shown.group(0)} but the sender is {address}",
                    SUSPICIOUS,
                    0.45,
                )
            )
        if check_brands and label:
            suffix = sender_host.suffix if sender_host else ""
            claimed = [b for b in claimed_brands(name) if not is_brand_domain(b, label, suffix)]
            if claimed:
                freemail = is_freemail(label)
                reasons.append(
                    Reason(
                        "email.brand_impersonation",
                        f"Display name “{name}” claims to be {claimed[0].name}, sent from {domain}",
                        SUSPICIOUS,
                        0.6 if freemail else 0.5,
                    )
                )
        if label and is_freemail(label) and _ROLE_WORDS.search(skeleton(name)):
            reasons.append(
                Reason(
                    "email.freemail_role_sender",
                    f"“{name}” writes as an organisation from a free mail account ({domain})",
                    SUSPICIOUS,
                    0.35,
                )
            )
        if mixes_scripts_in(name):
            reasons.append(
                Reason(
                    "email.mixed_script_name",
                    f"Display name “{name}” mixes alphabets (look-alike letters)",
                    SUSPICIOUS,
                    0.5,
                )
            )
        for org_domain in internal:
            org_label = split_host(org_domain).label
            if org_label and org_label in skeleton(name).split() and not is_internal_sender:
                reasons.append(
                    Reason(
                        "email.organisation_impersonation",
                        f"“{name}” names the organisation; the sender is external ({domain})",
                        SUSPICIOUS,
                        0.45,
                    )
                )
                break
    if label:
        imitated = _imitated(label, internal, check_brands=check_brands)
        if imitated:
            reasons.append(
                Reason(
                    "email.lookalike_sender_domain",
                    f"Sender domain {domain} imitates {imitated}",
                    MALICIOUS,
                    0.85,
                )
            )
    return reasons


def reply_to_findings(message: EmailMessage) -> list[Reason]:
    """Replies that go somewhere else than the sender (mailing lists excepted: RFC 2369)."""
    domain = message.sender_domain
    if not domain or not message.reply_to:
        return []
    if any(name.lower() in {"list-id", "list-post"} for name, _ in message.headers):
        return []
    sender_site = split_host(domain).registered_domain
    for reply in message.reply_to:
        reply_domain = reply.rsplit("@", 1)[-1]
        reply_host = split_host(reply_domain)
        if (
            reply_domain == domain
            and is_freemail(reply_host.label)
            and _account(reply) != _account(message.sender_from_address or "")
        ):
            return [
                Reason(
                    "email.reply_to_other_account",
                    f"Replies go to another {domain} account ({reply}), not the sender's",
                    SUSPICIOUS,
                    0.3,
                )
            ]
        if reply_host.registered_domain != sender_site:
            freemail = is_freemail(reply_host.label) and not is_freemail(split_host(domain).label)
            return [
                Reason(
                    "email.reply_to_mismatch",
                    f"Replies go to {reply} instead of {domain}",
                    SUSPICIOUS,
                    0.35 if freemail else 0.25,
                )
            ]
    return []


def freemail_brand_findings(message: EmailMessage) -> list[Reason]:
    """A free-mail account writing as a well-known brand in the subject or the opening text.

    Brands send notifications, invoices and alerts from their own domains; a personal webmail
    account opening with one is a fraud pattern (fake invoices, callback scams). Replies,
    forwards and mailing lists are left out: people discuss brands.
    """
    domain = message.sender_domain
    if not domain or not is_freemail(split_host(domain).label):
        return []
    if _REPLY_PREFIX.match(message.subject) or any(
        name.lower() in {"list-id", "list-post", "in-reply-to"} for name, _ in message.headers
    ):
        return []
    opening = f"{message.subject}\n{message.body_text[:_OPENING_CHARS]}"
    named = brands_named_in(opening)
    if not named:
        return []
    return [
        Reason(
            "email.freemail_brand_claim",
            f"A free-mail account ({domain}) writes in the name of {named[0].name}",
            SUSPICIOUS,
            0.25,
        )
    ]


def first_contact_findings(message: EmailMessage, context: AnalysisContext) -> list[Reason]:
    """A sender the organisation has never received mail from (when history is available)."""
    address = message.sender_from_address
    if context.sender_seen_before is None or not address:
        return []
    if context.sender_seen_before(address, message.received_at):
        return []
    return [
        Reason(
            "email.first_contact", f"First message ever received from {address}", SUSPICIOUS, 0.15
        )
    ]


_SEGMENT = re.compile(r"\s[-\u2013|:]\s|[,(]")
_NAMING_WORD = re.compile(
    r"\b(?:from|von|der|des|van|de|du|da|do|di|by)\s+(\S+(?:\s+\S+)?)", re.IGNORECASE
)


def claimed_brands(name: str) -> list[Brand]:
    """Brands a display name speaks for.

    Named at the start of the name or of one of its parts (``PayPal Service``, ``Order status
    - DHL``, ``Nachricht der AOK``), or the whole name (``Ledger Support``). A brand named late
    in a long name (``Weekly Digest PayPal Developers``) is a topic, not a claim.
    """
    leads = [" ".join(part.split()[:2]) for part in _SEGMENT.split(name) if part.strip()]
    leads += [m.group(1) for m in _NAMING_WORD.finditer(name)]
    found = brands_named_in(" | ".join(leads)) if leads else []
    found += [b for b in brands_named_as(name) if b not in found]
    return found


def mixes_scripts_in(text: str) -> bool:
    """Whether any word of ``text`` mixes alphabets."""
    return any(mixes_scripts(word) for word in text.split())


def _account(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local.split('+', 1)[0].replace('.', '')}@{domain}"


def _organisation_domains(context: AnalysisContext) -> frozenset[str]:
    return frozenset(
        d.lower().strip(".") for d in (*context.organisation_domains, *context.protected_domains)
    )


def _within(domain: str, domains: frozenset[str]) -> bool:
    return any(domain == d or domain.endswith(f".{d}") for d in domains)


def _imitated(label: str, protected: frozenset[str], *, check_brands: bool) -> str | None:
    for domain in protected:
        protected_label = split_host(domain).label
        if protected_label and is_lookalike(label, protected_label):
            return domain
    if not check_brands or any(label in brand.labels for brand in BRANDS):
        return None
    for brand in BRANDS:
        if any(is_lookalike(label, name, allow_typo=typo) for name, typo in brand_names(brand)):
            return brand.name
    return None
