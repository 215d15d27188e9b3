"""Turning external forwarding off and back on over ManageSieve, against a real Dovecot.

Scripts are seeded with the adapter's own protocol client and checked on the server's disk
(``~/sieve/<name>.sieve`` and the ``~/.dovecot.sieve`` link to the active one), so the tests
see what Pigeonhole will run, not what the adapter believes.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from autoir.connectors.sieve.forwarding import ManageSieveForwarding, MasterUser
from autoir.connectors.sieve.managesieve import ManageSieveSession
from autoir.connectors.sieve.rules import OutOfOffice
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.ports.remediation import ForwardingChange
from tests.support.dovecot import DovecotServer, _free_port

pytestmark = [pytest.mark.dovecot, pytest.mark.integration]

ORG = ["contoso.com"]

# Roundcube's managesieve plugin writes CRLF; the last line has no line break on purpose.
ACTIVE = (
    'require ["fileinto","copy","vacation"];\r\n'
    "# rule:[Forward home]\r\n"
    "if true\r\n"
    "{\r\n"
    '\tredirect :copy "alice.home@gmail.com";\r\n'
    "}\r\n"
    "# rule:[Team]\r\n"
    'if header :contains "subject" "[team]"\r\n'
    "{\r\n"
    '\tredirect "team-lead@contoso.com";\r\n'
    '\tfileinto "Team";\r\n'
    "}\r\n"
    "# rule:[Out of office]\r\n"
    "if true\r\n"
    "{\r\n"
    '\tvacation :days 5 :subject "Away until Monday" "I am out of the office.";\r\n'
    "}"
)
ACTIVE_AFTER = (
    'require ["fileinto","copy","vacation"];\r\n'
    "# rule:[Team]\r\n"
    'if header :contains "subject" "[team]"\r\n'
    "{\r\n"
    '\tredirect "team-lead@contoso.com";\r\n'
    '\tfileinto "Team";\r\n'
    "}\r\n"
    "# rule:[Out of office]\r\n"
    "if true\r\n"
    "{\r\n"
    '\tvacation :days 5 :subject "Away until Monday" "I am out of the office.";\r\n'
    "}"
)
INACTIVE = 'redirect "drop@protonmail.test";\nkeep;\n'
UNTOUCHED = 'require "fileinto";\nif size :over 5M { fileinto "Large"; }\n'


def _mailbox() -> str:
    return f"u{uuid.uuid4().hex[:10]}@contoso.com"


def _session(server: DovecotServer, mailbox: str) -> ManageSieveSession:
    session = ManageSieveSession(server.host, server.sieve_port)
    session.open(*server.master_login(mailbox))
    return session


def _seed(server: DovecotServer, mailbox: str, scripts: dict[str, str], active: str) -> None:
    server.add_user(mailbox)
    with _session(server, mailbox) as session:
        for name, text in scripts.items():
            session.putscript(name, text)
        session.setactive(active)


def _on_disk(server: DovecotServer, mailbox: str) -> tuple[dict[str, str], str | None]:
    """Every script's bytes as Pigeonhole stores them, and the active one."""
    home = server.root / "mail" / mailbox
    scripts = {
        path.name.removesuffix(".sieve"): path.read_bytes().decode()
        for path in sorted((home / "sieve").glob("*.sieve"))
    }
    link = home / ".dovecot.sieve"
    active = link.readlink().name.removesuffix(".sieve") if link.is_symlink() else None
    return scripts, active


def _adapter(server: DovecotServer, state: Path) -> ManageSieveForwarding:
    return ManageSieveForwarding(
        server.host,
        server.sieve_port,
        credentials=MasterUser(server.master_user, server.master_password),
        state_path=state,
    )


@pytest.fixture
def seeded(dovecot_server: DovecotServer) -> str:
    mailbox = _mailbox()
    _seed(
        dovecot_server,
        mailbox,
        {"roundcube": ACTIVE, "old-forward": INACTIVE, "large": UNTOUCHED},
        "roundcube",
    )
    return mailbox


