"""The in-memory stand-in reads mailbox rules like ManageSieve does (demo enrichment)."""

from __future__ import annotations

from autoir.connectors.memory import InMemoryEmailSystem

SCRIPT = (
    'require ["copy", "vacation"];\r\n'
    'if true { redirect :copy "exfil@mailbox.test"; }\r\n'
    'if true { redirect "archive@contoso.com"; }\r\n'
    'if true { vacation :days 3 :subject "Away" "Back on Monday."; }\r\n'
)


def test_external_redirects_and_the_automatic_reply_are_reported() -> None:
    system = InMemoryEmailSystem()
    system.set_rules("Alice@contoso.com", {"roundcube": SCRIPT})
    rules = system.mailbox_rules("alice@contoso.com", ["contoso.com"])
    assert rules.external_forwarding == ("exfil@mailbox.test",)
    assert rules.out_of_office.active
    assert rules.out_of_office.subject == "Away"


def test_a_mailbox_without_rules_forwards_nothing() -> None:
    rules = InMemoryEmailSystem().mailbox_rules("bob@contoso.com", ["contoso.com"])
    assert rules.external_forwarding == ()
    assert not rules.out_of_office.active
