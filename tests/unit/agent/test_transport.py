"""The transport: which URLs it talks to, and how the server's answers map to errors."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from autoir_agent import transport
from autoir_agent.transport import (
    InsecureServer,
    Refused,
    Rejected,
    TlsFailure,
    Unavailable,
    check_server_url,
    connect,
)
from tests.unit.agent.fake_server import Answer, fake_server


@pytest.mark.parametrize(
    "url",
    ["http://10.231.0.1:8000", "http://autoir.example.org", "http://[2001:db8::1]:80"],
)
def test_plain_http_to_a_host_that_is_not_loopback_is_refused(url: str) -> None:
    with pytest.raises(InsecureServer, match="refusing plain http://"):
        connect(url, None)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000", "http://localhost:8000/", "http://[::1]:8000", "http://127.9.9.9"],
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert check_server_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://host",
        "https://",
        "host:8000",
        "https://u:p@host",
        "https://h/?x=1",
        "https://h:99999",
    ],
)
def test_malformed_server_urls_are_refused(url: str) -> None:
    with pytest.raises(InsecureServer):
        check_server_url(url)


def test_a_missing_or_empty_ca_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InsecureServer, match="does not exist"):
        connect("https://10.231.0.1", str(tmp_path / "missing.pem"))
    empty = tmp_path / "empty.pem"
    empty.write_text("not a certificate\n")
    with pytest.raises(InsecureServer, match="no usable certificate"):
        connect("https://10.231.0.1", str(empty))


def test_a_json_answer_is_returned_and_the_credential_sent_as_bearer() -> None:
    with fake_server(Answer(200, {"heartbeatSeconds": 60})) as server:
        answer = connect(server.url, None).post("/agent/v1/heartbeat", {"a": 1}, credential="s3")
    assert answer == {"heartbeatSeconds": 60}
    assert server.seen[0].path == "/agent/v1/heartbeat"
    assert server.seen[0].headers["Authorization"] == "Bearer s3"
    assert server.seen[0].body == {"a": 1}


def test_401_is_a_refusal_with_the_servers_code() -> None:
    body = {"error": {"code": "invalidCredential", "message": "Unknown credential."}}
    with fake_server(Answer(401, body)) as server, pytest.raises(Refused) as caught:
        connect(server.url, None).post("/agent/v1/heartbeat", {})
    assert caught.value.code == "invalidCredential"


def test_other_4xx_is_a_rejection_and_5xx_is_unavailable() -> None:
    bad = {"error": {"code": "invalidField", "message": "hostname is required"}}
    with fake_server(Answer(400, bad), Answer(503, {})) as server:
        client = connect(server.url, None)
        with pytest.raises(Rejected, match="hostname is required"):
            client.post("/agent/v1/enroll", {})
        with pytest.raises(Unavailable, match="HTTP 503"):
            client.post("/agent/v1/enroll", {})


def test_redirects_are_not_followed() -> None:
    with fake_server(Answer(307, {}, headers={"Location": "http://127.0.0.1:1/x"})) as server:
        with pytest.raises(Unavailable, match="redirects are not followed"):
            connect(server.url, None).post("/agent/v1/enroll", {}, credential="secret")
        assert len(server.seen) == 1


def test_an_oversized_or_non_json_answer_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "MAX_BODY", 64)
    with fake_server(Answer(200, raw=b"{" + b" " * 100 + b"}"), Answer(200, raw=b"<html>")) as s:
        client = connect(s.url, None)
        with pytest.raises(Unavailable, match="larger than 64 bytes"):
            client.post("/x", {})
        with pytest.raises(Unavailable, match="not JSON"):
            client.post("/x", {})


def test_a_closed_port_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(Unavailable, match="cannot reach"):
        connect(f"http://127.0.0.1:{port}", None, timeout=2).post("/x", {})


def test_https_to_a_plain_http_server_is_a_tls_failure() -> None:
    with fake_server() as server:
        url = server.url.replace("http://", "https://")
        with pytest.raises(TlsFailure, match="TLS"):
            connect(url, None, timeout=5).post("/x", {})
