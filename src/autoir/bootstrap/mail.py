"""Wiring of the organisation's mail server: IMAP for mailboxes, ManageSieve for forwarding.

With ``AUTOIR_MAIL__IMAP_HOST`` set, remediation acts on real mailboxes
(:class:`~autoir.connectors.imap.ImapEmailSystem` with a
:class:`~autoir.connectors.sieve.forwarding.ManageSieveForwarding` delegate) and the mailboxes are
read for telemetry (:class:`~autoir.connectors.imap.scanner.ImapMailboxScanner`). Their state
(the action journal, the scan cursors, the Sieve originals kept for undo) lives under
``data_dir/mail``. Without a host, :func:`build_mail` returns None and the in-memory stand-in
is the email system.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from autoir.connectors.dovecot import DoveadmDirectory
from autoir.connectors.imap import ImapEmailSystem, ImapSettings
from autoir.connectors.imap.scanner import ImapMailboxScanner
from autoir.connectors.sieve.forwarding import ManageSieveForwarding, MasterUser
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.services.mailbox_ingest import MailIngestSettings
from autoir.settings import MailSettings, Settings


@dataclass(frozen=True, slots=True)
class MailServer:
    """The adapters on one mail server, and what to read."""

    email: ImapEmailSystem
    rules: ManageSieveForwarding
    """Forwarding and out-of-office of mailboxes (enrichment for investigations)."""
    source: ImapMailboxScanner
    ingest: MailIngestSettings
    directory: DoveadmDirectory | None = None
    """Every mailbox the server has (doveadm), read at each full scan."""

    def close(self) -> None:
        """Close the connection pools and state files."""
        self.email.close()
        self.source.close()


def build_mail(settings: Settings) -> MailServer | None:
    """The IMAP and ManageSieve adapters for ``settings.mail``, or None without a host.

    Raises:
        ValidationFailed: a setting that cannot work (no credentials, unreadable files).
    """
    mail = settings.mail
    if not mail.imap_host:
        return None
    passwords = _passwords(mail.passwords_file)
    master_password = mail.master_password.get_secret_value() if mail.master_password else None
    if not (mail.master_user and master_password) and not passwords:
        raise ValidationFailed(
            [
                FieldError(
                    "mail.master_user",
                    "AUTOIR_MAIL__IMAP_HOST needs AUTOIR_MAIL__MASTER_USER and "
                    "AUTOIR_MAIL__MASTER_PASSWORD, or AUTOIR_MAIL__PASSWORDS_FILE",
                )
            ]
        )
    context = _ssl_context(mail)
    imap = ImapSettings(
        host=mail.imap_host,
        port=mail.effective_imap_port(),
        security=mail.imap_security,
        ssl_context=context,
        master_user=mail.master_user,
        master_password=master_password,
        master_separator=mail.master_separator,
        passwords=passwords,
        store_mailbox=mail.store_mailbox,
        trash_folder=mail.trash_folder,
        junk_folder=mail.junk_folder,
        archive_folder=mail.archive_folder,
        retention=timedelta(days=mail.retention_days),
        timeout=mail.timeout_seconds,
        pool_size=mail.pool_size,
    )
    state = settings.data_dir / "mail"
    state.mkdir(parents=True, exist_ok=True)
    credentials = (
        MasterUser(mail.master_user, master_password, mail.master_separator)
        if mail.master_user and master_password
        else passwords
    )
    forwarding = ManageSieveForwarding(
        mail.sieve_host or mail.imap_host,
        mail.sieve_port,
        credentials=credentials,
        state_path=state / "sieve.json",
        starttls=mail.sieve_security == "starttls",
        tls=mail.sieve_security == "tls",
        ssl_context=context,
        timeout=mail.timeout_seconds,
    )
    directory = None
    if mail.doveadm_url:
        if mail.doveadm_api_key is None:
            raise ValidationFailed(
                [FieldError("mail.doveadm_api_key", "AUTOIR_MAIL__DOVEADM_URL needs the API key")]
            )
        directory = DoveadmDirectory(
            mail.doveadm_url,
            mail.doveadm_api_key.get_secret_value(),
            user_mask=mail.doveadm_user_mask,
            ssl_context=context,
            timeout=mail.timeout_seconds,
        )
    if not (mail.mailboxes or mail.mailboxes_file or directory):
        raise ValidationFailed(
            [
                FieldError(
                    "mail.mailboxes",
                    "say which mailboxes to read: AUTOIR_MAIL__MAILBOXES, "
                    "AUTOIR_MAIL__MAILBOXES_FILE or AUTOIR_MAIL__DOVEADM_URL",
                )
            ]
        )
    return MailServer(
        email=ImapEmailSystem(imap, state / "actions", forwarding=forwarding),
        rules=forwarding,
        source=ImapMailboxScanner(imap, state / "scan", concurrency=mail.scan_concurrency),
        ingest=MailIngestSettings(
            mailboxes=tuple(_mailboxes(mail)),
            report_mailbox=mail.report_mailbox,
            report_folder=mail.report_folder,
            organisation_domains=frozenset(d.lower() for d in settings.organisation_domains),
            detect=mail.detect,
        ),
        directory=directory,
    )


def _ssl_context(mail: MailSettings) -> ssl.SSLContext | None:
    if mail.imap_security == "plain" and mail.sieve_security == "plain":
        return None
    return ssl.create_default_context(cafile=str(mail.ca_file) if mail.ca_file else None)


def _mailboxes(mail: MailSettings) -> list[str]:
    boxes = [m.strip().lower() for m in mail.mailboxes if m.strip()]
    if mail.mailboxes_file is not None:
        try:
            lines = mail.mailboxes_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ValidationFailed(
                [FieldError("mail.mailboxes_file", f"cannot read {mail.mailboxes_file}: {exc}")]
            ) from exc
        boxes += [
            line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
        ]
    return list(dict.fromkeys(boxes))


def _passwords(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationFailed(
            [FieldError("mail.passwords_file", f"cannot read {path} as JSON: {exc}")]
        ) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValidationFailed(
            [FieldError("mail.passwords_file", f"{path} must hold an object address → password")]
        )
    return {k.lower(): v for k, v in data.items()}
