"""Well-known brands phishing imitates, and the free mail providers anyone can send from.

A short, general list (the brands that lead public phishing statistics: technology, parcels,
payment, crypto, banks, security vendors), not a list fitted to any corpus. Each brand names the
words that identify it in a display name or host (compared as skeletons, see
:mod:`autoir.analyzers.hosts`) and the registered-domain labels it really sends from, whatever
the country suffix. Organisations add their own names through ``protected_domains``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from autoir.analyzers.hosts import skeleton


@dataclass(frozen=True, slots=True)
class Brand:
    """A brand: display name, identifying words, and the domain labels it owns."""

    name: str
    words: tuple[str, ...]
    labels: frozenset[str]


def _brand(name: str, words: str, labels: str) -> Brand:
    return Brand(name, tuple(words.split("|")), frozenset(labels.split()))


BRANDS = (
    _brand("Microsoft", "microsoft|office 365|office365|microsoft 365|onedrive|sharepoint",
           "microsoft office live outlook microsoftonline office365 sharepoint onedrive msn "
           "hotmail azure windows skype bing xbox microsoft365 msft"),
    _brand("PayPal", "paypal", "paypal paypal-communication paypalobjects paypal-community"),
    _brand("Apple", "apple id|apple support|apple store|icloud|itunes",
           "apple icloud me itunes mac"),
    _brand("Amazon", "amazon|prime video", "amazon amazonses primevideo aws amazonaws a2z"),
    _brand("Google", "google|gmail|google workspace", "google gmail googlemail youtube gstatic"),
    _brand("Meta", "facebook|instagram|whatsapp|meta business",
           "facebook facebookmail instagram whatsapp meta fb"),
    _brand("LinkedIn", "linkedin", "linkedin licdn"),
    _brand("Netflix", "netflix", "netflix"),
    _brand("DHL", "dhl|dhl express", "dhl dpdhl deutschepost"),
    _brand("FedEx", "fedex", "fedex"),
    _brand("UPS", "ups parcel|ups delivery|ups my choice", "ups"),
    _brand("USPS", "usps", "usps"),
    _brand("DocuSign", "docusign", "docusign"),
    _brand("Dropbox", "dropbox", "dropbox dropboxmail"),
    _brand("Adobe", "adobe|adobe sign|acrobat", "adobe adobesign"),
    _brand("WeTransfer", "wetransfer", "wetransfer"),
    _brand("Binance", "binance", "binance"),
    _brand("Coinbase", "coinbase", "coinbase"),
    _brand("MetaMask", "metamask", "metamask consensys"),
    _brand("Ledger", "ledger live|ledger wallet", "ledger"),
    _brand("Trezor", "trezor", "trezor"),
    _brand("Norton", "norton|norton 360|norton antivirus|lifelock",
           "norton nortonlifelock gen lifelock"),
    _brand("McAfee", "mcafee", "mcafee"),
    _brand("Avast", "avast", "avast"),
    _brand("Kaspersky", "kaspersky", "kaspersky"),
    _brand("Chase", "chase bank|jpmorgan chase", "chase jpmorgan jpmorganchase"),
    _brand("Wells Fargo", "wells fargo|wellsfargo", "wellsfargo wf"),
    _brand("Bank of America", "bank of america|bankofamerica", "bankofamerica bofa"),
    _brand("Citibank", "citibank", "citi citibank"),
    _brand("HSBC", "hsbc", "hsbc"),
    _brand("Santander", "santander", "santander"),
    _brand("ING", "ing bank|ing direct", "ing"),
    _brand("Rabobank", "rabobank", "rabobank"),
    _brand("ABN AMRO", "abn amro|abnamro", "abnamro"),
    _brand("Sparkasse", "sparkasse", "sparkasse"),
    _brand("Itaú", "itau|itaú", "itau"),
    _brand("Bradesco", "bradesco", "bradesco"),
    _brand("Banco do Brasil", "banco do brasil", "bb"),
    _brand("Caixa", "caixa", "caixa"),
    _brand("Nubank", "nubank", "nubank"),
    _brand("Correios", "correios", "correios"),
    _brand("PostNL", "postnl", "postnl"),
    _brand("La Poste", "la poste|colissimo", "laposte colissimo"),
    _brand("Ameli", "ameli|assurance maladie", "ameli"),
    _brand("eBay", "ebay", "ebay"),
    _brand("Spotify", "spotify", "spotify"),
    _brand("Booking.com", "booking.com", "booking"),
    _brand("Airbnb", "airbnb", "airbnb"),
)  # fmt: skip

FREEMAIL_LABELS = frozenset(
    [
        "gmail",
        "googlemail",
        "hotmail",
        "outlook",
        "live",
        "msn",
        "yahoo",
        "ymail",
        "aol",
        "gmx",
        "yandex",
        "protonmail",
        "proton",
        "icloud",
        "zoho",
        "mail",
        "qq",
        "163",
        "126",
        "uol",
        "bol",
        "terra",
        "wanadoo",
        "laposte",
        "t-online",
        "libero",
        "seznam",
        "interia",
        "rambler",
        "tutanota",
        "fastmail",
        "rediffmail",
        "inbox",
    ]
)
"""Registered-domain labels of free mail services (any country suffix)."""


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[Brand, re.Pattern[str]], ...]:
    return tuple(
        (
            brand,
            re.compile(
                r"(?<![a-z0-9])(?:"
                + "|".join(re.escape(skeleton(w)) for w in brand.words)
                + r")(?![a-z0-9])"
            ),
        )
        for brand in BRANDS
    )


MIN_TYPO_LENGTH = 7
MIN_TOKEN_LENGTH = 4
"""Shorter names are one typo away from ordinary words (``mail``/``gmail``)."""


def brand_names(brand: Brand) -> list[tuple[str, bool]]:
    """``(label, typos count)`` pairs a look-alike is measured against.

    Every label the brand owns counts when imitated letter for letter (``rnicrosoft``,
    ``paypa1``); typos count only against the brand's own one-word names of seven letters or
    more (``microsfot``), never against generic labels it also owns (``windows``, ``office``).
    """
    names = dict.fromkeys(brand.labels, False)
    for word in brand.words:
        token = word.replace(" ", "")
        if token.isalpha() and token in brand.labels:
            names[token] = len(token) >= MIN_TYPO_LENGTH
    return list(names.items())


def brand_tokens(brand: Brand) -> frozenset[str]:
    """The brand's own one-word names that are also its domain labels (``paypal``, not ``live``)."""
    return frozenset(
        w for w in brand.words if w.isalpha() and w in brand.labels and len(w) >= MIN_TOKEN_LENGTH
    )


def brands_named_in(text: str) -> list[Brand]:
    """Brands whose identifying words appear in ``text`` (skeleton comparison)."""
    folded = skeleton(text)
    return [brand for brand, pattern in _patterns() if pattern.search(folded)]


def is_brand_domain(brand: Brand, label: str) -> bool:
    """Whether a registered-domain label belongs to the brand."""
    return label in brand.labels


def is_freemail(label: str) -> bool:
    """Whether a registered-domain label is a free mail provider."""
    return label in FREEMAIL_LABELS