def test_only_external_redirects_go_and_the_vacation_stays(
    dovecot_server: DovecotServer, seeded: str, tmp_path: Path
) -> None:
    adapter = _adapter(dovecot_server, tmp_path / "state.json")
    assert adapter.out_of_office(seeded) == OutOfOffice(
        active=True, subject="Away until Monday", days=5
    )
    assert adapter.external_forwarding(seeded, ORG) == ["alice.home@gmail.com"]

    change = adapter.turn_off_external_forwarding("act-1", seeded, ORG)

    assert change.mailbox == seeded
    assert set(change.removed) == {"alice.home@gmail.com", "drop@protonmail.test"}
    assert change.previous == {"roundcube": ACTIVE, "old-forward": INACTIVE}
    scripts, active = _on_disk(dovecot_server, seeded)
    assert active == "roundcube"
    assert scripts == {"roundcube": ACTIVE_AFTER, "old-forward": "keep;\n", "large": UNTOUCHED}
    assert adapter.out_of_office(seeded) == OutOfOffice(
        active=True, subject="Away until Monday", days=5
    )
    assert adapter.external_forwarding(seeded, ORG) == []
    assert ForwardingChange.from_json(change.to_json()) == change


def test_undo_puts_back_the_exact_original_scripts(
    dovecot_server: DovecotServer, seeded: str, tmp_path: Path
) -> None:
    adapter = _adapter(dovecot_server, tmp_path / "state.json")
    change = adapter.turn_off_external_forwarding("act-1", seeded, ORG)

    adapter.restore_forwarding("undo-1", change)

    scripts, active = _on_disk(dovecot_server, seeded)
    assert scripts == {"roundcube": ACTIVE, "old-forward": INACTIVE, "large": UNTOUCHED}
    assert active == "roundcube"
    assert adapter.external_forwarding(seeded, ORG) == ["alice.home@gmail.com"]


def test_a_repeated_action_id_changes_nothing(
    dovecot_server: DovecotServer, seeded: str, tmp_path: Path
) -> None:
    adapter = _adapter(dovecot_server, tmp_path / "state.json")
    first = adapter.turn_off_external_forwarding("act-1", seeded, ORG)
    # The user sets up a new forward afterwards: only a new action may remove it.
    again = 'redirect "new@gmail.com";\n'
    with _session(dovecot_server, seeded) as session:
        session.putscript("roundcube", again)

    assert adapter.turn_off_external_forwarding("act-1", seeded, ORG) == first
    assert _on_disk(dovecot_server, seeded)[0]["roundcube"] == again

    adapter.restore_forwarding("undo-1", first)
    with _session(dovecot_server, seeded) as session:
        session.putscript("roundcube", again)
    adapter.restore_forwarding("undo-1", first)
    assert _on_disk(dovecot_server, seeded)[0]["roundcube"] == again

    second = adapter.turn_off_external_forwarding("act-2", seeded, ORG)  # the undo put both back
    assert set(second.removed) == {"new@gmail.com", "drop@protonmail.test"}
    assert second.previous == {"roundcube": again, "old-forward": INACTIVE}


