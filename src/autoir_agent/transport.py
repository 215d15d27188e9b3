"""JSON over HTTPS to the AutoIR server (``urllib.request`` + ``ssl``, nothing else).

The server's certificate is verified against the agent's CA file, or the system store when
there is none. Plain ``http://`` is refused unless the server is on a loopback address. Redirects
are not followed (a credential must never travel to another address), and an answer larger than
:data:`MAX_BODY` is not read.

Errors, from the caller's point of view:

* :class:`InsecureServer` — the URL is not one the agent will talk to (bad input);
* :class:`Refused` — HTTP 401: the server refused the token or credential (``code`` says which);
* :class:`Rejected` — another 4xx: the server understood and said no (a bad body, say);
* :class:`Unavailable` — no answer worth acting on: connection refused, timeout, 5xx, a body
  that is not JSON; :class:`TlsFailure` (a subclass) when the certificate did not verify.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any

from autoir_agent import __version__

MAX_BODY = 1024 * 1024
DEFAULT_TIMEOUT = 15.0
HTTP_UNAUTHORIZED = 401
HTTP_BAD_REQUEST = 400
HTTP_SERVER_ERROR = 500


class TransportError(Exception):
    """Base of the transport's errors."""


class InsecureServer(TransportError):
    """The server URL is malformed, or plain HTTP to a host that is not loopback."""


class Refused(TransportError):
    """HTTP 401: the enrolment token or the device credential was refused."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})" if message else code)
        self.code = code


class Rejected(TransportError):
    """Another 4xx answer: the request itself was wrong."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code


class Unavailable(TransportError):
    """The server could not be reached or did not answer properly (retry later)."""


class TlsFailure(Unavailable):
    """The TLS handshake failed: the server's certificate did not verify against the CA."""


def _is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(url: str) -> str:
    """The URL without a trailing slash, or :class:`InsecureServer` saying what is wrong."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in {"https", "http"} or not parsed.hostname:
        raise InsecureServer(f"the server URL {url!r} is not an https:// URL with a host")
    if parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise InsecureServer(f"the server URL {url!r} must have no query, fragment or login")
    if parsed.scheme == "http" and not _is_loopback(parsed.hostname):
        raise InsecureServer(
            f"refusing plain http:// to {parsed.hostname}: use https:// "
            "(plain HTTP is allowed only to a loopback address)"
        )
    try:
        _ = parsed.port
    except ValueError:
        raise InsecureServer(f"the server URL {url!r} has an invalid port") from None
    return url.rstrip("/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,  # noqa: ARG002
        fp: IO[bytes],  # noqa: ARG002
        code: int,  # noqa: ARG002
        msg: str,  # noqa: ARG002
        headers: Message,  # noqa: ARG002
        newurl: str,  # noqa: ARG002
    ) -> urllib.request.Request | None:
        return None


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Verify the server against ``ca_file`` (PEM), or the system store when ``None``."""
    try:
        context = ssl.create_default_context(cafile=ca_file)
    except FileNotFoundError:
        raise InsecureServer(f"the CA file {ca_file} does not exist") from None
    except ssl.SSLError as exc:
        raise InsecureServer(f"the CA file {ca_file} holds no usable certificate: {exc}") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@dataclass(frozen=True, slots=True)
class Client:
    """Posts JSON to one server; build it with :func:`connect`."""

    server: str
    opener: urllib.request.OpenerDirector
    timeout: float

    def post(
        self, path: str, body: dict[str, Any], *, credential: str | None = None
    ) -> dict[str, Any]:
        """POST ``body`` to ``server + path``; the answer's JSON object, or a TransportError."""
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"autoir-agent/{__version__}",
        }
        if credential is not None:
            headers["Authorization"] = f"Bearer {credential}"
        request = urllib.request.Request(  # noqa: S310 - the scheme was checked in connect()
            self.server + path,
            data=json.dumps(body).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return _json_object(_read_capped(response), self.server)
        except urllib.error.HTTPError as exc:
            with exc:
                raise _http_error(exc, self.server) from None
        except urllib.error.URLError as exc:
            raise _connection_error(exc.reason, self.server) from None
        except OSError as exc:  # timeouts, resets, TLS errors outside urllib's wrapping
            raise _connection_error(exc, self.server) from None
        except http.client.HTTPException as exc:
            raise Unavailable(f"{self.server} broke the HTTP exchange: {exc!r}") from None


def connect(server: str, ca_file: str | None, *, timeout: float = DEFAULT_TIMEOUT) -> Client:
    """A client for ``server`` (checked by :func:`check_server_url`)."""
    server = check_server_url(server)
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if server.startswith("https://"):
        handlers.append(urllib.request.HTTPSHandler(context=tls_context(ca_file)))
    return Client(server, urllib.request.build_opener(*handlers), timeout)


def _read_capped(response: IO[bytes]) -> bytes:
    data = response.read(MAX_BODY + 1)
    if len(data) > MAX_BODY:
        raise Unavailable(f"the server's answer is larger than {MAX_BODY} bytes")
    return data


def _json_object(data: bytes, server: str) -> dict[str, Any]:
    try:
        value = json.loads(data) if data else {}
    except ValueError:
        raise Unavailable(f"{server} answered with something that is not JSON") from None
    if not isinstance(value, dict):
        raise Unavailable(f"{server} answered with JSON that is not an object")
    return value


def _error_fields(data: bytes) -> tuple[str, str]:
    try:
        error = json.loads(data).get("error", {})
        return str(error.get("code", "")), str(error.get("message", ""))
    except (ValueError, AttributeError):
        return "", ""


def _http_error(exc: urllib.error.HTTPError, server: str) -> TransportError:
    try:
        data = exc.read(MAX_BODY)
    except OSError:
        data = b""
    code, message = _error_fields(data)
    if exc.code == HTTP_UNAUTHORIZED:
        return Refused(code or "unauthorized", message)
    if exc.code >= HTTP_SERVER_ERROR:
        return Unavailable(f"{server} answered HTTP {exc.code} {code or exc.reason}".rstrip())
    if exc.code >= HTTP_BAD_REQUEST:
        return Rejected(exc.code, code or str(exc.reason), message)
    return Unavailable(f"{server} answered HTTP {exc.code} (redirects are not followed)")


def _connection_error(reason: object, server: str) -> Unavailable:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return TlsFailure(
            f"TLS certificate verification of {server} failed: {reason.verify_message} "
            "(check --ca-file)"
        )
    if isinstance(reason, ssl.SSLError):
        return TlsFailure(f"TLS handshake with {server} failed: {reason.reason or reason}")
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return Unavailable(f"{server} did not answer in time")
    if isinstance(reason, OSError) and reason.strerror:
        return Unavailable(f"cannot reach {server}: {reason.strerror}")
    return Unavailable(f"cannot reach {server}: {reason}")
