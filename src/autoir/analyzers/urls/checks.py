"""The checks on one URL. Each returns findings; none fetches anything.

Weights are "how likely this alone makes a link malicious" on the scale of
:mod:`autoir.domain.verdicts.scoring`: a look-alike of a protected domain or a link text naming
another site are strong; a shortener or a risky TLD is weak on its own and counts only with
other findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from autoir.analyzers.brands import Brand, brand_names, brand_tokens
from autoir.analyzers.hosts import (
    HostName,
    decode_punycode,
    is_lookalike,
    mixes_scripts,
    split_host,
)
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.report import Reason

MALICIOUS = EvidenceVerdict.MALICIOUS
SUSPICIOUS = EvidenceVerdict.SUSPICIOUS
_HARVEST_WORDS = re.compile(
    r"(?<![a-z])(log-?in|sign-?in|log-?on|verif(y|ication)|webscr|account|update|secure|"
    r"auth|password|passwd|wallet|confirm|unlock|recover|billing|validate|reactivat\w*|"
    r"credential|mfa|2fa|kyc)(?![a-z])"
)
_WORDPRESS_KIT = re.compile(r"/wp-(content|includes|admin)/.+\.(php|html?)\b")
_EXECUTABLE_PATH = re.compile(
    r"\.(exe|scr|js|jse|vbs|vbe|hta|msi|bat|cmd|ps1|jar|apk|iso|img|vhdx?|lnk|wsf|cpl)$"
)
_ARCHIVE_PATH = re.compile(r"\.(zip|rar|7z|ace|gz|tgz|cab)$")
_EMBEDDED_URL = re.compile(r"=(https?(:|%3a)|www\.)", re.IGNORECASE)
_DEFAULT_PORTS = {None, 80, 443, 8080, 8443}
# Links that open a chat with a stranger: scams move the victim off email, out of sight of
# mail filters (Telegram, WhatsApp, Signal, Viber, LINE invitation links).
MESSAGING_HOSTS = frozenset(
    {"t.me", "telegram.me", "telegram.dog", "wa.me", "chat.whatsapp.com", "api.whatsapp.com",
     "signal.me", "invite.viber.com", "line.me"}
)  # fmt: skip
MAX_SUBDOMAIN_LABELS = 4
MAX_HOST_CHARS = 50
MAX_HYPHENS = 3
MIN_BRAND_TOKEN = 5
MIN_BRAND_TYPO_LENGTH = 7  # shorter brand names are one typo away from ordinary words


@dataclass(frozen=True, slots=True)
class Protected:
    """What look-alikes are measured against."""

    domains: frozenset[str]
    brands: tuple[Brand, ...]

    def domain_labels(self) -> dict[str, str]:
        """Registered label → protected domain."""
        return {split_host(d).label: d for d in self.domains if split_host(d).label}


@dataclass(frozen=True, slots=True)
class UrlLists:
    """The configured lists (registered domains or suffixes, lower-case)."""

    risky_tlds: frozenset[str]
    shorteners: frozenset[str]
    open_hosting: frozenset[str]


def check_url(
    url: str,
    display_text: str | None,
    protected: Protected,
    lists: UrlLists,
    sender_site: str | None = None,
) -> tuple[list[Reason], HostName | None]:
    """Findings on one URL (and its anchor text, when it came from HTML)."""
    lowered = url.lower()
    if lowered.startswith("data:"):
        return _data_uri(url), None
    if lowered.startswith("javascript:"):
        return [
            Reason("url.javascript_uri", "Link runs script (javascript: URI)", SUSPICIOUS, 0.5)
        ], None
    try:
        parts = urlsplit(url)
        host_text = parts.hostname or ""
    except ValueError:
        return [Reason("url.malformed", f"Malformed URL {url[:100]}", SUSPICIOUS, 0.2)], None
    if not host_text:
        return [], None
    host = split_host(host_text)
    reasons = _host_findings(host, protected, lists)
    reasons += _location_findings(parts, lists, host)
    if display_text and host.registered_domain != sender_site:
        # A link into the sender's own site (its click tracker) misleads nobody about who wrote.
        reasons += _display_mismatch(display_text, host, protected)
    return reasons, host


def _data_uri(url: str) -> list[Reason]:
    media = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
    if media.startswith("image/"):
        return []
    return [
        Reason(
            "url.data_uri",
            f"Link carries a whole document in a data: URI ({media or 'text/plain'})",
            SUSPICIOUS,
            0.7 if media in {"text/html", "application/xhtml+xml", ""} else 0.5,
        )
    ]


def _host_findings(host: HostName, protected: Protected, lists: UrlLists) -> list[Reason]:
    if host.is_ip:
        return [
            Reason(
                "url.ip_literal_host",
                f"Link points at a bare IP address ({host.host})",
                SUSPICIOUS,
                0.45,
            )
        ]
    reasons: list[Reason] = []
    name = host.registered_domain
    unicode_host = host.unicode_host
    lookalike = _lookalike_of(host, protected)
    if lookalike:
        reasons.append(
            Reason("url.lookalike_domain", f"{unicode_host} imitates {lookalike}", MALICIOUS, 0.85)
        )
    elif "xn--" in host.host:
        reasons.append(
            Reason(
                "url.punycode_host", f"Internationalised host name {unicode_host}", SUSPICIOUS, 0.3
            )
        )
    if any(mixes_scripts(label) for label in unicode_host.split(".")):
        reasons.append(
            Reason("url.mixed_script_host", f"{unicode_host} mixes alphabets", SUSPICIOUS, 0.6)
        )
    reasons += _brand_findings(host, protected)
    suffix_tld = host.suffix.rsplit(".", 1)[-1]
    if suffix_tld in lists.risky_tlds:
        reasons.append(
            Reason(
                "url.risky_tld",
                f"{name} uses the often-abused .{suffix_tld} domain",
                SUSPICIOUS,
                0.25,
            )
        )
    if name in lists.shorteners or host.host in lists.shorteners:
        reasons.append(
            Reason(
                "url.shortener", f"Link shortener hides the destination ({name})", SUSPICIOUS, 0.25
            )
        )
    if host.host in MESSAGING_HOSTS or host.host.removeprefix("www.") in MESSAGING_HOSTS:
        reasons.append(
            Reason(
                "url.messaging_app_link",
                f"Link opens a chat on a messaging app ({host.host}): contact moves off email",
                SUSPICIOUS,
                0.25,
            )
        )
    if _on_open_hosting(host, lists):
        reasons.append(
            Reason(
                "url.open_hosting",
                f"Page on free self-publishing hosting ({host.host})",
                SUSPICIOUS,
                0.35,
            )
        )
    labels = [label for label in host.subdomain.split(".") if label]
    if len(labels) >= MAX_SUBDOMAIN_LABELS or len(host.host) > MAX_HOST_CHARS:
        reasons.append(
            Reason("url.long_host", f"Unusually long host name {host.host}", SUSPICIOUS, 0.15)
        )
    if host.label.count("-") >= MAX_HYPHENS:
        reasons.append(Reason("url.hyphenated_domain", f"Many hyphens in {name}", SUSPICIOUS, 0.15))
    return reasons


def _location_findings(parts: SplitResult, lists: UrlLists, host: HostName) -> list[Reason]:
    reasons: list[Reason] = []
    if "@" in parts.netloc:
        reasons.append(
            Reason(
                "url.userinfo_trick",
                f"Text before '@' disguises the real host {host.host}",
                SUSPICIOUS,
                0.55,
            )
        )
    try:
        port = parts.port
    except ValueError:
        port = None
    if port not in _DEFAULT_PORTS:
        reasons.append(Reason("url.unusual_port", f"Link uses port {port}", SUSPICIOUS, 0.2))
    path = unquote(parts.path).lower()
    location = f"{path}?{unquote(parts.query).lower()}"
    words = {m.group(1) for m in _HARVEST_WORDS.finditer(location)}
    if words:
        reasons.append(
            Reason(
                "url.credential_path",
                f"Path asks for sign-in or account details ({', '.join(sorted(words)[:3])})",
                SUSPICIOUS,
                0.1 if len(words) == 1 else 0.25,
            )
        )
    if _WORDPRESS_KIT.search(path):
        reasons.append(
            Reason(
                "url.cms_kit_path",
                "Page inside a site's plug-in folders (typical of phishing kits on hacked sites)",
                SUSPICIOUS,
                0.3,
            )
        )
    if _EXECUTABLE_PATH.search(path):
        reasons.append(
            Reason(
                "url.executable_download",
                f"Link downloads a program or script ({path.rsplit('/', 1)[-1][:60]})",
                SUSPICIOUS,
                0.5,
            )
        )
    elif _ARCHIVE_PATH.search(path):
        reasons.append(
            Reason(
                "url.archive_download",
                f"Link downloads an archive ({path.rsplit('/', 1)[-1][:60]})",
                SUSPICIOUS,
                0.2,
            )
        )
    if _EMBEDDED_URL.search(parts.query) and host.registered_domain not in lists.shorteners:
        reasons.append(
            Reason(
                "url.embedded_redirect", "Link carries another URL to redirect to", SUSPICIOUS, 0.15
            )
        )
    return reasons


def _display_mismatch(display_text: str, host: HostName, protected: Protected) -> list[Reason]:
    shown = host_named_by(display_text)
    if shown is None or shown.registered_domain == host.registered_domain:
        return []
    strong = bool(_lookalike_of(shown, protected)) or _is_protected(shown, protected)
    return [
        Reason(
            "url.display_mismatch",
            f"Link text shows {shown.host} but leads to {host.host}",
            SUSPICIOUS,
            0.75 if strong else 0.45,
        )
    ]


def host_named_by(display_text: str) -> HostName | None:
    """The host a link's visible text names, when it reads as a URL or a domain."""
    text = display_text.strip().strip("<>()[]\"'").lower()
    if not text or " " in text or "." not in text or "@" in text:
        return None
    candidate = text if "://" in text else f"http://{text}"
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError:
        return None
    parsed = split_host(host) if host else None
    if parsed is None or (not parsed.is_ip and not parsed.suffix):
        return None  # "file.pdf", "v2.0": not a host a reader would recognise
    return parsed


