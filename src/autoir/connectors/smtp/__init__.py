"""SMTP connector: the notifier over SMTP submission (STARTTLS or implicit TLS, AUTH).

:class:`SmtpNotifier` implements :class:`~autoir.ports.remediation.Notifier`: one connection
per notification, one MIME message (text/plain UTF-8, RFC 2047 subject) under one Message-ID.
Imports only ``autoir.ports``, ``autoir.domain`` and the standard library (``smtplib``,
``email``, ``ssl``).
"""

from autoir.connectors.smtp.config import SecretValue, SmtpConfig, SmtpSecurity
from autoir.connectors.smtp.notifier import SmtpNotifier

__all__ = ["SecretValue", "SmtpConfig", "SmtpNotifier", "SmtpSecurity"]
