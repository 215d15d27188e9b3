"""Normal forms of pivot values: the same value in any spelling meets itself."""

from __future__ import annotations

import pytest

from autoir.domain.telemetry.normalize import (
    address_domain,
    content_id,
    normalize_address,
    normalize_ip,
    normalize_sha256,
    normalize_url,
    url_host,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" <Alice@Contoso.COM> ", "alice@contoso.com"),
        ("alice", None),
        ("@contoso.com", None),
        ("alice@", None),
    ],
)
def test_normalize_address(raw: str, expected: str | None) -> None:
    assert normalize_address(raw) == expected


def test_address_domain() -> None:
    assert address_domain("a@b.example") == "b.example"
    assert address_domain(None) is None
    assert address_domain("nodomain") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 2001:DB8:0:0::1 ", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("300.1.1.1", None),
        ("host.example", None),
    ],
)
def test_normalize_ip(raw: str, expected: str | None) -> None:
    assert normalize_ip(raw) == expected


def test_normalize_sha256() -> None:
    assert normalize_sha256(" " + "AB" * 32 + " ") == "ab" * 32
    assert normalize_sha256("ab" * 31) is None
    assert normalize_sha256("zz" * 32) is None


@pytest.mark.parametrize(
    ("raw", "url", "host"),
    [
        (
            "HTTPS://Login.EVIL.example/Path?Q=A#F",
            "https://login.evil.example/Path?Q=A#F",
            "login.evil.example",
        ),
        (
            "http://User:Pw@Host.Example:8080/x",
            "http://User:Pw@host.example:8080/x",
            "host.example",
        ),
        ("http://[2001:DB8::1]:443/a", "http://[2001:db8::1]:443/a", "2001:db8::1"),
        ("www.Example.com/Page", "www.example.com/Page", "www.example.com"),
        ("HTTP://example.com.", "http://example.com.", "example.com"),
        ("MAILTO:Someone@Example.com", "mailto:Someone@Example.com", None),
        (
            "https://evil.example\\@good.example/",
            "https://evil.example\\@good.example/",
            "evil.example",
        ),
    ],
)
def test_normalize_url_lowercases_scheme_and_host_only(
    raw: str, url: str, host: str | None
) -> None:
    assert normalize_url(raw) == url
    assert url_host(url) == host


def test_content_id_is_stable_and_sensitive_to_every_part() -> None:
    first = content_id("urlClicks", ("a", None, 1))
    assert first == content_id("urlClicks", ("a", None, 1))
    assert first != content_id("urlClicks", ("a", "", 2))
    assert first != content_id("signIns", ("a", None, 1))
    assert len(first) == 32
