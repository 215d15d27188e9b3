"""The URL block list for proxies and resolvers, and the public click route ``/l``.

``/api/v1/url-blocks`` (permission ``READ_SECURITY_DATA``; proxies and resolvers fetch the lists
with an API token of a reader role):

- ``GET /api/v1/url-blocks``: the active blocks as JSON.
- ``GET /api/v1/url-blocks/domains.txt``: the hosts of **domain-scope** blocks, one per line (each
  covers its subdomains; names a listed parent already covers are left out). For dnsmasq-style
  and hosts-style lists as is; ``?style=squid`` writes ``.name`` for Squid's ``dstdomain`` (IP
  addresses stay bare).
- ``GET /api/v1/url-blocks/urls.txt``: the prefix of every **URL-scope** block, ``host/path``
  without scheme, one per line (squidGuard/ufdbGuard ``urllist`` format: it covers the path and
  everything under it); ``?style=regex`` writes one anchored POSIX regular expression per line
  for Squid's ``url_regex``. A proxy needs both lists; URL blocks of HTTPS sites only work where
  the proxy sees the URL (TLS interception) — the click route ``/l`` enforces them regardless.
- ``GET /api/v1/url-blocks/rpz.zone``: a DNS Response Policy Zone (BIND, Unbound, Knot, PowerDNS
  Recursor): ``$TTL``, SOA (serial = the latest block or unblock, in seconds since 1970), NS, then
  ``name CNAME .`` and ``*.name CNAME .`` (NXDOMAIN) for each domain-scope block, and
  ``name CNAME .`` alone for each URL block of a whole host (path ``/``). Names are relative to the
  zone's origin (the resolver names the zone, e.g. ``rpz.autoir.``); IP addresses are left out.

``/l`` (public) is the wrapped link: a signed click redirects (302) or shows the block page, a
link with a missing or wrong signature shows the destination without redirecting.
"""

from __future__ import annotations

import re
from email.utils import format_datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from autoir.api.clicks import ClickPages, negotiate_locale
from autoir.api.deps import ContainerDep, Public, ReadData, container_of
from autoir.domain.timestamps import format_timestamp
from autoir.ports.url_blocks import UrlBlock, UrlBlockExport
from autoir.services.url_clicks import ClickDecision, ClickLink, ClickOutcome

router = APIRouter(tags=["url blocks"])
click_router = APIRouter(tags=["clicks"])

RPZ_TTL = 300
_SOA_TIMERS = "3600 600 604800 300"  # refresh, retry, expire, negative TTL (RFC 1912 §2.2)
_IP = re.compile(r"^[0-9.]+$|:")
_ERE_SPECIAL = re.compile(r"([.\[\]()*+?{}|^$\\])")
_PAGES = ClickPages()
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    # The wrapped link names the recipient: never hand it to the destination as a referrer.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}


def _block_json(block: UrlBlock) -> dict[str, Any]:
    return {
        "id": str(block.id),
        "url": block.url,
        "host": block.host,
        "scope": block.scope.value,
        "prefix": block.prefix,
        "actionId": block.action_id,
        "reason": block.reason,
        "createdDateTime": format_timestamp(block.created_at),
        "createdBy": block.created_by,
    }


def _text(lines: list[str], export: UrlBlockExport) -> PlainTextResponse:
    headers = {"Cache-Control": "no-cache"}
    if export.changed_at is not None:
        headers["Last-Modified"] = format_datetime(export.changed_at, usegmt=True)
    body = "".join(f"{line}\n" for line in lines)
    return PlainTextResponse(body, media_type="text/plain; charset=utf-8", headers=headers)


def _url_regex(prefix: str) -> str:
    """``^https?://…`` for Squid ``url_regex``: any scheme, credentials and port; segment end."""
    host, slash, rest = prefix.partition("/")
    path, question, query = rest.partition("?")
    pattern = (
        "^[a-z][a-z0-9+.-]*://([^/@]*@)?"
        + _ERE_SPECIAL.sub(r"\\\1", host)
        + "(:[0-9]+)?"
        + _ERE_SPECIAL.sub(r"\\\1", slash + path)
    )
    if question:
        return pattern + r"\?" + _ERE_SPECIAL.sub(r"\\\1", query) + "(&|#|$)"
    return pattern if not path else pattern + "([/?#]|$)"


