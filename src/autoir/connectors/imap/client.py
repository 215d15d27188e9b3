"""IMAP sessions: one per mailbox login, pooled; server failures become connector errors.

Network errors, ``BYE``, timeouts and ``[UNAVAILABLE]``/``[SERVERBUG]`` responses are transient
(:class:`ConnectorUnavailable`); a refused login, an unknown command or a ``NO`` the server gives
for the request itself are permanent (:class:`ConnectorRejected`).
"""

from __future__ import annotations

import imaplib
import re
import ssl
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Literal

from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable

Security = Literal["tls", "starttls", "plain"]
_TRANSIENT_CODES = ("[UNAVAILABLE]", "[SERVERBUG]", "[INUSE]", "[LIMIT]")


@dataclass(frozen=True, slots=True)
class Login:
    """How to open one mailbox: a master user (``user*master``) or the mailbox's own password."""

    master_user: str | None = None
    master_password: str | None = None
    master_separator: str = "*"
    passwords: Mapping[str, str] = field(default_factory=dict)

    def credentials(self, mailbox: str) -> tuple[str, str]:
        """The login name and password that open ``mailbox``."""
        own = self.passwords.get(mailbox.lower())
        if own is not None:
            return mailbox, own
        if self.master_user and self.master_password is not None:
            return f"{mailbox}{self.master_separator}{self.master_user}", self.master_password
        raise ConnectorRejected(f"No IMAP credentials for the mailbox {mailbox!r}.")


class Session:
    """One logged-in connection to one mailbox."""

    def __init__(self, connection: imaplib.IMAP4, mailbox: str) -> None:
        self.connection = connection
        self.mailbox = mailbox
        self.selected: str | None = None
        self.delimiter = "/"
        self.capabilities = self._capabilities()

    def _capabilities(self) -> frozenset[str]:
        """The post-login capabilities (imaplib keeps the pre-login ones)."""
        typ, data = self.try_command("CAPABILITY")
        if typ != "OK" or not data or not isinstance(data[-1], bytes):
            return frozenset(str(c).upper() for c in self.connection.capabilities)
        return frozenset(data[-1].decode().upper().split())

    def command(self, name: str, *args: str) -> list[object]:
        """Run a command; ``OK`` gives its data, anything else raises a connector error."""
        typ, data = self.try_command(name, *args)
        if typ != "OK":
            text = " ".join(_text(item) for item in data if item is not None)
            if any(code in text for code in _TRANSIENT_CODES):
                raise ConnectorUnavailable(f"IMAP {name}: {text}")
            raise ConnectorRejected(f"IMAP {name} {args[:1]}: {text}")
        return list(data)

    def try_command(self, name: str, *args: str) -> tuple[str, list[object]]:
        """Like :meth:`command` but a ``NO`` is returned, not raised (e.g. CREATE of a folder)."""
        try:
            if name == "UID":
                typ, data = self.connection.uid(*args)
            else:
                typ, data = getattr(self.connection, name.lower())(*args)
        except imaplib.IMAP4.abort as error:
            raise ConnectorUnavailable(f"IMAP {name}: {error}") from error
        except imaplib.IMAP4.error as error:
            raise ConnectorRejected(f"IMAP {name} failed: {error}") from error
        except (OSError, EOFError) as error:
            raise ConnectorUnavailable(f"IMAP {name}: {error}") from error
        return str(typ), list(data)

    def append(
        self, folder: str, flags: str, internaldate: str | None, raw: bytes
    ) -> tuple[str, list[object]]:
        """APPEND ``raw`` (a ``NO`` is returned, not raised)."""
        try:
            typ, data = self.connection.append(folder, flags, internaldate or "", raw)
        except imaplib.IMAP4.abort as error:
            raise ConnectorUnavailable(f"IMAP APPEND: {error}") from error
        except imaplib.IMAP4.error as error:
            raise ConnectorRejected(f"IMAP APPEND failed: {error}") from error
        except (OSError, EOFError) as error:
            raise ConnectorUnavailable(f"IMAP APPEND: {error}") from error
        return str(typ), list(data)

    def select(self, folder: str) -> bool:
        """Select ``folder`` (IMAP name); False when it does not exist."""
        if self.selected == folder:
            return True
        typ, _ = self.try_command("SELECT", quote(folder))
        self.selected = folder if typ == "OK" else None
        return typ == "OK"

    def unselect(self) -> None:
        r"""Leave the selected folder without expunging (CLOSE would expunge ``\\Deleted``)."""
        if self.selected is not None:
            if "UNSELECT" in self.capabilities:
                self.try_command("UNSELECT")
            else:  # a read-only SELECT (EXAMINE) leaves the folder without expunging it
                self.connection.select("INBOX", readonly=True)
            self.selected = None

    def logout(self) -> None:
        """End the session, quietly (the connection may be gone already)."""
        with suppress(imaplib.IMAP4.error, OSError, EOFError):
            self.connection.logout()


