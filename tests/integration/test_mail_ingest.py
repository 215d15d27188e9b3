"""Reading real mailboxes: telemetry, detections after delivery and user reports, on Dovecot.

The application is built from settings that point at the throw-away Dovecot (``AUTOIR_MAIL__*``
in production), so the wiring of :mod:`autoir.bootstrap.mail` is under test too.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from autoir.bootstrap import Container, build
from autoir.bootstrap.analysis import AnalysisComponents
from autoir.connectors.imap import ImapEmailSystem, utf7
from autoir.domain.telemetry.clusters import ClusterKey
from autoir.settings import MailSettings, Settings
from tests.cli.test_cli import autoir
from tests.support.alerts import DATASETS
from tests.support.clock import FakeClock
from tests.support.dovecot import DovecotServer

pytestmark = [pytest.mark.dovecot, pytest.mark.integration]

DOMAIN = "contoso.com"
ALICE, BOB, CAROL = (f"{name}@{DOMAIN}" for name in ("alice", "bob", "carol"))
REPORTS = f"phish-reports@{DOMAIN}"
REPORT_FOLDER = "Report Phish"
PHISH_SAMPLE = DATASETS / "emails" / "phish" / "sample-205.eml"


def mail(number: int, to: str, *, sender: str = "news@fabrikam.example") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = f"Quarterly newsletter {number}"
    message["Message-ID"] = f"<news-{number}@fabrikam.example>"
    message["Date"] = "Thu, 03 Dec 2026 09:00:00 +0000"
    message.set_content(f"Newsletter number {number}.\n")
    return message.as_bytes()


def report_of(reported: bytes, reporter: str) -> bytes:
    """What "forward as attachment" sends to the report mailbox."""
    report = EmailMessage()
    report["From"] = reporter
    report["To"] = REPORTS
    report["Subject"] = "Phishing report"
    report["Message-ID"] = f"<report-{reporter}@{DOMAIN}>"
    report.set_content("I think this is phishing.\n")
    report.add_attachment(reported, maintype="message", subtype="rfc822")
    return report.as_bytes()


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
            mailboxes=[ALICE, BOB, CAROL],
            report_mailbox=REPORTS,
            report_folder=REPORT_FOLDER,
            sieve_port=dovecot.sieve_port,
            sieve_security="plain",
        ),
    )
    built = build(settings, clock=clock, analysis=analysis)
    yield built
    built.close()


def test_the_mail_server_replaces_the_stand_in(app: Container) -> None:
    assert isinstance(app.automation.remediation.connectors.email, ImapEmailSystem)
    assert app.mail is not None
    assert app.automation.mail_poller is not None


def test_a_scan_stores_every_copy_once_with_its_mailbox_and_folder(
    app: Container, dovecot: DovecotServer
) -> None:
    assert app.mail is not None
    dovecot.deliver(ALICE, "INBOX", mail(1, ALICE))
    dovecot.deliver(ALICE, "Junk", mail(2, ALICE))
    dovecot.deliver(BOB, "INBOX", mail(3, BOB))
    dovecot.deliver(BOB, "Trash", mail(4, BOB))
    dovecot.deliver(BOB, utf7.encode("Projets/Reçus"), mail(9, BOB))  # a custom folder

    first = app.mail.scan()
    assert first.scan is not None
    assert not first.scan.failed
    assert first.created == 5

    by_subject = {
        m.subject: m
        for box in (ALICE, BOB)
        for m in app.telemetry.messages(
            app.telemetry.cluster(ClusterKey.RECIPIENT, box, limit=10).network_message_ids
        )
    }
    assert {
        s: (m.recipients, m.delivery_location.value, m.folder) for s, m in by_subject.items()
    } == {
        "Quarterly newsletter 1": ((ALICE,), "inbox", "Inbox"),
        "Quarterly newsletter 2": ((ALICE,), "junkFolder", "Junk"),
        "Quarterly newsletter 3": ((BOB,), "inbox", "Inbox"),
        "Quarterly newsletter 4": ((BOB,), "deletedFolder", "Deleted Items"),
        "Quarterly newsletter 9": ((BOB,), "inbox", "Projets/Reçus"),
    }

    again = app.mail.scan()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 0)

    dovecot.deliver(CAROL, "INBOX", mail(5, CAROL))
    later = app.mail.scan()
    assert (later.created, later.updated) == (1, 0)


def test_a_copy_the_user_moved_is_found_where_it_is_now_not_counted_twice(
    app: Container, dovecot: DovecotServer
) -> None:
    assert app.mail is not None
    dovecot.deliver(ALICE, "INBOX", mail(1, ALICE))
    app.mail.scan()
    with dovecot.imap(ALICE) as imap:
        imap.select("INBOX")
        assert imap.uid("MOVE", "1:*", "Junk")[0] == "OK"

    moved = app.mail.scan()
    assert (moved.created, moved.updated) == (0, 1)
    ids = app.telemetry.cluster(ClusterKey.RECIPIENT, ALICE, limit=10).network_message_ids
    (stored,) = app.telemetry.messages(ids)
    assert stored.delivery_location.value == "junkFolder"


def test_a_report_raises_a_user_reported_alert_with_the_reporters_copy_and_starts_the_playbook(
    app: Container, dovecot: DovecotServer
) -> None:
    assert app.mail is not None
    suspicious = mail(7, CAROL, sender="it-support@contoso-helpdesk.example")
    dovecot.deliver(CAROL, "INBOX", suspicious)
    app.mail.scan()
    dovecot.deliver(REPORTS, "INBOX", report_of(suspicious, CAROL))

    result = app.mail.scan()
    assert result.reports == 1
    (alert_id,) = result.alert_ids
    assert alert_id.startswith("fa")
    alert, _ = app.alerts.get(alert_id)
    assert alert.title == "Email reported by user as malware or phish"
    assert alert.detector_id == "autoir.email.user_report"
    kinds = {e["@odata.type"].rsplit(".", 1)[1]: e for e in alert.evidence}
    assert kinds["mailboxEvidence"]["primaryAddress"] == CAROL
    (carols_copy,) = app.telemetry.messages(
        app.telemetry.cluster(ClusterKey.RECIPIENT, CAROL, limit=10).network_message_ids
    )
    assert kinds["analyzedMessageEvidence"]["networkMessageId"] == carols_copy.network_message_id
    # The report mail itself is not telemetry.
    assert app.telemetry.cluster(ClusterKey.RECIPIENT, REPORTS, limit=10).email_count == 0

    started = app.automation.investigations.sweep()
    assert len(started) == 1
    investigation = app.automation.investigations.get(started[0])
    assert investigation.record.playbook_id == "playbook.user_reported_phish"

    # Read again (a crash before the cursor moved): one alert still.
    assert app.mail.scan().reports == 0


def test_a_message_filed_in_the_report_folder_is_a_report_by_that_mailbox(
    app: Container, dovecot: DovecotServer
) -> None:
    assert app.mail is not None
    dovecot.deliver(BOB, REPORT_FOLDER, mail(8, BOB, sender="billing@fabrikam-payments.example"))
    result = app.mail.scan()
    assert result.reports == 1
    assert result.created == 1
    (alert_id,) = result.alert_ids
    evidence = app.alerts.get(alert_id)[0].evidence
    mailboxes = [e["primaryAddress"] for e in evidence if "primaryAddress" in e]
    assert mailboxes == [BOB]


@pytest.mark.skipif(not PHISH_SAMPLE.exists(), reason="the shared datasets are absent")
def test_malicious_copies_found_in_one_scan_make_one_detection_alert(
    app: Container, dovecot: DovecotServer
) -> None:
    assert app.mail is not None
    phish = PHISH_SAMPLE.read_bytes()
    for box in (ALICE, BOB, CAROL):
        # As a delivery agent writes it: each copy starts with its own Delivered-To.
        dovecot.deliver(box, "INBOX", b"Delivered-To: " + box.encode() + b"\r\n" + phish)
        dovecot.deliver(box, "INBOX", mail(len(box), box))

    result = app.mail.scan()
    assert result.detections == 3, result
    (alert_id,) = result.alert_ids
    alert, _ = app.alerts.get(alert_id)
    assert alert_id.startswith("fa")
    assert alert.detector_id == "autoir.email.post_delivery"
    recipients = sorted(
        e["recipientEmailAddress"]
        for e in alert.evidence
        if e["@odata.type"].endswith("analyzedMessageEvidence")
    )
    assert recipients == [ALICE, BOB, CAROL]
    assert app.mail.scan().detections == 0


def test_the_worker_reads_the_mailboxes_and_a_report_is_picked_up_by_idle(
    app: Container, dovecot: DovecotServer
) -> None:
    assert app.mail is not None
    poller = app.automation.mail_poller
    assert poller is not None
    dovecot.deliver(ALICE, "INBOX", mail(1, ALICE))
    poller.start()
    try:
        _wait(lambda: poller.scans >= 1)
        assert app.telemetry.cluster(ClusterKey.RECIPIENT, ALICE, limit=10).email_count == 1
        scans = poller.scans
        # The next full scan is a minute away: only IDLE on the report mailbox can see this.
        dovecot.deliver(REPORTS, "INBOX", report_of(mail(1, ALICE), ALICE))
        _wait(lambda: poller.scans > scans)
        last = app.mail.last_scan()
        assert last is not None
        assert last["reports"] == 1
        assert last["mailboxes"] == 1
    finally:
        poller.stop()


def test_autoir_mail_scan_reads_the_configured_server(
    dovecot: DovecotServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot.deliver(ALICE, "INBOX", mail(1, ALICE))
    dovecot.deliver(BOB, "Junk", mail(2, BOB))
    for name, value in {
        "IMAP_HOST": dovecot.host,
        "IMAP_PORT": str(dovecot.imap_port),
        "IMAP_SECURITY": "plain",
        "SIEVE_SECURITY": "plain",
        "SIEVE_PORT": str(dovecot.sieve_port),
        "MASTER_USER": dovecot.master_user,
        "MASTER_PASSWORD": dovecot.master_password,
        "MAILBOXES": f'["{ALICE}", "{BOB}"]',
    }.items():
        monkeypatch.setenv(f"AUTOIR_MAIL__{name}", value)
    scanned = autoir(tmp_path, "mail", "scan", "--json")
    assert scanned.returncode == 0, scanned.stderr
    counts = json.loads(scanned.stdout)
    assert (counts["mailboxes"], counts["messages"], counts["created"]) == (2, 2, 2)
    status = autoir(tmp_path, "mail", "status")
    assert status.returncode == 0, status.stderr
    assert f"IMAP {dovecot.host}:{dovecot.imap_port} (plain), 2 mailboxes" in status.stdout
    assert dovecot.master_password not in status.stdout + status.stderr


def test_autoir_mail_scan_without_a_server_says_what_to_set(tmp_path: Path) -> None:
    result = autoir(tmp_path, "mail", "scan")
    assert result.returncode == 2
    assert "AUTOIR_MAIL__IMAP_HOST" in result.stderr


def _wait(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_every_mailbox_the_server_lists_is_read_without_a_list(
    dovecot: DovecotServer,
    tmp_path: Path,
    clock: FakeClock,
    sqlite_template: Path,
    analysis: AnalysisComponents,
) -> None:
    # The session's server keeps other tests' users: a domain of this test's own, as the mask.
    domain = f"d{uuid.uuid4().hex[:8]}.example"
    listed = {f"alice@{domain}", f"bob@{domain}"}
    for box in sorted(listed):
        dovecot.add_user(box, "pw-" + box)
        dovecot.deliver(box, "INBOX", mail(len(box), box))
    shutil.copy(sqlite_template, tmp_path / "autoir.db")
    base = MailSettings(
        imap_host=dovecot.host,
        imap_port=dovecot.imap_port,
        imap_security="plain",
        master_user=dovecot.master_user,
        master_password=dovecot.master_password,
        sieve_port=dovecot.sieve_port,
        sieve_security="plain",
        doveadm_url=dovecot.doveadm_url,
        doveadm_api_key=dovecot.doveadm_api_key,
        doveadm_user_mask=f"*@{domain}",
        timeout_seconds=3,
    )
    for mail_settings, expected in (
        (base, listed),
        # A wrong key: the scan still reads the configured mailboxes and says why not more.
        (
            MailSettings.model_validate(
                {**base.model_dump(), "doveadm_api_key": "wrong", "mailboxes": [CAROL]}
            ),
            {CAROL},
        ),
    ):
        settings = Settings(
            data_dir=tmp_path,
            tenant_id="11111111-2222-3333-4444-555555555555",
            organisation_domains=frozenset({DOMAIN}),
            mail=mail_settings,
        )
        built = build(settings, clock=clock, analysis=analysis)
        try:
            assert built.mail is not None
            result = built.mail.scan()
            assert result.scan is not None
            assert result.scan.mailboxes == len(expected)
            if expected == {CAROL}:
                assert result.directory_error is not None
                assert "check doveadm_api_key" in result.directory_error
            else:
                assert result.directory_error is None
                assert result.created == 2
        finally:
            built.close()