def _lookalike_of(host: HostName, protected: Protected) -> str | None:
    """The protected domain or brand this host imitates, if any."""
    if host.is_ip or not host.label:
        return None
    label = decode_punycode(host.label)
    for protected_label, domain in protected.domain_labels().items():
        if label != protected_label and is_lookalike(label, protected_label):
            return domain
    for brand in protected.brands:
        if label in brand.labels:
            return None
    for brand in protected.brands:
        if any(is_lookalike(label, name, allow_typo=typo) for name, typo in brand_names(brand)):
            return brand.name
    return None


def _is_protected(host: HostName, protected: Protected) -> bool:
    if host.registered_domain in protected.domains:
        return True
    return any(host.label in brand.labels for brand in protected.brands)


def _brand_findings(host: HostName, protected: Protected) -> list[Reason]:
    """A brand's name used as a word of someone else's domain or subdomain."""
    if host.registered_domain in protected.domains:
        return []
    reasons: list[Reason] = []
    label_tokens = set(re.split(r"[-\d_]+", host.label))
    sub_tokens = {t for label in host.subdomain.split(".") for t in re.split(r"[-\d_]+", label)}
    targets: list[tuple[str, set[str]]] = [
        (split_host(d).label, {split_host(d).label}) for d in protected.domains
    ]
    targets += [
        (brand.name, set(brand_tokens(brand)))
        for brand in protected.brands
        if host.label not in brand.labels
    ]
    for name, tokens in targets:
        if not tokens or host.label in tokens:
            continue
        if tokens & label_tokens:
            reasons.append(
                Reason(
                    "url.brand_in_domain",
                    f"{host.registered_domain} borrows the name {name}",
                    SUSPICIOUS,
                    0.5,
                )
            )
        elif tokens & sub_tokens:
            reasons.append(
                Reason(
                    "url.brand_in_subdomain",
                    f"{host.host} puts {name} in front of another site",
                    SUSPICIOUS,
                    0.5,
                )
            )
    return reasons[:1]


def _on_open_hosting(host: HostName, lists: UrlLists) -> bool:
    name = host.host
    return any(name == entry or name.endswith(f".{entry}") for entry in lists.open_hosting)
