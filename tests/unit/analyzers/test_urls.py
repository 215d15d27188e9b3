"""analyzer.url on single URLs and on a message's links."""

from __future__ import annotations

from autoir.analyzers.urls import UrlAnalyzer, UrlSettings
from autoir.analyzers.urls.checks import Protected, UrlLists, check_url
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.observables import EmailSubject, Observable, ObservableKind
from tests.unit.analyzers.builders import context, email, url

ANALYZER = UrlAnalyzer()


def judge(address: str, **ctx: object):
    return ANALYZER.analyze(Observable(ObservableKind.URL, address), context(**ctx))


def codes(report) -> set[str]:
    return {r.code for r in report.reasons}


def test_punycode_lookalike_of_the_organisation_domain_is_malicious() -> None:
    # "contoso" with a Greek omicron, as a browser sends it (punycode).
    host = "c\u03bfntoso.com".encode("idna").decode()
    assert host.startswith("xn--")
    report = judge(f"https://{host}/login")
    assert report.verdict is EvidenceVerdict.MALICIOUS
    assert "url.lookalike_domain" in codes(report)


def test_typo_lookalike_of_a_protected_domain_and_a_brand() -> None:
    protected = judge("https://contosso.com/", protected_domains=frozenset())
    assert "url.lookalike_domain" in codes(protected)
    brand = judge("https://paypa1.com/signin")
    assert "url.lookalike_domain" in codes(brand)
    assert brand.verdict is EvidenceVerdict.MALICIOUS


def test_ordinary_words_near_short_brand_names_are_not_lookalikes() -> None:
    for address in ("https://mail.com/", "https://lindows.com/", "https://apply.example.org/"):
        assert "url.lookalike_domain" not in codes(judge(address)), address


def test_ip_literal_hosts_including_integer_form() -> None:
    assert "url.ip_literal_host" in codes(judge("http://192.0.2.10/x"))
    assert "url.ip_literal_host" in codes(judge("http://3232235777/x"))


def test_brand_in_subdomain_of_another_site_and_userinfo_trick() -> None:
    found = codes(judge("https://paypal.com.account-check.example.xyz/verify/login"))
    assert {"url.brand_in_subdomain", "url.risky_tld", "url.credential_path"} <= found
    trick = judge("https://www.microsoft.com@evil.example/")
    assert "url.userinfo_trick" in codes(trick)


def test_data_and_javascript_uris() -> None:
    assert "url.data_uri" in codes(judge("data:text/html;base64,PGh0bWw+"))
    assert codes(judge("data:image/png;base64,iVBOR")) == set()
    assert "url.javascript_uri" in codes(judge("javascript:alert(1)"))


def test_a_shortener_alone_is_not_a_threat() -> None:
    report = judge("https://bit.ly/3xYz")
    assert "url.shortener" in codes(report)
    assert report.verdict is EvidenceVerdict.NO_THREATS_FOUND


def test_an_ordinary_link_has_no_findings() -> None:
    report = judge("https://www.fabrikam.com/products/widgets?id=7")
    assert report.reasons == ()
    assert report.verdict is EvidenceVerdict.NO_THREATS_FOUND
    assert Observable(ObservableKind.DOMAIN, "www.fabrikam.com") in report.observables


def test_link_text_naming_another_site_is_a_mismatch_unless_it_is_the_senders_tracker() -> None:
    message = email(
        urls=(url("https://login.evil.example/session", "https://www.paypal.com/signin"),)
    )
    report = ANALYZER.analyze(EmailSubject(message), context())
    mismatch = [r for r in report.reasons if r.code == "url.display_mismatch"]
    assert mismatch
    assert mismatch[0].weight >= 0.75
    tracked = email(
        sender_from_address="news@mailer.fabrikam.com",
        urls=(url("https://click.fabrikam.com/t/1", "www.fabrikam-shop.com"),),
    )
    assert "url.display_mismatch" not in codes(ANALYZER.analyze(EmailSubject(tracked), context()))


def test_message_without_links_is_unknown_to_the_url_analyzer() -> None:
    report = ANALYZER.analyze(EmailSubject(email()), context())
    assert report.verdict is EvidenceVerdict.UNKNOWN


def test_settings_add_protected_domains() -> None:
    analyzer = UrlAnalyzer(UrlSettings(protected_domains=frozenset({"northwind.com"})))
    report = analyzer.analyze(Observable(ObservableKind.URL, "https://northwlnd.com/"), context())
    assert "url.lookalike_domain" in codes(report)


def test_links_that_open_a_chat_on_a_messaging_app() -> None:
    lists = UrlLists(frozenset(), frozenset(), frozenset())
    protected = Protected(frozenset(), ())
    for link in (
        "https://t.me/+AbCdEf",
        "https://wa.me/15551234567",
        "https://chat.whatsapp.com/x",
    ):
        reasons, _ = check_url(link, None, protected, lists)
        assert "url.messaging_app_link" in {r.code for r in reasons}, link
    reasons, _ = check_url("https://telegram.org/blog", None, protected, lists)
    assert "url.messaging_app_link" not in {r.code for r in reasons}
