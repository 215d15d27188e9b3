"""How to reach the submission server: host, port, transport security, credentials, sender."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol


class SmtpSecurity(StrEnum):
    """Transport security of the SMTP session."""

    STARTTLS = "starttls"  # plain connect, then STARTTLS (required: refused if not offered)
    TLS = "tls"  # implicit TLS from the first byte (SMTPS, port 465)
    NONE = "none"  # clear text: for a loopback relay; never with credentials elsewhere


DEFAULT_PORTS = {SmtpSecurity.STARTTLS: 587, SmtpSecurity.TLS: 465, SmtpSecurity.NONE: 25}


class SecretValue(Protocol):
    """A secret that does not show in ``repr`` or logs (pydantic's ``SecretStr`` fits)."""

    def get_secret_value(self) -> str:
        """The clear value, to hand to the server only."""
        ...


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Settings of :class:`~autoir.connectors.smtp.SmtpNotifier`.

    ``sender`` is the From address (``security@example.com`` or ``AutoIR <security@…>``) of
    notifications that name none; its domain is the Message-ID's right-hand side.
    ``max_recipients_per_message`` splits large recipient lists into several SMTP transactions
    of the same message (RFC 5321 servers accept at least 100 recipients per transaction).
    """

    host: str
    sender: str
    port: int | None = None
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    username: str | None = None
    password: SecretValue | None = field(default=None, repr=False)
    ca_file: Path | None = None
    """Trusted CA certificates (PEM) instead of the system store, e.g. for an internal CA."""
    timeout_seconds: float = 30.0
    helo_name: str = "localhost"
    """The EHLO name; smtplib's default resolves the local FQDN, which can take seconds."""
    max_recipients_per_message: int = 100

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("SMTP host is required")
        if not self.sender:
            raise ValueError("SMTP sender address is required (AUTOIR_SMTP__SENDER)")
        if self.username and self.password is None:
            raise ValueError("SMTP username given without a password (AUTOIR_SMTP__PASSWORD)")
        if self.security is SmtpSecurity.NONE and self.username and not is_loopback(self.host):
            raise ValueError(
                "SMTP security 'none' sends the password in clear text: only allowed to a "
                "loopback host; use 'starttls' or 'tls'"
            )
        if self.timeout_seconds <= 0 or self.max_recipients_per_message < 1:
            raise ValueError("SMTP timeout and recipients per message must be positive")

    @property
    def effective_port(self) -> int:
        """``port``, or 587 / 465 / 25 by ``security``."""
        return self.port or DEFAULT_PORTS[self.security]
