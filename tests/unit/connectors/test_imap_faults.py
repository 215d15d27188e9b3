"""IMAP connector faults on a real Dovecot: the server stopped and restarted mid-cluster-action."""

from __future__ import annotations

from collections import Counter
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from autoir.connectors.imap import ImapEmailSystem, ImapSettings
from autoir.domain.errors import ConnectorUnavailable
from autoir.mime.identity import derive_network_message_id
from autoir.ports.remediation import EmailOperation, MessageRef, MessageStatus
from tests.support.dovecot import DovecotServer, FaultProxy

pytestmark = pytest.mark.dovecot

MAILBOXES = [f"user{n:02d}@contoso.com" for n in range(50)]
STOP_AFTER = 20


def _mail(mailbox: str, subject: str, message_id: str) -> bytes:
    message = EmailMessage()
    message["From"] = "it-support@contoso-helpdesk.example"
    message["To"] = mailbox
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(f"{subject}\n")
    return message.as_bytes(policy=policy.SMTP)


def _system(server: DovecotServer, state_dir: Path) -> ImapEmailSystem:
    return ImapEmailSystem(server.imap_settings(timeout=5.0), state_dir)


def test_server_restart_mid_cluster_soft_delete_completes_once_and_loses_nothing(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    refs = []
    for mailbox in MAILBOXES:
        phish = _mail(
            mailbox, "Your password expires today", "<expiry-77@contoso-helpdesk.example>"
        )
        dovecot.deliver(mailbox, "INBOX", _mail(mailbox, "Lunch?", f"<lunch-{mailbox}>"))
        dovecot.deliver(mailbox, "INBOX", phish)
        dovecot.deliver(mailbox, "Archive", _mail(mailbox, "Old thread", f"<old-{mailbox}>"))
        refs.append(
            MessageRef(
                mailbox,
                network_message_id=derive_network_message_id(phish),
                internet_message_id="<expiry-77@contoso-helpdesk.example>",
            )
        )
    state = tmp_path / "state"
    first = _system(dovecot, state)

    def stop_midway(done: int, _total: int) -> None:
        if done == STOP_AFTER:
            dovecot.stop()

    with pytest.raises(ConnectorUnavailable):
        first.apply("act-cluster", EmailOperation.SOFT_DELETE, refs, progress=stop_midway)
    first.close()
    dovecot.start()

    # A new process (same state dir) retries the same action.
    second = _system(dovecot, state)
    outcomes = second.apply("act-cluster", EmailOperation.SOFT_DELETE, refs)

    assert [o.status for o in outcomes] == [MessageStatus.DONE] * len(MAILBOXES)
    assert {(o.folder_before, o.folder_after) for o in outcomes} == {("Inbox", "Deleted Items")}
    for mailbox in MAILBOXES:
        subjects = {
            folder: Counter(_subject(raw) for raw in dovecot.messages(mailbox, folder))
            for folder in ("INBOX", "Trash", "Archive")
        }
        assert subjects == {
            "INBOX": Counter({"Lunch?": 1}),
            "Trash": Counter({"Your password expires today": 1}),
            "Archive": Counter({"Old thread": 1}),
        }, mailbox
    assert second.apply("act-cluster", EmailOperation.SOFT_DELETE, refs) == outcomes

    undo = [
        MessageRef(r.mailbox, r.network_message_id, r.internet_message_id, "Inbox") for r in refs
    ]
    back = second.apply("act-undo", EmailOperation.MOVE_BACK, undo)
    second.close()

    assert {(o.status, o.folder_after) for o in back} == {(MessageStatus.DONE, "Inbox")}
    for mailbox in MAILBOXES:
        assert dovecot.messages(mailbox, "Trash") == []
        assert sorted(_subject(raw) for raw in dovecot.messages(mailbox, "INBOX")) == [
            "Lunch?",
            "Your password expires today",
        ]


def test_server_restart_between_calls_is_transparent_to_pooled_sessions(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    raws = [_mail(m, "Invoice", "<inv-1@fabrikam.example>") for m in MAILBOXES[:5]]
    for mailbox, raw in zip(MAILBOXES[:5], raws, strict=True):
        dovecot.deliver(mailbox, "INBOX", raw)
    refs = [
        MessageRef(m, derive_network_message_id(raw), "<inv-1@fabrikam.example>")
        for m, raw in zip(MAILBOXES[:5], raws, strict=True)
    ]
    system = _system(dovecot, tmp_path)
    system.apply("act-1", EmailOperation.MOVE_TO_JUNK, refs[:2])

    dovecot.restart()  # the pooled sessions now point at a dead server process
    outcomes = system.apply("act-2", EmailOperation.MOVE_TO_JUNK, refs[2:])
    system.close()

    assert [o.status for o in outcomes] == [MessageStatus.DONE] * 3
    for mailbox in MAILBOXES[:5]:
        assert len(dovecot.messages(mailbox, "Junk")) == 1


def _subject(raw: bytes) -> str:
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(b"subject:"):
            return line.split(b":", 1)[1].strip().decode()
    return ""


def test_connection_cut_after_server_moved_copy_resumes_with_the_folder_it_came_from(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    proxy = FaultProxy(dovecot.host, dovecot.imap_port, dovecot.sieve_port)
    mailboxes = MAILBOXES[:10]
    refs = []
    for mailbox in mailboxes:
        phish = _mail(
            mailbox, "Your password expires today", "<expiry-78@contoso-helpdesk.example>"
        )
        dovecot.deliver(mailbox, "Archive", phish)
        refs.append(
            MessageRef(
                mailbox, derive_network_message_id(phish), "<expiry-78@contoso-helpdesk.example>"
            )
        )
    settings = ImapSettings(
        host=proxy.host,
        port=proxy.port,
        security="plain",
        master_user=dovecot.master_user,
        master_password=dovecot.master_password,
        store_mailbox=dovecot.store_mailbox,
        timeout=5.0,
    )
    system = ImapEmailSystem(settings, tmp_path)
    proxy.cut_after(b"UID MOVE")  # the server moves the first copy; its answer is lost

    with pytest.raises(ConnectorUnavailable):
        system.apply("act-cut", EmailOperation.SOFT_DELETE, refs)
    assert len(dovecot.messages(mailboxes[0], "Trash")) == 1  # the move did happen
    outcomes = system.apply("act-cut", EmailOperation.SOFT_DELETE, refs)
    system.close()
    proxy.close()

    assert {(o.status, o.folder_before, o.folder_after) for o in outcomes} == {
        (MessageStatus.DONE, "Archive", "Deleted Items")
    }
    for mailbox in mailboxes:
        assert len(dovecot.messages(mailbox, "Trash")) == 1
        assert dovecot.messages(mailbox, "Archive") == []