def rpz_lines(export: UrlBlockExport) -> list[str]:
    """The Response Policy Zone of an export, line by line (see the module docstring)."""
    serial = int(export.changed_at.timestamp()) % 2**32 if export.changed_at else 1
    lines = [
        "; AutoIR URL block list as a DNS Response Policy Zone.",
        "; Names are relative to the zone's origin; CNAME . answers NXDOMAIN.",
        f"$TTL {RPZ_TTL}",
        f"@ IN SOA localhost. hostmaster.localhost. ( {serial or 1} {_SOA_TIMERS} )",
        "@ IN NS localhost.",
    ]
    for name in export.domains:
        if not _IP.search(name):
            lines.extend((f"{name} CNAME .", f"*.{name} CNAME ."))
    lines.extend(f"{name} CNAME ." for name in export.hosts if not _IP.search(name))
    return lines


@router.get("", summary="Active URL blocks")
def list_blocks(container: ContainerDep, _p: ReadData) -> dict[str, Any]:
    """Every block in force, newest first."""
    return {"value": [_block_json(b) for b in container.clicks.active_blocks()]}


@router.get(
    "/domains.txt",
    summary="Blocked domains, one per line (dnsmasq/hosts style, or Squid dstdomain)",
    response_class=PlainTextResponse,
)
def domains_txt(
    container: ContainerDep,
    _p: ReadData,
    style: Annotated[Literal["plain", "squid"], Query()] = "plain",
) -> PlainTextResponse:
    """Domain-scope blocks; each covers its subdomains (``style=squid``: ``.name``)."""
    export = container.clicks.export()
    dot = "." if style == "squid" else ""  # Squid: ".name" is the name and its subdomains
    return _text([name if _IP.search(name) else dot + name for name in export.domains], export)


@router.get(
    "/urls.txt",
    summary="Blocked URL prefixes, one per line (squidGuard urllist, or Squid url_regex)",
    response_class=PlainTextResponse,
)
def urls_txt(
    container: ContainerDep,
    _p: ReadData,
    style: Annotated[Literal["plain", "regex"], Query()] = "plain",
) -> PlainTextResponse:
    """URL-scope blocks as ``host/path`` prefixes (``style=regex``: anchored regexes)."""
    export = container.clicks.export()
    lines = list(export.url_prefixes)
    return _text([_url_regex(p) for p in lines] if style == "regex" else lines, export)


@router.get(
    "/rpz.zone",
    summary="The block list as a DNS Response Policy Zone",
    response_class=PlainTextResponse,
)
def rpz(container: ContainerDep, _p: ReadData) -> PlainTextResponse:
    """A master file for a resolver's response-policy zone."""
    export = container.clicks.export()
    return _text(rpz_lines(export), export)


# --- /l ---------------------------------------------------------------------------------------


def _page(request: Request, decision: ClickDecision, status_code: int = 200) -> HTMLResponse:
    locale = negotiate_locale(request.headers.get("accept-language"))
    path = container_of(request).clicks.policy.path
    if decision.outcome is ClickOutcome.INVALID:
        url = decision.link.url
        html = _PAGES.render("unverified.html", locale, url=url)
        status_code = 400
    else:
        html = _PAGES.render(
            "blocked.html",
            locale,
            url=decision.link.url,
            can_override=decision.can_override,
            action=path,
            params=decision.link.params(),
        )
    headers = {**_PAGE_HEADERS, "Content-Security-Policy": _PAGES.csp, "Vary": "Accept-Language"}
    return HTMLResponse(html, status_code=status_code, headers=headers)


def _redirect(decision: ClickDecision, status_code: int) -> Response:
    return RedirectResponse(decision.link.url, status_code=status_code, headers=_PAGE_HEADERS)


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@click_router.get("/l", dependencies=[Public], summary="A wrapped link (click-time check)")
def click(
    request: Request,
    u: Annotated[str, Query(description="Destination URL.")] = "",
    r: Annotated[str | None, Query(description="Recipient.")] = None,
    m: Annotated[str | None, Query(description="Network message id.")] = None,
    s: Annotated[str | None, Query(description="Signature (HMAC-SHA256, base64url).")] = None,
) -> Response:
    """302 to the destination, the block page (200), or the unverified-link page (400)."""
    clicks = container_of(request).clicks
    link = ClickLink(u, r, m, s)
    decision = clicks.resolve_click(link, user_ip=_client_ip(request))
    return _redirect(decision, 302) if decision.is_redirect else _page(request, decision)


@click_router.post("/l", dependencies=[Public], summary="Continue to a blocked link anyway")
def click_through(
    request: Request,
    u: Annotated[str, Form()] = "",
    r: Annotated[str | None, Form()] = None,
    m: Annotated[str | None, Form()] = None,
    s: Annotated[str | None, Form()] = None,
) -> Response:
    """303 to the destination when the policy allows clicking through; else the block page (403)."""
    clicks = container_of(request).clicks
    link = ClickLink(u, r, m, s)
    decision = clicks.override(link, user_ip=_client_ip(request))
    if decision.is_redirect:
        return _redirect(decision, 303)
    return _page(request, decision, 403)