class Pool:
    """At most ``size`` idle sessions per mailbox and ``max_idle`` in all; thread-safe.

    Sessions are per mailbox (a master-user login opens one mailbox), so a scan or a cluster
    action over thousands of mailboxes would otherwise keep thousands of connections open:
    past ``max_idle`` the least recently used mailbox's sessions are logged out.
    """

    def __init__(
        self,
        host: str,
        port: int,
        login: Login,
        *,
        security: Security = "tls",
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        size: int = 4,
        max_idle: int = 32,
    ) -> None:
        self._host = host
        self._port = port
        self._login = login
        self._security = security
        self._ssl_context = ssl_context
        self._timeout = timeout
        self._size = size
        self._max_idle = max(max_idle, 1)
        self._idle: OrderedDict[str, list[Session]] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def session(self, mailbox: str) -> Iterator[Session]:
        """A session on ``mailbox``: an idle one when there is one, else a new login.

        A session that failed is dropped, not returned to the pool.
        """
        session = self._take(mailbox)
        if session is not None and not _alive(session):
            session.logout()
            session = None
        if session is None:
            session = self._open(mailbox)
        try:
            yield session
        except BaseException:
            session.logout()
            raise
        session.unselect()
        evicted: list[Session] = [session]
        with self._lock:
            key = mailbox.lower()
            idle = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if len(idle) < self._size:
                idle.append(session)
                evicted = self._evict()
        for old in evicted:
            old.logout()

    def _evict(self) -> list[Session]:
        """Take sessions of the least recently used mailboxes past ``max_idle`` (lock held)."""
        evicted: list[Session] = []
        total = sum(len(sessions) for sessions in self._idle.values())
        while total > self._max_idle and self._idle:
            _key, sessions = self._idle.popitem(last=False)
            evicted += sessions
            total -= len(sessions)
        return evicted

    @property
    def idle_count(self) -> int:
        """Idle sessions kept now."""
        with self._lock:
            return sum(len(sessions) for sessions in self._idle.values())

    def close(self) -> None:
        """Log out of every idle session."""
        with self._lock:
            sessions = [s for idle in self._idle.values() for s in idle]
            self._idle.clear()
        for session in sessions:
            session.logout()

    def _take(self, mailbox: str) -> Session | None:
        with self._lock:
            idle = self._idle.get(mailbox.lower())
            return idle.pop() if idle else None

    def _context(self) -> ssl.SSLContext:
        """The given TLS context, else the system's default one (made once: it reads the CAs)."""
        with self._lock:
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            return self._ssl_context

    def _connect(self) -> imaplib.IMAP4:
        """A connection, secured as configured (``starttls``: never on in plaintext instead)."""
        if self._security == "plain":
            return imaplib.IMAP4(self._host, self._port, timeout=self._timeout)
        context = self._context()
        if self._security == "tls":
            return imaplib.IMAP4_SSL(
                self._host, self._port, ssl_context=context, timeout=self._timeout
            )
        connection = imaplib.IMAP4(self._host, self._port, timeout=self._timeout)
        if "STARTTLS" not in connection.capabilities:
            _close_quietly(connection)
            raise ConnectorRejected(
                f"The IMAP server {self._host}:{self._port} does not offer STARTTLS; "
                "the connector does not log in without TLS"
            )
        try:
            connection.starttls(context)
        except BaseException:
            _close_quietly(connection)
            raise
        return connection

    def _open(self, mailbox: str) -> Session:
        user, password = self._login.credentials(mailbox)
        where = f"{self._host}:{self._port}"
        try:
            connection = self._connect()
        except imaplib.IMAP4.abort as error:
            if "unexpected response" in str(error):  # a greeting that is not IMAP: wrong port
                raise ConnectorRejected(
                    f"{where} does not answer as an IMAP server: {error}"
                ) from error
            raise ConnectorUnavailable(f"IMAP greeting: {error}") from error
        except ssl.SSLCertVerificationError as error:
            raise ConnectorRejected(
                f"TLS with the IMAP server {where} failed: its certificate could not be "
                f"verified ({error.verify_message}); trust the CA that signed it"
            ) from error
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError) as error:  # cut mid-handshake
            raise ConnectorUnavailable(f"TLS with the IMAP server {where}: {error}") from error
        except ssl.SSLError as error:  # e.g. TLS spoken to a plaintext port
            raise ConnectorRejected(
                f"The TLS handshake with the IMAP server {where} failed: {error}"
            ) from error
        except (OSError, EOFError) as error:
            raise ConnectorUnavailable(
                f"The IMAP server {where} is unreachable: {error}"
            ) from error
        except imaplib.IMAP4.error as error:
            if "BYE" in str(error):  # a BYE greeting: shutting down or too busy, try later
                raise ConnectorUnavailable(
                    f"The IMAP server {where} turned the connection away: {error}"
                ) from error
            raise ConnectorRejected(
                f"The IMAP server {where} refused the connection (greeting or STARTTLS): {error}"
            ) from error
        try:
            connection.login(user, password)
        except imaplib.IMAP4.abort as error:
            raise ConnectorUnavailable(f"IMAP login: {error}") from error
        except imaplib.IMAP4.error as error:
            _close_quietly(connection)
            text = str(error)
            if any(code in text for code in _TRANSIENT_CODES):
                raise ConnectorUnavailable(f"IMAP login for {mailbox}: {text}") from error
            raise ConnectorRejected(
                f"The IMAP server refused the login for {mailbox}: {text}"
            ) from error
        except (OSError, EOFError) as error:
            raise ConnectorUnavailable(f"IMAP login: {error}") from error
        return Session(connection, mailbox)


