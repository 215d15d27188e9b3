"""A cluster soft delete over 50 mailboxes, in parallel, with Dovecot restarted in the middle.

The campaign arrives as production mail does: one LMTP transaction to 50 recipients, so every
copy carries Dovecot's own trace headers (the refs' network message ids are derived from the
stored bytes, as the mail scanner derives them). Each mailbox also has legitimate mail in INBOX
and Archive, which must never move. The action either finishes or raises ConnectorUnavailable;
the retry with the same action id completes; every copy ends in Trash exactly once, and the undo
(built from the outcomes as ``action_dispatch._email_undo`` builds it) puts each one back.
"""

from __future__ import annotations

from collections import Counter
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from autoir.connectors.imap import ImapEmailSystem
from autoir.domain.errors import ConnectorUnavailable
from autoir.mime.identity import derive_network_message_id
from autoir.ports.remediation import EmailOperation, MessageOutcome, MessageRef, MessageStatus
from tests.support.dovecot import DovecotServer

pytestmark = [pytest.mark.dovecot, pytest.mark.integration]

MAILBOXES = [f"staff{n:02d}@contoso.com" for n in range(50)]
CAMPAIGN_ID = "<payroll-update-1204@contoso-hr.example>"
CAMPAIGN = "Payroll update: confirm your bank details"
RESTART_AT = 20


def _mail(to: str, subject: str, message_id: str, sender: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(f"{subject}\n")
    return message.as_bytes(policy=policy.SMTP)


def _system(server: DovecotServer, state_dir: Path, pool_size: int = 4) -> ImapEmailSystem:
    return ImapEmailSystem(server.imap_settings(timeout=5.0, pool_size=pool_size), state_dir)


def _subject(raw: bytes) -> str:
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"subject:"):
            return line.split(b":", 1)[1].strip().decode()
    return ""


def _contents(server: DovecotServer, mailbox: str) -> dict[str, Counter[str]]:
    return {
        folder: Counter(_subject(raw) for raw in server.messages(mailbox, folder))
        for folder in ("INBOX", "Junk", "Trash", "Archive")
    }


def _seed(server: DovecotServer, mailboxes: list[str]) -> list[MessageRef]:
    """The campaign (one LMTP transaction) and legitimate mail; the refs of the campaign."""
    for mailbox in mailboxes:
        lunch = _mail(mailbox, "Lunch on Friday?", f"<lunch-{mailbox}>", "bob@contoso.com")
        server.deliver_lmtp([mailbox], lunch, sender="bob@contoso.com")
        server.deliver(
            mailbox,
            "Archive",
            _mail(mailbox, "Payroll calendar 2026", f"<calendar-{mailbox}>", "hr@contoso.com"),
        )
    campaign = _mail("staff@contoso.com", CAMPAIGN, CAMPAIGN_ID, "payroll@contoso-hr.example")
    server.deliver_lmtp(mailboxes, campaign, sender="bounce@contoso-hr.example")
    refs = []
    for mailbox in mailboxes:
        (stored,) = [r for r in server.messages(mailbox, "INBOX") if _subject(r) == CAMPAIGN]
        assert stored.startswith(b"Return-Path: <bounce@contoso-hr.example>\r\n")
        assert b"with LMTP" in stored
        refs.append(MessageRef(mailbox, derive_network_message_id(stored), CAMPAIGN_ID))
    return refs


def _undo_refs(outcomes: list[MessageOutcome]) -> list[MessageRef]:
    """As ``action_dispatch._email_undo``: every done copy, back to its folder before."""
    refs = []
    for entry in (o.to_json() for o in outcomes):
        if entry["status"] != MessageStatus.DONE.value:
            continue
        ref = MessageRef.from_json(entry["message"])
        refs.append(
            MessageRef(
                ref.mailbox,
                ref.network_message_id,
                ref.internet_message_id,
                entry.get("folderBefore"),
            )
        )
    return refs


def test_cluster_soft_delete_survives_a_restart_and_its_undo_puts_every_copy_back(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    refs = _seed(dovecot, MAILBOXES)
    system = _system(dovecot, tmp_path / "state")
    restarted: list[int] = []
    seen: list[int] = []

    def restart_midway(done: int, total: int) -> None:
        assert total == len(MAILBOXES)
        seen.append(done)
        if done >= RESTART_AT and not restarted:
            restarted.append(done)
            dovecot.restart()

    try:
        first = system.apply("act-cluster", EmailOperation.SOFT_DELETE, refs, restart_midway)
    except ConnectorUnavailable:
        first = None
    assert restarted
    assert seen == sorted(seen)

    outcomes = system.apply("act-cluster", EmailOperation.SOFT_DELETE, refs)

    if first is not None:
        assert outcomes == first
    assert [o.ref for o in outcomes] == refs
    assert [o.status for o in outcomes] == [MessageStatus.DONE] * len(MAILBOXES)
    assert {(o.folder_before, o.folder_after) for o in outcomes} == {("Inbox", "Deleted Items")}
    for mailbox in MAILBOXES:
        assert _contents(dovecot, mailbox) == {
            "INBOX": Counter({"Lunch on Friday?": 1}),
            "Junk": Counter(),
            "Trash": Counter({CAMPAIGN: 1}),
            "Archive": Counter({"Payroll calendar 2026": 1}),
        }, mailbox
    assert system.apply("act-cluster", EmailOperation.SOFT_DELETE, refs) == outcomes

    back = system.apply("act-undo", EmailOperation.MOVE_BACK, _undo_refs(outcomes))
    system.close()

    assert [(o.status, o.folder_before, o.folder_after) for o in back] == [
        (MessageStatus.DONE, "Deleted Items", "Inbox")
    ] * len(MAILBOXES)
    for mailbox in MAILBOXES:
        assert _contents(dovecot, mailbox) == {
            "INBOX": Counter({"Lunch on Friday?": 1, CAMPAIGN: 1}),
            "Junk": Counter(),
            "Trash": Counter(),
            "Archive": Counter({"Payroll calendar 2026": 1}),
        }, mailbox


def test_a_copy_the_user_already_deleted_is_not_found_and_the_others_are_done(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailboxes = MAILBOXES[:6]
    refs = _seed(dovecot, mailboxes)
    with dovecot.imap(mailboxes[3]) as imap:  # the user deleted it for good
        imap.select("INBOX")
        typ, data = imap.uid("SEARCH", "HEADER", "Message-ID", f'"{CAMPAIGN_ID}"')
        assert typ == "OK"
        assert data[0]
        imap.uid("STORE", data[0].decode(), "+FLAGS.SILENT", "(\\Deleted)")
        imap.expunge()
    system = _system(dovecot, tmp_path, pool_size=2)

    outcomes = system.apply("act-1", EmailOperation.SOFT_DELETE, refs)
    system.close()

    assert [o.status for o in outcomes] == [
        MessageStatus.DONE,
        MessageStatus.DONE,
        MessageStatus.DONE,
        MessageStatus.NOT_FOUND,
        MessageStatus.DONE,
        MessageStatus.DONE,
    ]
    assert (outcomes[3].folder_before, outcomes[3].folder_after) == (None, None)
    assert _contents(dovecot, mailboxes[3]) == {
        "INBOX": Counter({"Lunch on Friday?": 1}),
        "Junk": Counter(),
        "Trash": Counter(),
        "Archive": Counter({"Payroll calendar 2026": 1}),
    }
    for mailbox in mailboxes[:3] + mailboxes[4:]:
        assert _contents(dovecot, mailbox)["Trash"] == Counter({CAMPAIGN: 1})
