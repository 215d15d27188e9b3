"""URL blocking at the time of click: the block list, its exports, and the ``/l`` route."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import autoir.api.clicks
from autoir.bootstrap import Container
from autoir.domain.errors import ConnectorRejected, ValidationFailed
from autoir.domain.telemetry.clicks import UrlClickAction
from autoir.ports.url_blocks import BlockScope
from autoir.services.url_clicks import LINK_KEY_SETTING, ClickPolicy, ClickTimeService
from tests.conftest import ApiClient, make_client
from tests.support.clock import FakeClock

LISTS = "/api/v1/url-blocks"
EVIL = "https://evil.example/login/start"
FR = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}


def _wrap(container: Container, url: str, recipient: str | None = "Alice@Contoso.com") -> str:
    return container.clicks.wrap_url(url, recipient, "nm-1")


def _clicks(container: Container, url: str) -> list[UrlClickAction]:
    return [c.action for c in container.telemetry.clicks(url=url)]


def _params(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


# --- the block list ---------------------------------------------------------------------------


def test_block_is_idempotent_per_action_and_unblock_lifts_every_action(
    container: Container,
) -> None:
    blocks = container.url_blocks
    blocks.block("act-1", EVIL, "phishing kit")
    blocks.block("act-1", EVIL, "phishing kit (retry)")
    assert [(b.action_id, b.reason) for b in blocks.active_blocks()] == [("act-1", "phishing kit")]
    blocks.block("act-2", "HTTP://EVIL.example/login/start", "same campaign")
    assert sorted(b.action_id for b in blocks.active_blocks()) == ["act-1", "act-2"]
    assert blocks.is_blocked(EVIL)

    blocks.unblock("undo-1", "http://evil.example/login/start/")
    assert blocks.active_blocks() == []
    assert not blocks.is_blocked(EVIL)
    blocks.block("act-1", EVIL, "a late retry of the first action")
    assert not blocks.is_blocked(EVIL)  # that action already ran: nothing changes

    blocks.block("act-3", EVIL, "blocked again")
    blocks.unblock("undo-1", EVIL)  # a late retry of the unblock does not lift the new block
    assert [b.action_id for b in blocks.active_blocks()] == ["act-3"]
    blocks.unblock("undo-0", "https://never.example/x")  # nothing blocked: fine, and remembered
    blocks.block("act-4", "https://never.example/x", "later")
    blocks.unblock("undo-0", "https://never.example/x")
    assert blocks.is_blocked("https://never.example/x")


def test_unblocking_a_url_leaves_domain_blocks_alone(container: Container) -> None:
    blocks = container.url_blocks
    blocks.block("act-d", "evil.example", "whole domain")
    blocks.block("act-u", "https://evil.example/a", "one path")
    blocks.unblock("undo-u", "https://evil.example/a")
    assert [(b.scope, b.prefix) for b in blocks.active_blocks()] == [
        (BlockScope.DOMAIN, "evil.example")
    ]
    blocks.unblock("undo-d", "*.evil.example")
    assert blocks.active_blocks() == []


@pytest.mark.parametrize(
    ("blocked", "clicked", "is_blocked"),
    [
        ("https://evil.example/a", "https://evil.example/a/b?x", True),
        ("https://evil.example/a", "https://evil.example/a", True),
        ("https://evil.example/a", "https://evil.example/a/", True),
        ("https://evil.example/a", "https://evil.example/ab", False),
        ("https://evil.example/a/", "https://evil.example/a?x=1", True),
        ("https://evil.example/a", "https://evil.example/", False),
        ("https://evil.example/a", "http://EVIL.Example:8080/a/b", True),
        ("https://evil.example/a", "https://user@evil.example/a#frag", True),
        ("https://evil.example/a", "https://evil.example/x/../a/b", True),
        ("https://evil.example/a", "https://evil.example/%61/b", True),
        ("https://evil.example/a", "https://evil.example/A", False),  # paths are case-sensitive
        ("https://evil.example/a", "https://sub.evil.example/a", False),
        ("https://evil.example/", "https://evil.example/anything/at/all", True),
        ("https://evil.example/p?id=7", "https://evil.example/p?id=7&utm=x", True),
        ("https://evil.example/p?id=7", "https://evil.example/p?id=70", False),
        ("https://evil.example/p?id=7", "https://evil.example/p", False),
        ("evil.example", "https://evil.example/", True),
        ("evil.example", "http://a.b.EVIL.example./x", True),
        ("evil.example", "https://notevil.example/", False),
        ("evil.example", "https://evil.example.org/", False),
        ("*.evil.example", "https://www.evil.example/x", True),
        ("https://ëvil.example/", "https://xn--vil-ima.example/x", True),
        ("http://127.0.0.1/x", "http://2130706433/x/y", True),
        ("192.0.2.7", "https://192.0.2.7:8443/", True),
    ],
)
def test_matching_rules(
    sqlite_container: Container, blocked: str, clicked: str, is_blocked: bool
) -> None:
    sqlite_container.url_blocks.block("act", blocked, "test")
    assert sqlite_container.url_blocks.is_blocked(clicked) is is_blocked


def test_match_returns_the_most_specific_block_and_refuses_non_web_targets(
    container: Container,
) -> None:
    blocks = container.url_blocks
    blocks.block("act-d", "example", "the parent of everything")
    blocks.block("act-1", "https://evil.example/a", "path")
    blocks.block("act-2", "https://evil.example/a/b", "deeper path")
    blocks.block("act-3", "https://evil.example/z", "domain", scope=BlockScope.DOMAIN)
    assert [b.action_id for b in blocks.active_blocks()][:1] == ["act-3"]
    found = blocks.match("https://evil.example/a/b/c")
    assert found is not None
    assert (found.action_id, found.prefix) == ("act-2", "evil.example/a/b")
    other = blocks.match("https://other.evil.example/")
    assert other is not None
    assert (other.action_id, other.scope) == ("act-3", BlockScope.DOMAIN)
    assert blocks.match("mailto:someone@evil.example") is None
    for bad in ("javascript:alert(1)", "ftp://evil.example/x", "", "evil example", "a:b:c"):
        with pytest.raises(ConnectorRejected):
            blocks.block("act-bad", bad, "no")


def test_long_urls_are_blocked_by_digest(container: Container) -> None:
    long_url = "https://evil.example/" + "/".join(f"segment{i}" for i in range(200))
    container.url_blocks.block("act-long", long_url, "very deep")
    assert container.url_blocks.is_blocked(long_url + "/more?x=1")
    assert not container.url_blocks.is_blocked(long_url[:-1])
    (block,) = container.url_blocks.active_blocks()
    assert block.prefix == long_url.removeprefix("https://")


# --- exports ----------------------------------------------------------------------------------


def _seed_exports(container: Container) -> None:
    blocks = container.url_blocks
    blocks.block("a1", "evil.example", "domain")
    blocks.block("a2", "https://login.evil.example/owa", "covered by the domain")
    blocks.block("a3", "sub.evil.example", "covered by the domain")
    blocks.block("a4", "https://phish.example/", "whole host, not its subdomains")
    blocks.block("a5", "https://docs.example.com/d/1Xy/edit?usp=sharing", "one shared document")
    blocks.block("a6", "bad-host_1.example.net", "domain")
    blocks.block("a7", "198.51.100.9", "an IP address")


def test_domains_and_urls_lists(api: ApiClient, container: Container) -> None:
    empty = api.get(f"{LISTS}/domains.txt")
    assert empty.status_code == 200
    assert empty.text == ""
    assert "last-modified" not in empty.headers
    _seed_exports(container)

    domains = api.get(f"{LISTS}/domains.txt")
    assert domains.headers["content-type"] == "text/plain; charset=utf-8"
    assert domains.headers["last-modified"] == "Fri, 20 Nov 2026 12:00:00 GMT"
    assert domains.text.splitlines() == ["198.51.100.9", "bad-host_1.example.net", "evil.example"]
    squid = api.get(f"{LISTS}/domains.txt", params={"style": "squid"}).text.splitlines()
    assert squid == ["198.51.100.9", ".bad-host_1.example.net", ".evil.example"]

    urls = api.get(f"{LISTS}/urls.txt").text.splitlines()
    assert urls == [
        "docs.example.com/d/1Xy/edit?usp=sharing",
        "login.evil.example/owa",
        "phish.example/",
    ]
    regexes = api.get(f"{LISTS}/urls.txt", params={"style": "regex"}).text.splitlines()
    patterns = [re.compile(p) for p in regexes]
    assert patterns[1].search("https://login.evil.example:443/owa/auth.aspx")
    assert not patterns[1].search("https://login.evil.example/owasp")
    assert patterns[0].search("http://docs.example.com/d/1Xy/edit?usp=sharing&x=1")
    assert not patterns[0].search("http://docs.example.com/d/1Xy/edit?usp=sharing2")
    assert patterns[2].search("https://phish.example/anything")
    assert api.get(f"{LISTS}/urls.txt", params={"style": "csv"}).status_code == 400

    listed = api.get(LISTS).json()["value"]
    assert len(listed) == 7
    first = next(b for b in listed if b["actionId"] == "a5")
    assert first == {
        "id": first["id"],
        "url": "https://docs.example.com/d/1Xy/edit?usp=sharing",
        "host": "docs.example.com",
        "scope": "url",
        "prefix": "docs.example.com/d/1Xy/edit?usp=sharing",
        "actionId": "a5",
        "reason": "one shared document",
        "createdDateTime": "2026-11-20T12:00:00.000000Z",
        "createdBy": None,
    }


def _zone_records(text: str) -> list[tuple[str, str, str]]:
    """(name, type, data) of each record line of the zone (after the directives)."""
    records = []
    for line in text.splitlines():
        if not line or line.startswith((";", "$")):
            continue
        name, *fields = line.split()
        if fields[0] == "IN":
            fields = fields[1:]
        records.append((name, fields[0], " ".join(fields[1:])))
    return records


def _check_zone(tmp_path: Path, text: str) -> None:
    """``named-checkzone`` when bind9-utils is installed; the test's own reading otherwise."""
    checker = shutil.which("named-checkzone")
    if checker is None:
        assert text.startswith("; ")
        assert "$TTL 300" in text.splitlines()
        return
    path = tmp_path / "rpz.zone"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [checker, "rpz.autoir.test", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def test_rpz_zone(api: ApiClient, container: Container, clock: FakeClock, tmp_path: Path) -> None:
    empty = api.get(f"{LISTS}/rpz.zone")
    _check_zone(tmp_path, empty.text)
    soa = [r for r in _zone_records(empty.text) if r[1] == "SOA"]
    assert soa == [("@", "SOA", "localhost. hostmaster.localhost. ( 1 3600 600 604800 300 )")]

    _seed_exports(container)
    zone = api.get(f"{LISTS}/rpz.zone").text
    _check_zone(tmp_path, zone)
    records = _zone_records(zone)
    serial = int(next(r for r in records if r[1] == "SOA")[2].split()[3])
    assert serial == int(clock.now().timestamp())
    assert ("@", "NS", "localhost.") in records
    assert [r for r in records if r[1] == "CNAME"] == [
        ("bad-host_1.example.net", "CNAME", "."),
        ("*.bad-host_1.example.net", "CNAME", "."),
        ("evil.example", "CNAME", "."),
        ("*.evil.example", "CNAME", "."),
        ("phish.example", "CNAME", "."),
    ]

    clock.advance(minutes=5)
    container.url_blocks.unblock("u1", "evil.example")
    later = _zone_records(api.get(f"{LISTS}/rpz.zone").text)
    assert int(next(r for r in later if r[1] == "SOA")[2].split()[3]) == serial + 300
    assert ("login.evil.example", "CNAME", ".") not in later  # a URL under a path, not a host
    assert ("evil.example", "CNAME", ".") not in later


def test_lists_need_the_read_permission(api: ApiClient, container: Container) -> None:
    container.access.create_role("Auditor only", ["audit_read"])
    auditor = container.access.issue_token("auditor", "Auditor only", None).secret
    for path in ("", "/domains.txt", "/urls.txt", "/rpz.zone"):
        assert api.get(LISTS + path, headers={"Authorization": ""}).status_code == 401
        forbidden = api.get(LISTS + path, headers={"Authorization": f"Bearer {auditor}"})
        assert forbidden.status_code == 403
        assert api.get(LISTS + path, headers=api.as_role("Security reader")).status_code == 200


# --- the click route --------------------------------------------------------------------------


def test_wrapped_link_format_and_key(container: Container) -> None:
    link = _wrap(container, "https://partner.example/report?q=1&x=2")
    assert link.startswith("/l?u=https%3A%2F%2Fpartner.example%2Freport%3Fq%3D1%26x%3D2&")
    params = _params(link)
    assert params["r"] == "Alice@Contoso.com"
    assert params["m"] == "nm-1"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", params["s"])
    assert set(_params(container.clicks.wrap_url("https://partner.example/"))) == {"u", "s"}
    with container.ctx.read_uow() as uow:
        key = uow.system.get(LINK_KEY_SETTING)
    assert key is not None
    assert len(key) >= 43
    again = ClickTimeService(container.ctx, container.url_blocks)  # another process: same key
    assert (
        again.wrap_url("https://partner.example/report?q=1&x=2", "Alice@Contoso.com", "nm-1")
        == link
    )
    for bad in ("javascript:alert(1)", "/relative", "https://", "https://a.example/ x"):
        with pytest.raises(ValidationFailed) as raised:
            container.clicks.wrap_url(bad)
        assert raised.value.errors[0].target == "url"


def test_signed_click_redirects_and_is_recorded(api: ApiClient, container: Container) -> None:
    url = "https://partner.example/report?q=1"
    response = api.get(_wrap(container, url), follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == url
    assert response.headers["referrer-policy"] == "no-referrer"
    (click,) = container.telemetry.clicks(url=url)
    assert click.action is UrlClickAction.ALLOWED
    assert click.user == "alice@contoso.com"
    assert click.network_message_id == "nm-1"
    assert click.app_name == "AutoIR"
    assert click.clicked_at == container.ctx.clock.now()
    anonymous = container.clicks.wrap_url("https://partner.example/other")
    assert api.get(anonymous, follow_redirects=False).status_code == 302
    (other,) = container.telemetry.clicks(url="https://partner.example/other")
    assert (other.user, other.network_message_id) == ("", None)


def test_blocked_click_shows_the_block_page_in_english_and_french(
    api: ApiClient, container: Container
) -> None:
    container.url_blocks.block("act-1", "evil.example", "credential phishing")
    link = _wrap(container, EVIL)

    english = api.get(link, follow_redirects=False, headers={"Accept-Language": "en-GB"})
    assert english.status_code == 200
    assert "location" not in english.headers
    assert english.headers["content-type"].startswith("text/html")
    assert "This website has been blocked" in english.text
    assert "security team" in english.text
    assert EVIL in english.text
    assert "credential phishing" not in english.text  # the reason stays with the analysts
    assert "Continue anyway" not in english.text
    assert "<form" not in english.text
    assert not re.search(r"<(script|link|img)\b", english.text)
    csp = english.headers["content-security-policy"]
    assert csp.startswith("default-src 'none'; style-src 'sha256-")
    assert english.headers["cache-control"] == "no-store"

    french = api.get(link, follow_redirects=False, headers=FR)
    assert french.status_code == 200
    assert '<html lang="fr">' in french.text
    assert "Ce site web a été bloqué" in french.text
    assert "équipe de sécurité" in french.text
    assert _clicks(container, EVIL) == [UrlClickAction.BLOCK_PAGE, UrlClickAction.BLOCK_PAGE]

    refused = api.post("/l", data=_params(link), follow_redirects=False)
    assert refused.status_code == 403
    assert "This website has been blocked" in refused.text
    assert _clicks(container, EVIL) == [UrlClickAction.BLOCK_PAGE] * 2


def test_override_when_the_policy_lets_users_click_through(container: Container) -> None:
    lenient = replace(
        container,
        clicks=ClickTimeService(
            container.ctx, container.url_blocks, ClickPolicy(allow_override=True)
        ),
    )
    container.url_blocks.block("act-1", "https://evil.example/login", "suspicious")
    link = _wrap(container, EVIL)
    with make_client(lenient) as client:
        page = client.get(link, follow_redirects=False, headers=FR)
        assert page.status_code == 200
        assert "Continuer malgré tout" in page.text
        assert '<form method="post" action="/l">' in page.text
        fields = dict(re.findall(r'name="(\w)" value="([^"]*)"', page.text))
        assert fields == _params(link)

        through = client.post("/l", data=fields, follow_redirects=False)
        assert through.status_code == 303
        assert through.headers["location"] == EVIL
        tampered = client.post("/l", data={**fields, "u": EVIL + "x"}, follow_redirects=False)
        assert tampered.status_code == 400
        container.url_blocks.unblock("undo-1", "https://evil.example/login")
        lifted = client.post("/l", data=fields, follow_redirects=False)
        assert lifted.status_code == 303
    assert sorted(_clicks(container, EVIL)) == sorted(
        [UrlClickAction.BLOCK_PAGE, UrlClickAction.BLOCK_PAGE_OVERRIDE, UrlClickAction.ALLOWED]
    )


def _bad_links(container: Container) -> Iterator[tuple[str, str]]:
    link = _wrap(container, "https://partner.example/a")
    params = _params(link)
    yield "/l?" + urlencode({**params, "u": "https://evil.example/a"}), "https://evil.example/a"
    yield "/l?" + urlencode({**params, "r": "bob@contoso.com"}), "https://partner.example/a"
    flipped = params["s"][:-1] + ("B" if params["s"].endswith("A") else "A")
    yield "/l?" + urlencode({**params, "s": flipped}), "https://partner.example/a"
    yield "/l?" + urlencode({"u": "https://evil.example/b"}), "https://evil.example/b"
    signed_other = container.clicks.wrap_url("https://partner.example/a")  # same URL, no r or m
    yield (
        "/l?" + urlencode({**params, "s": _params(signed_other)["s"]}),
        "https://partner.example/a",
    )


def test_unsigned_or_tampered_links_never_redirect_and_record_nothing(
    api: ApiClient, container: Container
) -> None:
    for link, destination in _bad_links(container):
        response = api.get(link, follow_redirects=False)
        assert response.status_code == 400, link
        assert "location" not in response.headers
        assert "This link could not be verified" in response.text
        assert (
            f'<p class="destination" data-testid="destination">{destination}</p>' in response.text
        )
        assert f'href="{destination}' not in response.text
        assert api.post("/l", data=_params(link), follow_redirects=False).status_code == 400
    french = api.get("/l?u=https://evil.example/b", headers=FR)
    assert "pas pu être vérifié" in french.text
    incomplete = api.get("/l")
    assert incomplete.status_code == 400
    assert "does not name a destination" in incomplete.text
    script = api.get("/l?" + urlencode({"u": "javascript:alert(1)", "s": "x"}))
    assert script.status_code == 400
    assert "<script" not in script.text
    escaped = api.get("/l?" + urlencode({"u": 'https://x.example/"><script>alert(1)</script>'}))
    assert "<script>" not in escaped.text
    for url in ("https://evil.example/a", "https://evil.example/b", "https://partner.example/a"):
        assert container.telemetry.clicks(url=url) == []


def test_click_pages_have_every_message_in_french() -> None:
    folder = Path(autoir.api.clicks.__file__).parent
    method_map = [("**/templates/**.html", "jinja2.ext:babel_extract")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    messages = {
        message
        for _f, _l, message, _c, _x in extract_from_dir(
            str(folder), method_map, options, keywords=DEFAULT_KEYWORDS
        )
    }
    assert len(messages) > 10
    with (folder / "locales/fr/LC_MESSAGES/messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    missing = [m for m in messages if not (entry := catalog.get(m)) or not entry.string]
    assert missing == []
