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
    exact: tuple[str, ...] = ()
    typos: bool = True


def _brand(name: str, words: str, labels: str) -> Brand:
    return Brand(name, tuple(words.split("|")), frozenset(labels.split()))


def _regional(name: str, words: str, labels: str, exact: str = "") -> Brand:
    """A brand whose names are ordinary words elsewhere: no typo look-alikes.

    ``exact`` names (``Ledger``, ``Trust``) count only when they are the whole display name,
    give or take a role word (``Ledger Support``).
    """
    return Brand(
        name,
        tuple(w for w in words.split("|") if w),
        frozenset(labels.split()),
        tuple(w for w in exact.split("|") if w),
        typos=False,
    )


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
    # Second tier, from the same public brand-phishing reports and national CERT warnings for
    # the languages AutoIR reads (EN, PT, DE, NL, FR, ES, IT): crypto wallets and exchanges,
    # security vendors, parcels, tax and traffic authorities, telecoms, retail, health
    # insurers, loyalty schemes, transport.
    _regional("Ledger", "ledger live|ledger wallet", "ledger", "ledger"),
    _regional("Trust Wallet", "trust wallet|trustwallet", "trustwallet", "trust"),
    _regional("Exodus", "exodus wallet", "exodus", "exodus"),
    _regional("Ripple", "ripple|ripplenet|xrp", "ripple"),
    _regional("Kraken", "kraken", "kraken"),
    _regional("Crypto.com", "crypto.com", "crypto"),
    _regional("Blockchain.com", "blockchain.com", "blockchain"),
    _regional("Bybit", "bybit", "bybit"),
    _regional("OKX", "okx", "okx"),
    _regional("KuCoin", "kucoin", "kucoin"),
    _regional("Phantom", "phantom wallet", "phantom", "phantom"),
    _regional("Tether", "tether", "tether"),
    _regional("TotalAV", "totalav|total av", "totalav"),
    _regional("Avira", "avira", "avira"),
    _regional("Bitdefender", "bitdefender", "bitdefender"),
    _regional("ESET", "eset", "eset"),
    _regional("Malwarebytes", "malwarebytes", "malwarebytes"),
    _regional("DPD", "dpd", "dpd"),
    _regional("GLS", "gls", "gls-group gls"),
    _regional("Hermes", "hermes paket|hermes versand", "myhermes hermesworld"),
    _regional("Evri", "evri", "evri"),
    _regional("Royal Mail", "royal mail", "royalmail"),
    _regional("Canada Post", "canada post|postes canada", "canadapost postescanada"),
    _regional("Australia Post", "australia post|auspost", "auspost"),
    _regional("bpost", "bpost", "bpost"),
    _regional("Correos", "correos", "correos"),
    _regional("CTT", "ctt expresso|ctt correios", "ctt"),
    _regional("Poste Italiane", "poste italiane|posteitaliane", "poste posteitaliane"),
    _regional("Chronopost", "chronopost", "chronopost"),
    _regional("IRS", "irs|internal revenue service", "irs"),
    _regional("HMRC", "hmrc", "hmrc gov"),
    _regional("gov.br", "gov.br|receita federal|detran|senatran", "gov"),
    _regional("Finanzamt", "finanzamt|bundeszentralamt", "bzst elster"),
    _regional("Belastingdienst", "belastingdienst|digid", "belastingdienst digid"),
    _regional("Impots.gouv", "impots.gouv|dgfip|antai", "impots gouv antai"),
    _regional("Agencia Tributaria", "agencia tributaria", "agenciatributaria"),
    _regional("Agenzia delle Entrate", "agenzia delle entrate", "agenziaentrate"),
    _regional("Telekom", "telekom|t-mobile", "telekom t-mobile"),
    _regional("Vodafone", "vodafone", "vodafone"),
    _regional("Orange", "", "orange", "orange"),
    _regional("KPN", "kpn", "kpn"),
    _regional("Ziggo", "ziggo", "ziggo"),
    _regional("Vivo", "", "vivo", "vivo"),
    _regional("Claro", "", "claro", "claro"),
    _regional("Movistar", "movistar", "movistar"),
    _regional("SFR", "sfr", "sfr"),
    _regional("Verizon", "verizon", "verizon verizonwireless"),
    _regional("AT&T", "at&t", "att"),
    _regional("Xfinity", "xfinity|comcast", "xfinity comcast"),
    _regional("Walmart", "walmart", "walmart"),
    _regional("Costco", "costco", "costco"),
    _regional("Temu", "temu", "temu"),
    _regional("AliExpress", "aliexpress", "aliexpress alibaba"),
    _regional("Shein", "shein", "shein"),
    _regional("Otto", "", "otto", "otto"),
    _regional("Zalando", "zalando", "zalando"),
    _regional("Lidl", "lidl", "lidl"),
    _regional("Aldi", "aldi", "aldi aldi-nord aldi-sued"),
    _regional("Albert Heijn", "albert heijn", "ah albertheijn"),
    _regional("bol.com", "bol.com", "bol"),
    _regional("Carrefour", "carrefour", "carrefour"),
    _regional("Mercado Libre", "mercado livre|mercado libre|mercado pago|mercadopago",
              "mercadolivre mercadolibre mercadopago"),
    _regional("Magazine Luiza", "magazine luiza|magalu", "magazineluiza magalu"),
    _regional("AOK", "aok", "aok"),
    _regional("Techniker Krankenkasse", "techniker krankenkasse", "tk"),
    _regional("ADAC", "adac", "adac"),
    _regional("Allianz", "allianz", "allianz"),
    _regional("AXA", "axa", "axa"),
    _regional("UnitedHealthcare", "unitedhealthcare|united healthcare", "uhc unitedhealthcare"),
    _regional("AARP", "aarp", "aarp"),
    _regional("Medicare", "medicare", "medicare"),
    _regional("Amil", "amil", "amil"),
    _regional("Livelo", "livelo", "livelo"),
    _regional("Deutsche Bahn", "deutsche bahn", "bahn"),
    _regional("Vinci Autoroutes", "vinci autoroutes", "vinci-autoroutes"),
    _regional("E-ZPass", "e-zpass|ezpass", "e-zpassny ezpass"),
    _regional("Commerzbank", "commerzbank", "commerzbank"),
    _regional("Deutsche Bank", "deutsche bank", "db deutsche-bank"),
    _regional("Postbank", "postbank", "postbank"),
    _regional("Volksbank", "volksbank", "volksbank vr"),
    _regional("N26", "n26", "n26"),
    _regional("BNP Paribas", "bnp paribas", "bnpparibas"),
    _regional("Crédit Agricole", "credit agricole", "credit-agricole"),
    _regional("Société Générale", "societe generale", "societegenerale"),
    _regional("La Banque Postale", "banque postale", "labanquepostale"),
    _regional("Intesa Sanpaolo", "intesa sanpaolo", "intesasanpaolo"),
    _regional("UniCredit", "unicredit", "unicredit"),
    _regional("BBVA", "bbva", "bbva"),
    _regional("CaixaBank", "caixabank", "caixabank"),
    _regional("Revolut", "revolut", "revolut"),
    _regional("Barclays", "barclays", "barclays"),
    _regional("Lloyds", "lloyds bank", "lloydsbank"),
    _regional("American Express", "american express|amex", "americanexpress amex"),
    _regional("Visa", "", "visa", "visa"),
    _regional("Mastercard", "mastercard", "mastercard"),
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
                + "|".join(re.escape(_words_of(w)) for w in brand.words)
                + r")(?![a-z0-9])"
            ),
        )
        for brand in BRANDS
        if brand.words
    )


