"""Manifest and settings of ``analyzer.url``."""

from __future__ import annotations

from pydantic import Field

from autoir.domain.verdicts.observables import ObservableKind
from autoir.plugins.manifest import Capability, Manifest, PluginKind, PluginSettings


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Top-level domains with the highest share of abuse in public measurements (Spamhaus "most
# abused TLDs", Interisle phishing landscape 2023-2024): cheap or free registration.
DEFAULT_RISKY_TLDS = _words(
    "zip mov xyz top tk ml ga cf gq icu cyou buzz rest click link country work support fit kim "
    "loan men party review stream date racing win bid trade webcam science accountant cricket "
    "faith download monster sbs cfd bond lat quest beauty hair skin makeup autos boats homes "
    "mom lol uno shop online site store live club vip pw cc"
)
DEFAULT_SHORTENERS = _words(
    "bit.ly bitly.com tinyurl.com goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at "
    "rb.gy t.ly tiny.cc s.id bit.do v.gd qrco.de urlz.fr shorte.st adf.ly t.co lnkd.in "
    "tiny.one rotf.lol u.to clck.ru"
)
# Hosting where anyone can publish a page in minutes; phishing kits favour them because the
# parent domain has a good reputation.
DEFAULT_OPEN_HOSTING = _words(
    "web.app firebaseapp.com pages.dev workers.dev r2.dev netlify.app vercel.app herokuapp.com "
    "glitch.me github.io gitlab.io 000webhostapp.com weebly.com wixsite.com godaddysites.com "
    "blogspot.com storage.googleapis.com firebasestorage.googleapis.com blob.core.windows.net "
    "web.core.windows.net azurewebsites.net ipfs.io dweb.link cloudflare-ipfs.com surge.sh "
    "repl.co replit.app ngrok.io ngrok-free.app trycloudflare.com square.site webflow.io "
    "framer.website mailchimpsites.com jimdosite.com yolasite.com strikingly.com carrd.co "
    "notion.site forms.gle jotform.com typeform.com s3.amazonaws.com digitaloceanspaces.com "
    "linodeobjects.com backblazeb2.com wasabisys.com onrender.com fly.dev on-fleek.app "
    "infura-ipfs.io sharepoint-online.com translate.goog"
)


class UrlSettings(PluginSettings):
    """Settings of the URL analyzer."""

    protected_domains: frozenset[str] = Field(
        default=frozenset(),
        description="Domains to protect from look-alikes, besides the organisation's own.",
    )
    risky_tlds: frozenset[str] = Field(default=DEFAULT_RISKY_TLDS)
    shorteners: frozenset[str] = Field(default=DEFAULT_SHORTENERS)
    open_hosting: frozenset[str] = Field(default=DEFAULT_OPEN_HOSTING)
    check_brands: bool = Field(
        default=True, description="Also look for imitations of well-known brands."
    )
    max_urls_per_message: int = Field(default=100, ge=1, le=1000)


MANIFEST = Manifest(
    id="analyzer.url",
    name="URL",
    version="1.0",
    kind=PluginKind.ANALYZER,
    description=(
        "Judges URLs without fetching them: IP-literal hosts, punycode and homoglyph "
        "look-alikes of protected domains and well-known brands, credential-harvest paths, "
        "shorteners, open hosting, risky TLDs, data: and javascript: URIs, and in messages links "
        "whose visible text names another site."
    ),
    observable_kinds=frozenset({ObservableKind.URL, ObservableKind.EMAIL}),
    capabilities=frozenset({Capability.USES_ORGANISATION_CONTEXT, Capability.INSPECTS_CONTENT}),
    settings_model=UrlSettings,
)
