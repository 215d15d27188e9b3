"""IMAP IDLE (RFC 2177) on a session's imaplib connection (Python 3.11's imaplib has none).

With a folder selected (EXAMINE is enough): send ``<tag> IDLE``, wait for the ``+``
continuation, read untagged responses until one reports a change (``EXISTS``, ``EXPUNGE``,
``RECENT``, ``FETCH``) or the timeout passes, send ``DONE`` and read up to the tagged answer
(changes reported meanwhile count too). The connection is then as imaplib left it.

Waiting is done with :func:`select.select` on the socket after a non-blocking look at what the
connection has buffered already, never with a socket timeout (a timed-out socket file cannot be
read again). A server without the ``IDLE`` capability gives False at once: the caller polls.
"""

from __future__ import annotations

import errno
import imaplib
import io
import itertools
import re
import select
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager

from autoir.domain.errors import ConnectorUnavailable

_CHANGE = re.compile(rb"^\* \d+ (EXISTS|EXPUNGE|RECENT|FETCH)\b", re.IGNORECASE)
_LITERAL = re.compile(rb"\{(\d+)\}\r?\n?$")
_TAGS = itertools.count(1)
_DONE_TIMEOUT = 30.0


def idle(connection: imaplib.IMAP4, capabilities: frozenset[str], timeout: float) -> bool:
    """IDLE on the selected folder for at most ``timeout`` seconds.

    Returns:
        True when the server reported a change, False on timeout or without IDLE.

    Raises:
        ConnectorUnavailable: the connection failed (the session must be dropped).
    """
    if "IDLE" not in capabilities:
        return False
    tag = f"ZIDLE{next(_TAGS)}".encode()
    try:
        return _idle(connection, tag, timeout)
    except (OSError, EOFError, imaplib.IMAP4.abort) as error:
        raise ConnectorUnavailable(f"IMAP IDLE: {error}") from error


def _idle(connection: imaplib.IMAP4, tag: bytes, timeout: float) -> bool:
    connection.send(tag + b" IDLE\r\n")
    changed = False
    while True:
        line = _line(connection)
        if line.startswith(b"+"):
            break
        if line.startswith(tag + b" "):  # BAD/NO: the server will not idle here
            return changed
        changed |= _is_change(line)
    deadline = time.monotonic() + timeout
    while not changed:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not _readable(connection, remaining):
            break
        changed = _is_change(_line(connection))
    connection.send(b"DONE\r\n")
    finish = time.monotonic() + _DONE_TIMEOUT
    while True:
        if not _readable(connection, finish - time.monotonic()):
            raise ConnectorUnavailable("IMAP IDLE: no answer to DONE")
        line = _line(connection)
        if line.startswith(tag + b" "):
            if not line[len(tag) + 1 :].upper().startswith(b"OK"):
                raise ConnectorUnavailable(f"IMAP IDLE: {line.decode(errors='replace')}")
            return changed
        changed |= _is_change(line)


def _is_change(line: bytes) -> bool:
    return _CHANGE.match(line) is not None


def _line(connection: imaplib.IMAP4) -> bytes:
    """One response line; a literal at its end is read and dropped (IDLE needs no bodies)."""
    line = connection.readline()
    if not line:
        raise EOFError("the server closed the connection")
    literal = _LITERAL.search(line)
    if literal is not None:
        connection.read(int(literal.group(1)))
        line += connection.readline()
    return line


def _readable(connection: imaplib.IMAP4, timeout: float) -> bool:
    """Whether a response line can be read, waiting at most ``timeout`` seconds."""
    if timeout <= 0:
        return False
    if _buffered(connection):
        return True
    ready, _, _ = select.select([connection.sock], [], [], timeout)
    return bool(ready)


def _buffered(connection: imaplib.IMAP4) -> bool:
    """Bytes already received (imaplib's buffer, TLS records): a non-blocking peek."""
    file = connection.file
    if not isinstance(file, io.BufferedReader):  # pragma: no cover - imaplib always buffers
        return False
    with _non_blocking(connection):
        try:
            return bool(file.peek(1))
        except (BlockingIOError, ssl.SSLWantReadError):
            return False
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                return False
            raise


@contextmanager
def _non_blocking(connection: imaplib.IMAP4) -> Iterator[None]:
    sock = connection.sock
    before = sock.gettimeout()
    sock.settimeout(0.0)  # non-blocking
    try:
        yield
    finally:
        sock.settimeout(before)
