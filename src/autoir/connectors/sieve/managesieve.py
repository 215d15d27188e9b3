r"""A small ManageSieve client (RFC 5804) that keeps scripts byte for byte.

sievelib ships a client too, but its ``getscript`` joins the lines with ``\\n`` (CRLF becomes
LF, the final newline is lost) and its ``putscript`` rewrites every line ending to CRLF, so a
script read and put back is not the script the user had, and undo must restore it exactly. This
one sends and returns scripts as literals, untouched, and reports failures as the port's
errors: the network, a timeout, ``BYE`` or ``NO (TRYLATER)`` are
:class:`~autoir.domain.errors.ConnectorUnavailable` (retry later); any other ``NO`` is
:class:`~autoir.domain.errors.ConnectorRejected` with the server's message.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import ssl
from dataclasses import dataclass
from typing import Self

from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable

_CRLF = b"\r\n"
_MAX_LINE = 1 << 20


@dataclass(frozen=True, slots=True)
class Reply:
    """The end of a server response: ``OK``/``NO``/``BYE``, its code and its message."""

    status: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ScriptListing:
    """LISTSCRIPTS: every script name, and the active one."""

    names: tuple[str, ...]
    active: str | None


class ManageSieveSession:
    """One authenticated ManageSieve connection (use as a context manager)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = 10.0,
        tls: bool = False,
        starttls: bool = False,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._timeout = timeout
        self._tls = tls
        self._starttls = starttls
        self._context = ssl_context
        self._sock: socket.socket | None = None
        self._buffer = b""
        self.capabilities: dict[str, str] = {}

    # --- connection ------------------------------------------------------------------------

    def open(self, login: str, password: str, authorize_as: str = "") -> None:
        """Connect, optionally secure the channel, and log in with SASL PLAIN."""
        try:
            self._sock = socket.create_connection((self._host, self._port), self._timeout)
            if self._tls:
                self._wrap()
            self._read_capabilities()
            if self._starttls:
                if "STARTTLS" not in self.capabilities:
                    self.close()
                    raise ConnectorRejected("The ManageSieve server does not offer STARTTLS.")
                self._command(b"STARTTLS")
                self._wrap()
                self._read_capabilities()  # RFC 5804: the server sends them again over TLS
        except ssl.SSLCertVerificationError as error:
            self.close()
            raise ConnectorRejected(
                f"TLS with the ManageSieve server {self._host}:{self._port} failed: its "
                f"certificate could not be verified ({error.verify_message})"
            ) from error
        except OSError as error:
            self.close()
            raise ConnectorUnavailable(f"ManageSieve {self._host}:{self._port}: {error}") from error
        token = base64.b64encode(b"\0".join(s.encode() for s in (authorize_as, login, password)))
        reply = self._command(b'AUTHENTICATE "PLAIN" ' + _quoted(token.decode()), check=False)[1]
        if reply.status != "OK":
            self.close()
            _raise(reply, f"ManageSieve login as {login!r} was refused")

    def _wrap(self) -> None:
        assert self._sock is not None
        context = self._context or ssl.create_default_context()
        self._sock = context.wrap_socket(self._sock, server_hostname=self._host)

    def _read_capabilities(self) -> None:
        lines, reply = self._response()
        if reply.status != "OK":
            _raise(reply, "ManageSieve greeting")
        self.capabilities = {}
        for items in lines:
            if items:
                name = items[0].decode(errors="replace").upper()
                self.capabilities[name] = (
                    items[1].decode(errors="replace") if len(items) > 1 else ""
                )

    def close(self) -> None:
        """Log out (best effort) and close the socket."""
        if self._sock is None:
            return
        with contextlib.suppress(OSError):
            self._sock.sendall(b"LOGOUT" + _CRLF)
        try:
            self._sock.close()
        finally:
            self._sock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- commands --------------------------------------------------------------------------

    def listscripts(self) -> ScriptListing:
        """Every script and the active one."""
        lines, _ = self._command(b"LISTSCRIPTS")
        names: list[str] = []
        active: str | None = None
        for items in lines:
            if not items:
                continue
            name = items[0].decode("utf-8")
            names.append(name)
            if len(items) > 1 and items[1].upper() == b"ACTIVE":
                active = name
        return ScriptListing(tuple(names), active)

    def getscript(self, name: str) -> str:
        """The script's text exactly as stored."""
        lines, _ = self._command(b"GETSCRIPT " + _quoted(name))
        for items in lines:
            if items:
                return items[0].decode("utf-8")
        return ""

    def putscript(self, name: str, text: str) -> None:
        """Store ``text`` under ``name`` (an active script stays active)."""
        self._command(b"PUTSCRIPT " + _quoted(name) + b" " + _literal(text))

    def checkscript(self, text: str) -> Reply | None:
        """The server's verdict on ``text`` without storing it; None when it cannot check."""
        if "VERSION" not in self.capabilities:
            return None
        return self._command(b"CHECKSCRIPT " + _literal(text), check=False)[1]

    def deletescript(self, name: str) -> None:
        """Delete ``name`` (the server refuses to delete the active script)."""
        self._command(b"DELETESCRIPT " + _quoted(name))

    def setactive(self, name: str) -> None:
        """Make ``name`` the active script ("" deactivates every script)."""
        self._command(b"SETACTIVE " + _quoted(name))

    # --- wire ------------------------------------------------------------------------------

    def _command(self, line: bytes, *, check: bool = True) -> tuple[list[list[bytes]], Reply]:
        if self._sock is None:
            raise ConnectorUnavailable("ManageSieve connection is closed")
        try:
            self._sock.sendall(line + _CRLF)
            lines, reply = self._response()
        except OSError as error:
            self.close()
            raise ConnectorUnavailable(f"ManageSieve {self._host}:{self._port}: {error}") from error
        if check and reply.status != "OK":
            verb = line.split(b" ", 1)[0].decode()
            _raise(reply, f"ManageSieve {verb}")
        return lines, reply

    def _response(self) -> tuple[list[list[bytes]], Reply]:
        lines: list[list[bytes]] = []
        while True:
            items, atom = self._items()
            head = items[0].upper() if items else b""
            if atom and head in (b"OK", b"NO", b"BYE"):
                code = ""
                message = ""
                for item in items[1:]:
                    if item.startswith(b"(") and not code:
                        code = item[1:-1].decode(errors="replace")
                    else:
                        message = item.decode(errors="replace")
                return lines, Reply(head.decode(), code, message)
            lines.append(items)

    def _items(self) -> tuple[list[bytes], bool]:
        """One response line as items (atoms, strings, ``(codes)``); whether it opens on an atom."""
        items: list[bytes] = []
        atom = False
        line = self._line()
        position = 0
        while position < len(line):
            char = line[position : position + 1]
            if char == b" ":
                position += 1
            elif char == b'"':
                value, position = _unquote(line, position)
                items.append(value)
            elif char == b"{" and line.endswith(b"}") and line.rfind(b"{") == position:
                size = int(line[position + 1 : -1].rstrip(b"+"))
                items.append(self._exact(size))
                line = self._line()
                position = 0
            elif char == b"(":
                depth, end = 0, position
                while end < len(line):
                    if line[end : end + 1] == b'"':
                        end = _unquote(line, end)[1]
                        continue
                    depth += {b"(": 1, b")": -1}.get(line[end : end + 1], 0)
                    end += 1
                    if depth == 0:
                        break
                items.append(line[position:end])
                position = end
            else:
                end = line.find(b" ", position)
                end = len(line) if end < 0 else end
                items.append(line[position:end])
                atom = atom or len(items) == 1
                position = end
        return items, atom

    def _line(self) -> bytes:
        while _CRLF not in self._buffer:
            if len(self._buffer) > _MAX_LINE:
                raise ConnectorUnavailable("ManageSieve: response line too long")
            self._fill()
        line, self._buffer = self._buffer.split(_CRLF, 1)
        return line

    def _exact(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _fill(self) -> None:
        assert self._sock is not None
        chunk = self._sock.recv(65536)
        if not chunk:
            raise ConnectorUnavailable("ManageSieve server closed the connection")
        self._buffer += chunk


def _quoted(text: str) -> bytes:
    if any(c in text for c in "\r\n\0"):
        raise ConnectorRejected("ManageSieve names cannot hold line breaks")
    return b'"' + text.replace("\\", "\\\\").replace('"', '\\"').encode("utf-8") + b'"'


def _literal(text: str) -> bytes:
    data = text.encode("utf-8")
    return b"{%d+}\r\n" % len(data) + data


def _unquote(line: bytes, position: int) -> tuple[bytes, int]:
    """The quoted string starting at ``position`` and the offset after it."""
    value = bytearray()
    index = position + 1
    while index < len(line):
        char = line[index : index + 1]
        if char == b"\\" and index + 1 < len(line):
            value += line[index + 1 : index + 2]
            index += 2
            continue
        if char == b'"':
            return bytes(value), index + 1
        value += char
        index += 1
    return bytes(value), index


def _raise(reply: Reply, what: str) -> None:
    detail = f"{what}: {reply.status}"
    if reply.code:
        detail += f" ({reply.code})"
    if reply.message:
        detail += f" {reply.message}"
    if reply.status == "BYE" or reply.code.upper().startswith("TRYLATER"):
        raise ConnectorUnavailable(detail)
    raise ConnectorRejected(detail)
