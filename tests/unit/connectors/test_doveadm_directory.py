"""The doveadm user list over HTTP, against a loopback HTTP server playing doveadm's answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from autoir.connectors.dovecot import DoveadmDirectory
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable

KEY = "s3cret"
EXPECTED_AUTH = "X-Dovecot-API czNjcmV0"  # base64("s3cret")


class _Doveadm(BaseHTTPRequestHandler):
    answer: bytes = b""
    status = 200
    seen: list[tuple[str, str, object]] = []  # noqa: RUF012 - test state

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        type(self).seen.append((self.path, self.headers.get("Authorization", ""), body))
        if self.headers.get("Authorization") != EXPECTED_AUTH:
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def doveadm() -> Iterator[tuple[str, type[_Doveadm]]]:
    handler = type("Handler", (_Doveadm,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_the_user_list_is_read_with_the_api_key(doveadm: tuple[str, type[_Doveadm]]) -> None:
    url, handler = doveadm
    handler.answer = json.dumps(
        [["doveadmResponse", {"userList": ["Alice@Contoso.com", "bob@contoso.com"]}, "t"]]
    ).encode()
    users = DoveadmDirectory(url, KEY, user_mask="*@contoso.com").mailboxes()
    assert users == ["alice@contoso.com", "bob@contoso.com"]
    ((path, _auth, body),) = handler.seen
    assert path == "/doveadm/v1"
    assert body == [["user", {"userMask": "*@contoso.com"}, "autoir-users"]]


def test_a_wrong_key_and_a_doveadm_error_are_refusals(doveadm: tuple[str, type[_Doveadm]]) -> None:
    url, handler = doveadm
    with pytest.raises(ConnectorRejected, match="refused the API key"):
        DoveadmDirectory(url, "wrong").mailboxes()
    handler.answer = b'[["error", {"type": "exitCode", "exitCode": 68}, "t"]]'
    with pytest.raises(ConnectorRejected, match="could not list users"):
        DoveadmDirectory(url, KEY).mailboxes()
    handler.answer = b"<html>not doveadm</html>"
    with pytest.raises(ConnectorRejected, match="unreadable"):
        DoveadmDirectory(url, KEY).mailboxes()


def test_an_unreachable_server_is_unavailable_and_a_bad_url_is_refused() -> None:
    with pytest.raises(ConnectorUnavailable, match="unreachable"):
        DoveadmDirectory("http://127.0.0.1:1", KEY, timeout=2).mailboxes()
    with pytest.raises(ConnectorRejected, match="not an http"):
        DoveadmDirectory("ftp://mail.contoso.com", KEY)
