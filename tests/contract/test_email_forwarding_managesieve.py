"""The email contract's forwarding cases on the IMAP connector with its ManageSieve delegate.

The contract suite's Dovecot harness runs the IMAP connector alone (forwarding refused). Here
the same forwarding tests run against :class:`ImapEmailSystem` given a
:class:`ManageSieveForwarding` as its delegate, on the same Dovecot: ``set_rules``/``rules``
seed and read the mailbox's real Sieve scripts, and ``fail_next`` cuts the ManageSieve
connection through a :class:`FaultProxy` as it does the IMAP one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from autoir.connectors.imap import ImapEmailSystem, ImapSettings
from autoir.connectors.sieve.forwarding import ManageSieveForwarding, MasterUser
from autoir.connectors.sieve.managesieve import ManageSieveSession
from tests.contract.conftest import DovecotEmailHarness
from tests.contract.test_email_system import (
    ALICE,
    INTERNAL,
    test_forwarding_with_injected_failure_raises_unavailable_and_changes_nothing,
    test_restore_forwarding_puts_rules_back_exactly,
    test_turn_off_external_forwarding_leaves_other_mailboxes_alone,
    test_turn_off_external_forwarding_removes_only_external_redirects,
    test_turn_off_external_forwarding_repeated_action_id_returns_first_change,
)
from tests.support.dovecot import DovecotServer, FaultProxy

__all__ = [
    "test_forwarding_with_injected_failure_raises_unavailable_and_changes_nothing",
    "test_restore_forwarding_puts_rules_back_exactly",
    "test_turn_off_external_forwarding_leaves_other_mailboxes_alone",
    "test_turn_off_external_forwarding_removes_only_external_redirects",
    "test_turn_off_external_forwarding_repeated_action_id_returns_first_change",
]

pytestmark = pytest.mark.dovecot


class SieveEmailHarness(DovecotEmailHarness):
    """The contract's Dovecot harness, with ManageSieve forwarding behind the IMAP connector."""

    supports_forwarding = True

    def __init__(self, server: DovecotServer, state_dir: Path) -> None:
        super().__init__(server, state_dir / "imap")
        self.imap.close()
        self.sieve_proxy = FaultProxy(server.host, server.sieve_port, server.imap_port)
        self.forwarding = ManageSieveForwarding(
            server.host,
            self.sieve_proxy.port,
            credentials=MasterUser(server.master_user, server.master_password),
            state_path=state_dir / "sieve-state.json",
            timeout=5.0,
        )
        settings = ImapSettings(
            host=server.host,
            port=self.proxy.port,
            security="plain",
            master_user=server.master_user,
            master_password=server.master_password,
            store_mailbox=server.store_mailbox,
            retention=self.retention,
            timeout=5.0,
        )
        self.imap = ImapEmailSystem(
            settings, state_dir / "imap", forwarding=self.forwarding, clock=self.clock.now
        )
        self.system = self.imap

    def close(self) -> None:
        super().close()
        self.sieve_proxy.close()

    def _session(self, mailbox: str) -> ManageSieveSession:
        self.server.add_user(mailbox)
        session = ManageSieveSession(self.server.host, self.server.sieve_port)
        session.open(*self.server.master_login(mailbox))
        return session

    def set_rules(self, mailbox: str, scripts: Mapping[str, str]) -> None:
        """Replace every script of ``mailbox``; the first one given is the active one."""
        with self._session(mailbox) as session:
            session.setactive("")
            for name in session.listscripts().names:
                session.deletescript(name)
            for name, text in scripts.items():
                session.putscript(name, text)
            if scripts:
                session.setactive(next(iter(scripts)))

    def rules(self, mailbox: str) -> dict[str, str]:
        with self._session(mailbox) as session:
            return {name: session.getscript(name) for name in session.listscripts().names}

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None:
        super().fail_next(n, transient=transient)
        self.sieve_proxy.fail_next(n, transient=transient)


@pytest.fixture
def mailboxes(dovecot: DovecotServer) -> Iterator[SieveEmailHarness]:
    harness = SieveEmailHarness(dovecot, Path(tempfile.mkdtemp(prefix="autoir-sieve-contract-")))
    yield harness
    harness.close()


def test_turn_off_external_forwarding_without_external_redirects_changes_nothing(
    mailboxes: SieveEmailHarness,
) -> None:
    # The contract's own case puts `vacation` without `require "vacation"`, which Pigeonhole
    # refuses to store; the same case with the require.
    internal_only = {"main": 'require "vacation";\nredirect "bob@contoso.com";\nvacation "Away";\n'}
    mailboxes.set_rules(ALICE, internal_only)

    change = mailboxes.system.turn_off_external_forwarding("act-1", ALICE, INTERNAL)

    assert change.removed == ()
    assert change.previous == {}
    assert mailboxes.rules(ALICE) == internal_only
