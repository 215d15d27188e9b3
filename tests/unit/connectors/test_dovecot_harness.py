"""The Dovecot test harness itself: master-user access, special-use folders, the admin store."""

from __future__ import annotations

import imaplib
from email import policy
from email.message import EmailMessage

import pytest

from tests.support.dovecot import DovecotServer

pytestmark = pytest.mark.dovecot


def _mail(subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = "billing@fabrikam.example"
    message["To"] = "alice@contoso.com"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject}@fabrikam.example>"
    message.set_content("Hello.\n")
    return message.as_bytes(policy=policy.SMTP)  # CRLF, as IMAP carries and stores it


def test_deliver_as_master_then_find_by_message_id(dovecot: DovecotServer) -> None:
    raw = _mail("one")
    dovecot.deliver("alice@contoso.com", "Projects/Suppliers", raw)

    assert dovecot.folder_of("alice@contoso.com", "<one@fabrikam.example>") == "Projects/Suppliers"
    assert dovecot.messages("alice@contoso.com", "Projects/Suppliers") == [raw]
    assert {"INBOX", "Junk", "Trash", "Archive"} <= set(dovecot.folders("alice@contoso.com"))


def test_users_log_in_with_their_own_password_and_not_into_the_store(
    dovecot: DovecotServer,
) -> None:
    password = dovecot.add_user("bob@contoso.com", "bobpw")
    with imaplib.IMAP4(dovecot.host, dovecot.imap_port, timeout=5) as imap:
        assert imap.login("bob@contoso.com", password)[0] == "OK"
    with (
        imaplib.IMAP4(dovecot.host, dovecot.imap_port, timeout=5) as imap,
        pytest.raises(imaplib.IMAP4.error),
    ):
        imap.login(f"{dovecot.store_mailbox}*bob@contoso.com", password)


def test_reset_empties_mailboxes(dovecot: DovecotServer) -> None:
    dovecot.deliver("alice@contoso.com", "INBOX", _mail("two"))
    dovecot.deliver("alice@contoso.com", "Custom", _mail("three"))

    dovecot.reset()

    assert dovecot.messages("alice@contoso.com", "INBOX") == []
    assert "Custom" not in dovecot.folders("alice@contoso.com")
