"""A real SMTP server for tests: aiosmtpd on a free loopback port that keeps what it accepts.

``SmtpSink`` can offer STARTTLS (or implicit TLS) with a throw-away self-signed certificate,
require AUTH PLAIN/LOGIN checked against one account, refuse chosen recipients with 550, and
fail the next transactions with 451 or 554 (the notifier contract's ``fail_next``).
"""

from __future__ import annotations

import atexit
import shutil
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from autoir.connectors.smtp import SmtpConfig, SmtpNotifier
from autoir.ports.remediation import Notification, Notifier
from tests.support.certificates import write_self_signed

HOST = "127.0.0.1"


def free_port() -> int:
    """A loopback TCP port nobody listens on (closed again: there is a small race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throw-away EC certificate for ``localhost``/127.0.0.1: (cert.pem, key.pem)."""
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    write_self_signed(cert_path, key_path, addresses=(HOST,))
    return cert_path, key_path


@dataclass(frozen=True)
class Received:
    """One accepted transaction."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    login: str | None
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def body(self) -> str:
        """The text/plain body as sent (``set_content`` adds one trailing newline)."""
        content = self.message.get_content()
        assert isinstance(content, str)
        content = content.replace("\r\n", "\n")
        return content.removesuffix("\n")

    def notification(self) -> Notification:
        message = self.message
        return Notification(
            recipients=self.rcpt_tos,
            subject=str(message["Subject"]),
            body=self.body(),
            sender=message["From"].addresses[0].addr_spec,
        )


@dataclass
class _Handler:
    sink: SmtpSink

    async def handle_MAIL(  # noqa: N802 - aiosmtpd hook name
        self, _server: Any, _session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        failure = self.sink.take_failure()
        if failure is not None:
            return failure
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd hook name
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: list[str]
    ) -> str:
        if address.lower() in self.sink.refused:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        auth = session.auth_data
        self.sink.record(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                data=bytes(envelope.original_content or envelope.content),
                login=auth.login.decode() if isinstance(auth, LoginPassword) else None,
                tls=self.sink.tls == "tls" or session.ssl is not None,
            )
        )
        return "250 2.0.0 Message accepted for delivery"


@dataclass
class SmtpSink:
    """An aiosmtpd server on loopback; ``start()``/``stop()`` or use as a context manager.

    ``tls``: ``None`` (clear text only), ``"starttls"`` or ``"tls"`` (implicit);
    ``account``: ``(username, password)`` that AUTH must present (AUTH then required).
    """

    directory: Path
    tls: str | None = None
    account: tuple[str, str] | None = None
    refused: set[str] = field(default_factory=set)
    port: int = 0
    cert_file: Path | None = None
    received: list[Received] = field(default_factory=list)
    auth_attempts: list[tuple[str, bool]] = field(default_factory=list)
    _failures: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def start(self) -> Self:
        self.port = self.port or free_port()
        kwargs: dict[str, Any] = {"hostname": HOST, "port": self.port, "ready_timeout": 5.0}
        if self.tls is not None:
            self.cert_file, key_file = self_signed_certificate(self.directory)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert_file, key_file)
            if self.tls == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs["ssl_context"] = context
        if self.account is not None:
            # aiosmtpd sees TLS only after STARTTLS; over implicit TLS (or none) AUTH is offered
            # without it being required (requiring it there makes aiosmtpd warn).
            starttls = self.tls == "starttls"
            kwargs.update(
                authenticator=self._authenticate,
                auth_required=starttls,
                auth_require_tls=starttls,
            )
        self._controller = Controller(_Handler(self), **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _authenticate(
        self, _server: Any, _session: Any, _envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.account is not None
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.account[0]
            and auth_data.password.decode() == self.account[1]
        )
        with self._lock:
            self.auth_attempts.append((mechanism, ok))
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None:
        reply = "451 4.3.0 Try again later" if transient else "554 5.7.1 Delivery not authorized"
        with self._lock:
            self._failures.extend([reply] * n)

    def take_failure(self) -> str | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def reset(self) -> None:
        """Forget what was received and any pending failure (a fresh outbox)."""
        with self._lock:
            self.received.clear()
            self.auth_attempts.clear()
            self._failures.clear()
            self.refused.clear()


_SHARED: dict[str, SmtpSink] = {}
_SHARED_LOCK = threading.Lock()
CONTRACT_ACCOUNT = ("autoir", "contract-secret")


def shared_sink() -> SmtpSink:
    """One STARTTLS + AUTH sink per test process, started on first use, stopped at exit."""
    with _SHARED_LOCK:
        sink = _SHARED.get("contract")
        if sink is None:
            directory = Path(tempfile.mkdtemp(prefix="autoir-smtp-"))
            sink = SmtpSink(directory, tls="starttls", account=CONTRACT_ACCOUNT).start()
            atexit.register(sink.stop)
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
            _SHARED["contract"] = sink
        return sink


class SmtpNotifierHarness:
    """``NotifierHarness`` (tests/contract) for :class:`SmtpNotifier` over the shared sink."""

    def __init__(self) -> None:
        self.sink = shared_sink()
        self.sink.reset()
        self.notifier: Notifier = SmtpNotifier(
            SmtpConfig(
                host=HOST,
                port=self.sink.port,
                sender="autoir@contoso.com",
                username=CONTRACT_ACCOUNT[0],
                password=SecretStr(CONTRACT_ACCOUNT[1]),
                ca_file=self.sink.cert_file,
                timeout_seconds=10.0,
            )
        )
        self.fail_next = self.sink.fail_next

    def sent(self) -> list[tuple[str, Notification]]:
        return [(str(r.message["Message-ID"]), r.notification()) for r in self.sink.messages()]