def test_still_once_across_a_server_and_adapter_restart(
    dovecot_server: DovecotServer, seeded: str, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    first = _adapter(dovecot_server, state).turn_off_external_forwarding("act-1", seeded, ORG)
    before = _on_disk(dovecot_server, seeded)

    dovecot_server.restart()
    repeated = _adapter(dovecot_server, state).turn_off_external_forwarding("act-1", seeded, ORG)

    assert repeated == first
    assert _on_disk(dovecot_server, seeded) == before
    _adapter(dovecot_server, state).restore_forwarding("undo-1", repeated)
    dovecot_server.restart()
    _adapter(dovecot_server, state).restore_forwarding("undo-1", repeated)
    assert _on_disk(dovecot_server, seeded)[0]["roundcube"] == ACTIVE


def test_a_mailbox_without_forwarding_or_scripts(
    dovecot_server: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _mailbox()
    dovecot_server.add_user(mailbox)
    adapter = _adapter(dovecot_server, tmp_path / "state.json")

    change = adapter.turn_off_external_forwarding("act-1", mailbox, ORG)

    assert change == ForwardingChange(mailbox, (), {})
    assert adapter.out_of_office(mailbox) == OutOfOffice(active=False)
    adapter.restore_forwarding("undo-1", change)
    assert _on_disk(dovecot_server, mailbox) == ({}, None)


def test_an_inactive_vacation_is_reported_as_inactive(
    dovecot_server: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _mailbox()
    _seed(
        dovecot_server,
        mailbox,
        {"main": "keep;\n", "holiday": 'require "vacation";\nvacation :subject "Gone" "x";\n'},
        "main",
    )

    reply = _adapter(dovecot_server, tmp_path / "s.json").out_of_office(mailbox)

    assert reply == OutOfOffice(active=False, subject="Gone", days=None)


def test_server_errors_become_connector_errors(
    dovecot_server: DovecotServer, seeded: str, tmp_path: Path
) -> None:
    wrong = ManageSieveForwarding(
        dovecot_server.host,
        dovecot_server.sieve_port,
        credentials=MasterUser(dovecot_server.master_user, "not-the-password"),
        state_path=tmp_path / "state.json",
    )
    with pytest.raises(ConnectorRejected):
        wrong.turn_off_external_forwarding("act-1", seeded, ORG)
    nobody = ManageSieveForwarding(
        dovecot_server.host,
        _free_port(dovecot_server.host),
        credentials={seeded: "x"},
        state_path=tmp_path / "state.json",
        timeout=2,
    )
    with pytest.raises(ConnectorUnavailable):
        nobody.turn_off_external_forwarding("act-1", seeded, ORG)
    with pytest.raises(ConnectorRejected):
        nobody.out_of_office("someone-else@contoso.com")
    # Nothing was recorded by the failures: the action can still run.
    change = _adapter(dovecot_server, tmp_path / "state.json").turn_off_external_forwarding(
        "act-1", seeded, ORG
    )
    assert "alice.home@gmail.com" in change.removed


def test_a_crash_between_uploads_is_finished_from_the_recorded_originals(
    dovecot_server: DovecotServer, seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.json"
    real_put = ManageSieveSession.putscript
    uploads: list[str] = []

    def put_then_die(session: ManageSieveSession, name: str, text: str) -> None:
        if uploads:
            raise ConnectorUnavailable("the worker died here")
        uploads.append(name)
        real_put(session, name, text)

    monkeypatch.setattr(ManageSieveSession, "putscript", put_then_die)
    with pytest.raises(ConnectorUnavailable):
        _adapter(dovecot_server, state).turn_off_external_forwarding("act-1", seeded, ORG)
    assert len(uploads) == 1  # one script rewritten, the other not yet
    monkeypatch.setattr(ManageSieveSession, "putscript", real_put)

    change = _adapter(dovecot_server, state).turn_off_external_forwarding("act-1", seeded, ORG)

    assert change.previous == {"roundcube": ACTIVE, "old-forward": INACTIVE}
    assert _on_disk(dovecot_server, seeded)[0] == {
        "roundcube": ACTIVE_AFTER,
        "old-forward": "keep;\n",
        "large": UNTOUCHED,
    }
    _adapter(dovecot_server, state).restore_forwarding("undo-1", change)
    assert _on_disk(dovecot_server, seeded)[0]["roundcube"] == ACTIVE


def test_starttls_is_required_when_asked_for(
    dovecot_server: DovecotServer, seeded: str, tmp_path: Path
) -> None:
    adapter = ManageSieveForwarding(
        dovecot_server.host,
        dovecot_server.sieve_port,
        credentials=MasterUser(dovecot_server.master_user, dovecot_server.master_password),
        state_path=tmp_path / "state.json",
        starttls=True,
    )

    # This test server offers no TLS: the password must not go out in clear text.
    with pytest.raises(ConnectorRejected, match="STARTTLS"):
        adapter.turn_off_external_forwarding("act-1", seeded, ORG)
    assert _on_disk(dovecot_server, seeded)[0]["roundcube"] == ACTIVE
