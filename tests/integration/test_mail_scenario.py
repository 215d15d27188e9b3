"""The phishing scenario on a real mail server, end to end through the product.

A real phishing message from the shared datasets reaches 50 mailboxes over LMTP, among
legitimate mail (the SpamAssassin corpus). AutoIR reads the mailboxes; one user reports the
message to the report mailbox; the investigation finds the cluster and proposes a soft delete;
an analyst approves it; all 50 copies leave the inboxes and nothing else moves; undo puts every
copy back exactly where it was. Then a user with an external redirect and an out-of-office
reply: forwarding is turned off and restored by undo, the vacation rule untouched.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from autoir.bootstrap import Container, build
from autoir.bootstrap.analysis import AnalysisComponents
from autoir.connectors.sieve.managesieve import ManageSieveSession
from autoir.domain.access.permissions import Permission, Principal
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.settings import MailSettings, Settings
from tests.support.alerts import DATASETS
from tests.support.clock import FakeClock
from tests.support.dovecot import DovecotServer

pytestmark = [pytest.mark.dovecot, pytest.mark.integration, pytest.mark.slow]

DOMAIN = "contoso.com"
USERS = [f"user{n:02d}@{DOMAIN}" for n in range(1, 51)]
REPORTER = USERS[6]
REPORTS = f"phish-reports@{DOMAIN}"
PHISH = DATASETS / "emails" / "phish" / "sample-205.eml"
HAM = DATASETS / "emails" / "ham"
ANALYST = Principal("ana", "Ana", "Security administrator", frozenset(Permission))
SIEVE = (
    'require ["copy", "vacation"];\r\n'
    "# rule:[Forward]\r\n"
    "if true\r\n{\r\n"
    '\tredirect :copy "exfil@mailbox.test";\r\n'
    "}\r\n"
    "# rule:[Away]\r\n"
    "if true\r\n{\r\n"
    '\tvacation :days 3 :subject "Away" "Back on Monday.";\r\n'
    "}\r\n"
)

if not (PHISH.exists() and HAM.is_dir()):
    pytest.skip("the shared datasets are absent", allow_module_level=True)


@pytest.fixture
def app(
    dovecot: DovecotServer,
    tmp_path: Path,
    clock: FakeClock,
    sqlite_template: Path,
    analysis: AnalysisComponents,
) -> Iterator[Container]:
    shutil.copy(sqlite_template, tmp_path / "autoir.db")
    settings = Settings(
        data_dir=tmp_path,
        tenant_id="11111111-2222-3333-4444-555555555555",
        organisation_domains=frozenset({DOMAIN}),
        mail=MailSettings(
            imap_host=dovecot.host,
            imap_port=dovecot.imap_port,
            imap_security="plain",
            master_user=dovecot.master_user,
            master_password=dovecot.master_password,
            store_mailbox=dovecot.store_mailbox,
            mailboxes=USERS,
            report_mailbox=REPORTS,
            sieve_port=dovecot.sieve_port,
            sieve_security="plain",
        ),
    )
    built = build(settings, clock=clock, analysis=analysis)
    yield built
    built.close()


def layout(dovecot: DovecotServer) -> dict[tuple[str, str], list[bytes]]:
    """Every message of every user, by (mailbox, folder), as stored bytes."""
    found: dict[tuple[str, str], list[bytes]] = {}
    for user in USERS:
        for folder in dovecot.folders(user):
            stored = sorted(dovecot.messages(user, folder))
            if stored:
                found[(user, folder)] = stored
    return found


def run_actions(app: Container) -> None:
    executor = app.automation.remediation.executor
    for action_id in executor.sweep():
        executor.execute(action_id, "worker-1")


def test_a_reported_phish_is_removed_from_all_50_mailboxes_and_undo_puts_it_back(
    app: Container, dovecot: DovecotServer
) -> None:
    assert app.mail is not None
    ham = sorted(HAM.rglob("*.eml"))[:150]
    for number, path in enumerate(ham):
        dovecot.deliver_lmtp([USERS[number % len(USERS)]], path.read_bytes())
    phish = PHISH.read_bytes()
    dovecot.deliver_lmtp(USERS, phish, sender="no-reply@phish.example")
    before = layout(dovecot)
    phish_id = _header(phish, "Message-ID")

    scanned = app.mail.scan()
    assert scanned.scan is not None
    assert not scanned.scan.failed
    assert scanned.created >= 1

    # The reporter forwards it as an attachment to the report mailbox.
    (reported,) = [raw for raw in dovecot.messages(REPORTER, "INBOX") if phish_id in raw]
    report = EmailMessage()
    report["From"] = REPORTER
    report["To"] = REPORTS
    report["Subject"] = "Phishing?"
    report.set_content("This looks fake.\n")
    report.add_attachment(reported, maintype="message", subtype="rfc822")
    dovecot.deliver_lmtp([REPORTS], report.as_bytes(), sender=REPORTER)
    result = app.mail.scan()
    assert result.reports == 1
    (alert_id,) = result.alert_ids

    automation = app.automation
    automation.investigations.sweep()
    investigation_id = automation.investigations.ids_for([alert_id])[alert_id]
    assert automation.runner.advance(investigation_id, "worker-1") is not None
    detail = automation.investigations.get(investigation_id)
    deletes = [
        a
        for a in detail.actions
        if a.action_type.value == "softDeleteEmail" and a.status is ActionStatus.PENDING
    ]
    # One action per cluster of the campaign, none per copy the clusters already list.
    assert deletes, [(a.action_type.value, a.status.value) for a in detail.actions]
    assert all(a.properties.get("clusterBy") for a in deletes), [a.target_name for a in deletes]

    automation.remediation.center.approve(ANALYST, [a.id for a in deletes], "confirmed phish")
    run_actions(app)
    for delete in deletes:
        done = automation.remediation.center.get(delete.id)
        assert done.status is ActionStatus.COMPLETED, (done.status, done.error, done.result)
    moved = [automation.remediation.center.get(a.id).result["counts"]["done"] for a in deletes]
    assert sum(moved) == len(USERS), moved
    after = layout(dovecot)
    in_trash = [
        user for user in USERS if any(phish_id in raw for raw in after.get((user, "Trash"), []))
    ]
    assert sorted(in_trash) == USERS
    assert not any(
        phish_id in raw
        for (_user, folder), messages in after.items()
        if folder != "Trash"
        for raw in messages
    )
    # Nothing else moved.
    assert _without(after, phish_id) == _without(before, phish_id)

    for delete in deletes:
        automation.remediation.center.undo(ANALYST, delete.id, "false positive drill")
    run_actions(app)
    assert layout(dovecot) == before


def test_external_forwarding_is_turned_off_and_restored_the_vacation_kept(
    app: Container, dovecot: DovecotServer
) -> None:
    user = USERS[11]
    with ManageSieveSession(dovecot.host, dovecot.sieve_port) as session:
        session.open(*dovecot.master_login(user))
        session.putscript("roundcube", SIEVE)
        session.setactive("roundcube")
    center = app.automation.remediation.center
    action = center.request(
        ANALYST,
        {"actionType": "turnOffExternalForwarding", "target": {"kind": "mailbox", "mailbox": user}},
    )
    run_actions(app)
    done = center.get(action.id)
    assert done.status is ActionStatus.COMPLETED, done.result
    script = _script(dovecot, user)
    assert "exfil@mailbox.test" not in script
    assert 'vacation :days 3 :subject "Away" "Back on Monday.";' in script

    center.undo(ANALYST, action.id, "the user asked for it back")
    run_actions(app)
    assert _script(dovecot, user) == SIEVE


def _script(dovecot: DovecotServer, user: str) -> str:
    with ManageSieveSession(dovecot.host, dovecot.sieve_port) as session:
        session.open(*dovecot.master_login(user))
        return session.getscript("roundcube")


def _header(raw: bytes, name: str) -> bytes:
    value = message_from_bytes(raw, policy=policy.compat32)[name]
    assert value, f"no {name} header"
    return str(value).strip().encode()


def _without(
    layout: dict[tuple[str, str], list[bytes]], message_id: bytes
) -> dict[tuple[str, str], list[bytes]]:
    kept = {
        key: [raw for raw in messages if message_id not in raw] for key, messages in layout.items()
    }
    return {key: messages for key, messages in kept.items() if messages}


def test_investigating_a_mailbox_reads_its_rules_and_proposes_turning_forwarding_off(
    app: Container, dovecot: DovecotServer
) -> None:
    forwarding, quiet = USERS[20], USERS[21]
    # The quiet user forwards inside the organisation only, and has no automatic reply.
    internal_only = SIEVE.split("# rule:[Away]", maxsplit=1)[0].replace(
        "exfil@mailbox.test", f"archive@{DOMAIN}"
    )
    for user, script in ((forwarding, SIEVE), (quiet, internal_only)):
        with ManageSieveSession(dovecot.host, dovecot.sieve_port) as session:
            session.open(*dovecot.master_login(user))
            session.putscript("roundcube", script)
            session.setactive("roundcube")
    automation = app.automation
    for user in (forwarding, quiet):
        record = automation.investigations.start_manual(
            ANALYST, {"entityType": "mailbox", "value": user}
        )
        assert automation.runner.advance(record.id, "worker-1") is not None
        detail = automation.investigations.get(record.id)
        (mailbox,) = [e for e in detail.evidence if e.kind == "mailbox"]
        proposed = [a.action_type.value for a in detail.actions]
        if user == forwarding:
            assert mailbox.properties["externalForwarding"] == ["exfil@mailbox.test"]
            assert mailbox.properties["outOfOffice"] == {
                "active": True,
                "subject": "Away",
                "days": 3,
            }
            assert mailbox.verdict.value == "suspicious"
            assert proposed == ["turnOffExternalForwarding"]
        else:
            # Forwarding inside the organisation is not a threat.
            assert mailbox.properties["externalForwarding"] == []
            assert mailbox.properties["outOfOffice"]["active"] is False
            assert proposed == []
