"""SMTP submission of notifications.

Decisions:

* One message per notification, one Message-ID (``<uuid4@sender-domain>``, what ``send``
  returns). A single recipient is named in ``To``; several get ``To: undisclosed-recipients:;``
  and are only on the envelope (Bcc semantics), so that affected users never see one another's
  addresses. Lists longer than ``max_recipients_per_message`` go in several transactions of the
  same message on the same connection.
* All or nothing per transaction: every ``RCPT TO`` is answered before ``DATA``; if the server
  refuses any recipient the transaction is reset and nothing is sent to anyone in it.
* STARTTLS is required under ``starttls`` (a server that does not offer it is refused rather
  than spoken to in clear); certificates are verified against the system store or ``ca_file``.
* Errors: unreachable, timeouts, dropped connections and 4xx replies raise
  :class:`~autoir.domain.errors.ConnectorUnavailable` (retry); 5xx replies, failed
  authentication, refused recipients, untrusted certificates and a missing STARTTLS raise
  :class:`~autoir.domain.errors.ConnectorRejected`. Messages carry the server's reply, never
  the password (which is also scrubbed from any reply that would echo it).
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from autoir.connectors.smtp.config import SmtpConfig, SmtpSecurity
from autoir.domain.errors import ConnectorError, ConnectorRejected, ConnectorUnavailable
from autoir.ports.remediation import Notification

log = logging.getLogger("autoir.notifications.smtp")

ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)
"""An ASCII addr-spec without quoting or comments: what notifications are sent to."""
MAX_REPLY = 300
MAX_7BIT_LINE = 900
TRANSIENT_CODES = range(400, 500)


def _recipients(recipients: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    valid: list[str] = []
    for recipient in (r.strip() for r in recipients):
        if not recipient:
            continue
        if not ADDRESS.match(recipient):
            raise ConnectorRejected(f"Not an email address: {recipient[:100]!r}.")
        if recipient.lower() not in seen:
            seen.add(recipient.lower())
            valid.append(recipient)
    if not valid:
        raise ConnectorRejected("A notification needs at least one recipient.")
    return valid


def _sender(sender: str) -> Address:
    name, addr = parseaddr(sender)
    if not ADDRESS.match(addr):
        raise ConnectorRejected(f"Not a sender address: {sender[:100]!r}.")
    username, domain = addr.rsplit("@", 1)
    return Address(display_name=name, username=username, domain=domain)


def _one_line(text: str) -> str:
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


class SmtpNotifier:
    """:class:`~autoir.ports.remediation.Notifier` over SMTP submission."""

    def __init__(self, config: SmtpConfig, *, clock: Callable[[], datetime] | None = None) -> None:
        self._config = config
        self._clock = clock or (lambda: datetime.now(UTC))
        self._default_sender = _sender(config.sender)
        self._tls = (
            ssl.create_default_context(
                cafile=str(config.ca_file) if config.ca_file is not None else None
            )
            if config.security is not SmtpSecurity.NONE
            else None
        )

    @property
    def endpoint(self) -> str:
        """``host:port`` of the submission server, for messages and logs."""
        return f"{self._config.host}:{self._config.effective_port}"

    def build_message(self, notification: Notification) -> tuple[EmailMessage, list[str]]:
        """The MIME message (Message-ID set) and its envelope recipients.

        Raises:
            ConnectorRejected: no valid recipient, or a bad sender address.
        """
        recipients = _recipients(notification.recipients)
        sender = _sender(notification.sender) if notification.sender else self._default_sender
        message = EmailMessage(policy=policy.SMTP)
        message["From"] = sender
        message["To"] = recipients[0] if len(recipients) == 1 else "undisclosed-recipients:;"
        message["Subject"] = _one_line(notification.subject)
        message["Date"] = format_datetime(self._clock())
        message["Message-ID"] = f"<{uuid.uuid4()}@{sender.domain}>"
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
        body = notification.body
        plain = body.isascii() and all(len(line) <= MAX_7BIT_LINE for line in body.splitlines())
        message.set_content(body, charset="utf-8", cte="7bit" if plain else "quoted-printable")
        return message, recipients

    def send(self, notification: Notification) -> str:
        """Submit the notification; returns its Message-ID.

        Raises:
            ConnectorUnavailable: the server is unreachable, timed out or answered 4xx.
            ConnectorRejected: bad addresses, a 5xx reply, failed authentication, a refused
                recipient, an untrusted certificate or no STARTTLS.
        """
        message, recipients = self.build_message(notification)
        envelope_from = message["From"].addresses[0].addr_spec
        data = message.as_bytes(policy=policy.SMTP)
        size = self._config.max_recipients_per_message
        batches = [recipients[i : i + size] for i in range(0, len(recipients), size)]
        delivered = 0
        try:
            with self._session() as smtp:
                for batch in batches:
                    self._transaction(smtp, envelope_from, batch, data)
                    delivered += len(batch)
        except ConnectorError as exc:
            if delivered:
                exc.args = (f"{exc} ({delivered} of {len(recipients)} recipients got it)",)
            log.warning("Notification not sent through %s: %s", self.endpoint, exc)
            raise
        message_id = str(message["Message-ID"])
        log.info(
            "Sent notification %s to %d recipient(s) through %s",
            message_id,
            len(recipients),
            self.endpoint,
        )
        return message_id

    @contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        """A connected, secured and authenticated session; smtplib errors translated."""
        smtp: smtplib.SMTP | None = None
        try:
            try:
                smtp = self._connect()
                yield smtp
            finally:
                if smtp is not None:
                    try:
                        smtp.quit()
                    except (smtplib.SMTPException, OSError):
                        smtp.close()
        except ConnectorError:
            raise
        except smtplib.SMTPResponseException as exc:
            raise self._error(exc.smtp_code, exc.smtp_error, "refused the session") from None
        except (smtplib.SMTPServerDisconnected, ssl.SSLEOFError) as exc:
            raise ConnectorUnavailable(
                self._scrub(f"SMTP server {self.endpoint} closed the connection: {exc}")
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise ConnectorRejected(
                self._scrub(
                    f"SMTP server {self.endpoint} presented an untrusted certificate "
                    f"({exc.verify_message}); trust its CA with AUTOIR_SMTP__CA_FILE"
                )
            ) from None
        except smtplib.SMTPException as exc:
            raise ConnectorRejected(self._scrub(f"SMTP server {self.endpoint}: {exc}")) from None
        except OSError as exc:  # refused, unreachable, timeouts, TLS failures
            raise ConnectorUnavailable(
                self._scrub(f"SMTP server {self.endpoint} unreachable: {exc or type(exc)}")
            ) from None

    def _connect(self) -> smtplib.SMTP:
        config = self._config
        smtp: smtplib.SMTP
        if config.security is SmtpSecurity.TLS:
            smtp = smtplib.SMTP_SSL(
                config.host,
                config.effective_port,
                local_hostname=config.helo_name,
                timeout=config.timeout_seconds,
                context=self._tls,
            )
        else:
            smtp = smtplib.SMTP(
                config.host,
                config.effective_port,
                local_hostname=config.helo_name,
                timeout=config.timeout_seconds,
            )
        try:
            smtp.ehlo()
            if config.security is SmtpSecurity.STARTTLS:
                self._starttls(smtp)
            if config.username:
                self._authenticate(smtp)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _starttls(self, smtp: smtplib.SMTP) -> None:
        if not smtp.has_extn("starttls"):
            raise ConnectorRejected(
                f"SMTP server {self.endpoint} does not offer STARTTLS; refusing to continue "
                "in clear text (set AUTOIR_SMTP__SECURITY=tls for port 465, or none only for "
                "a loopback relay)"
            )
        smtp.starttls(context=self._tls)
        smtp.ehlo()

    def _authenticate(self, smtp: smtplib.SMTP) -> None:
        config = self._config
        assert config.username is not None
        assert config.password is not None
        if not smtp.has_extn("auth"):
            raise ConnectorRejected(
                f"SMTP server {self.endpoint} offers no AUTH on this connection; check "
                "AUTOIR_SMTP__SECURITY (many servers offer AUTH only after STARTTLS)"
            )
        offered = smtp.esmtp_features["auth"].upper().split()
        mechanism = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
        if mechanism is None:
            raise ConnectorRejected(
                f"SMTP server {self.endpoint} offers AUTH {' '.join(offered)[:100]}, "
                "not PLAIN or LOGIN"
            )
        # One attempt with one mechanism (smtplib's login() would retry a refused password
        # with every other mechanism, counting against lock-out policies).
        smtp.user, smtp.password = config.username, config.password.get_secret_value()
        try:
            authenticate = smtp.auth_plain if mechanism == "PLAIN" else smtp.auth_login
            code, reply = smtp.auth(mechanism, authenticate)
        except smtplib.SMTPAuthenticationError as exc:
            raise self._error(exc.smtp_code, exc.smtp_error, "refused the login") from None
        finally:
            smtp.password = ""
        if code != 235:  # noqa: PLR2004 - SMTP reply code
            raise self._error(code, reply, "refused the login")

    def _transaction(
        self, smtp: smtplib.SMTP, envelope_from: str, recipients: Sequence[str], data: bytes
    ) -> None:
        code, reply = smtp.mail(envelope_from)
        if code != 250:  # noqa: PLR2004 - SMTP reply code
            self._reset(smtp)
            raise self._error(code, reply, f"refused the sender {envelope_from}")
        refused: list[tuple[str, int, bytes]] = []
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in {250, 251}:
                refused.append((recipient, code, reply))
        if refused:
            self._reset(smtp)
            recipient, code, reply = refused[0]
            others = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            raise self._error(code, reply, f"refused the recipient {recipient}{others}")
        code, reply = smtp.data(data)
        if code != 250:  # noqa: PLR2004 - SMTP reply code
            raise self._error(code, reply, "refused the message")

    @staticmethod
    def _reset(smtp: smtplib.SMTP) -> None:
        with suppress(smtplib.SMTPException, OSError):
            smtp.rset()

    def _error(self, code: int, reply: bytes | str, what: str) -> ConnectorError:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        text = _one_line(text)[:MAX_REPLY]
        message = self._scrub(f"SMTP server {self.endpoint} {what}: {code} {text}")
        if code in TRANSIENT_CODES:
            return ConnectorUnavailable(message)
        return ConnectorRejected(message)

    def _scrub(self, text: str) -> str:
        password = self._config.password
        secret = password.get_secret_value() if password is not None else ""
        return text.replace(secret, "********") if secret else text