_NON_WORD = re.compile(r"[^a-z0-9&]+")
# Zero-width characters, soft hyphens and variation/tag selectors render as nothing: a name
# padded with them ("M\u200bicrosoft") still reads as the brand.
_INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200f\u2060-\u2064\ufe00-\ufe0f\ufeff\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
_ROLE_WORDS = frozenset(
    re.split(
        r"\s+",
        "the official support team service services security wallet customer care billing "
        "help notification notifications info news alert alerts app account accounts",
    )
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
    for word in brand.words if brand.typos else ():
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
    folded = _words_of(text)
    return [brand for brand, pattern in _patterns() if pattern.search(folded)]


def _words_of(text: str) -> str:
    """Skeleton without invisible characters, hyphens and underscores read as spaces."""
    visible = _INVISIBLE.sub("", text)
    return skeleton(visible).replace("-", " ").replace("_", " ")


def brands_named_as(display_name: str) -> list[Brand]:
    """Brands whose ``exact`` name *is* the display name, give or take role words."""
    words = [w for w in _NON_WORD.split(_words_of(display_name)) if w and w not in _ROLE_WORDS]
    whole = " ".join(words)
    return [brand for brand in BRANDS if whole and whole in brand.exact]


def is_brand_domain(brand: Brand, label: str, suffix: str = "") -> bool:
    """Whether a registered domain (label and public suffix) belongs to the brand.

    The suffix counts too: ``fazenda.gov.br`` belongs to a brand owning the label ``gov``.
    """
    return label in brand.labels or any(part in brand.labels for part in suffix.split("."))


def is_freemail(label: str) -> bool:
    """Whether a registered-domain label is a free mail provider."""
    return label in FREEMAIL_LABELS
