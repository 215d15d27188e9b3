"""The IMAP session pool keeps a bounded number of idle logins across many mailboxes."""

from __future__ import annotations

import pytest

from autoir.connectors.imap.client import Login, Pool
from tests.support.dovecot import DovecotServer

pytestmark = [pytest.mark.dovecot, pytest.mark.integration]


def test_idle_sessions_past_the_cap_are_logged_out_least_recently_used_first(
    dovecot: DovecotServer,
) -> None:
    login = Login(dovecot.master_user, dovecot.master_password, "*", {})
    pool = Pool(dovecot.host, dovecot.imap_port, login, security="plain", size=2, max_idle=3)
    try:
        boxes = [f"pool{n}@contoso.com" for n in range(6)]
        for box in boxes:
            with pool.session(box) as session:
                session.command("NOOP")
        assert pool.idle_count == 3
        # The most recent mailboxes kept their session: reusing one opens no new login.
        with pool.session(boxes[-1]) as session:
            session.command("NOOP")
            assert pool.idle_count == 2
        assert pool.idle_count == 3
    finally:
        pool.close()
    assert pool.idle_count == 0