def _alive(session: Session) -> bool:
    try:
        typ, _ = session.connection.noop()
    except (TimeoutError, imaplib.IMAP4.error, OSError, EOFError):
        return False
    return typ == "OK"


def _close_quietly(connection: imaplib.IMAP4) -> None:
    with suppress(OSError):
        connection.shutdown()


def _text(item: object) -> str:
    if isinstance(item, bytes):
        return item.decode(errors="replace")
    if isinstance(item, tuple):
        return " ".join(_text(part) for part in item)
    return str(item)


def quote(name: str) -> str:
    """An IMAP quoted string (folder names; ASCII as sent by this connector)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?:"(?P<sep>[^"]*)"|NIL) (?P<name>.+)$')


def parse_list(data: list[object]) -> list[tuple[str, str, set[str]]]:
    """(name, delimiter, flags) of each LIST response line."""
    found: list[tuple[str, str, set[str]]] = []
    pending: bytes | None = None
    for item in data:
        if isinstance(item, tuple):  # a literal name: ('(flags) "/" {5}', b'name')
            head, literal = item[0], item[1]
            line = bytes(head).rsplit(b" ", 1)[0] + b' "' + bytes(literal) + b'"'
        elif isinstance(item, bytes):
            line = item
        else:
            continue
        if pending is not None:
            line, pending = pending + line, None
        match = _LIST_LINE.match(line)
        if match is None:
            continue
        name = match.group("name").decode("utf-8", errors="replace")
        if name.startswith('"') and name.endswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        flags = {flag.lower() for flag in match.group("flags").decode().split()}
        found.append((name, (match.group("sep") or b"/").decode(), flags))
    return found
