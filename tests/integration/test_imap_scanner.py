"""The incremental IMAP mailbox scanner on a real Dovecot: cursors, UIDVALIDITY, faults, IDLE.

Every test seeds its own mailboxes (fresh addresses), scans with a sink that records what it
was handed and checks it against what was delivered, read back from the server.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from autoir.connectors.imap import ImapSettings
from autoir.connectors.imap.scanner import ImapMailboxScanner
from autoir.connectors.imap.utf7 import encode
from autoir.ports.mailboxes import ScannedMessage, ScanProgress
from tests.support.dovecot import DovecotServer, FaultProxy

pytestmark = [pytest.mark.dovecot, pytest.mark.integration]


def _settings(server: DovecotServer, **overrides: object) -> ImapSettings:
    return server.imap_settings(**overrides)


def _address(tag: str = "u") -> str:
    return f"{tag}{uuid.uuid4().hex[:10]}@contoso.com"


def _mail(mailbox: str, subject: str) -> tuple[str, bytes]:
    message_id = f"<{uuid.uuid4().hex}@fabrikam.test>"
    message = EmailMessage()
    message["From"] = "payroll@fabrikam.test"
    message["To"] = mailbox
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(f"{subject}\n")
    return message_id, message.as_bytes()


def _message_id(raw: bytes) -> str:
    match = re.search(rb"^Message-ID: (<[^>]+>)", raw, re.MULTILINE | re.IGNORECASE)
    assert match is not None, raw[:200]
    return match.group(1).decode()


def _seed(server: DovecotServer, mailbox: str, folder: str, n: int) -> list[str]:
    """Deliver ``n`` messages to ``folder`` (server name) of ``mailbox``; their Message-IDs."""
    ids = []
    for number in range(n):
        message_id, raw = _mail(mailbox, f"{folder} {number}")
        server.deliver(mailbox, folder, raw)
        ids.append(message_id)
    return ids


class Recorder:
    """A sink that keeps every batch; thread-safe."""

    def __init__(self) -> None:
        self.batches: list[list[ScannedMessage]] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, batch: Sequence[ScannedMessage]) -> None:
        with self._lock:
            self.batches.append(list(batch))
            self.threads.add(threading.current_thread().name)

    @property
    def messages(self) -> list[ScannedMessage]:
        return [m for batch in self.batches for m in batch]

    def keys(self) -> list[tuple[str, str, str]]:
        return sorted((m.mailbox, m.folder, _message_id(m.raw)) for m in self.messages)


def test_first_scan_hands_every_message_of_every_folder_once(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    alice, bob = _address("alice"), _address("bob")
    expected = []
    for mailbox in (alice, bob):
        for server_name, name, n in [
            ("INBOX", "Inbox", 3),
            ("Trash", "Deleted Items", 1),
            ("Junk", "Junk", 2),
            ("Archive", "Archive", 1),
            ("Projects/2026", "Projects/2026", 2),
        ]:
            expected += [(mailbox, name, i) for i in _seed(dovecot, mailbox, server_name, n)]
    dated_id, dated = _mail(alice, "dated")
    with dovecot.imap(alice) as imap:
        typ, _ = imap.append("Sent", "", '"01-Mar-2026 10:20:30 +0100"', dated)
        assert typ == "OK"
    expected.append((alice, "Sent", dated_id))
    sink = Recorder()
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path, batch_size=2)

    report = scanner.scan([alice, bob.upper()], sink)

    assert sink.keys() == sorted(expected)
    assert report.messages == len(expected)
    assert report.mailboxes == 2
    assert report.failed == {}
    assert {m.mailbox for m in sink.messages} == {alice, bob}
    for message in sink.messages:
        assert message.internal_date is not None
        assert message.internal_date.tzinfo is not None
        assert message.uid_validity > 0
    [sent] = [m for m in sink.messages if _message_id(m.raw) == dated_id]
    assert sent.internal_date == datetime(2026, 3, 1, 9, 20, 30, tzinfo=UTC)
    assert sent.raw.replace(b"\r\n", b"\n") == dated.replace(b"\r\n", b"\n")
    for batch in sink.batches:  # one folder per batch, UID order
        assert len({m.folder for m in batch}) == 1
        assert [m.uid for m in batch] == sorted(m.uid for m in batch)
    scanner.close()


def test_a_second_scan_hands_nothing(dovecot: DovecotServer, tmp_path: Path) -> None:
    mailbox = _address()
    _seed(dovecot, mailbox, "INBOX", 3)
    _seed(dovecot, mailbox, "Junk", 2)
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path, batch_size=2)
    first, second = Recorder(), Recorder()

    scanner.scan([mailbox], first)
    report = scanner.scan([mailbox], second)

    assert len(first.messages) == 5
    assert second.batches == []
    assert report.messages == 0
    assert report.folders >= 2
    scanner.close()


def test_new_mail_after_the_first_scan_is_handed_alone(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _address()
    _seed(dovecot, mailbox, "INBOX", 3)
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path)
    scanner.scan([mailbox], Recorder())
    new_inbox = _seed(dovecot, mailbox, "INBOX", 1)
    new_junk = _seed(dovecot, mailbox, "Junk", 1)
    sink = Recorder()

    scanner.scan([mailbox], sink)

    assert sink.keys() == sorted([(mailbox, "Inbox", new_inbox[0]), (mailbox, "Junk", new_junk[0])])
    scanner.close()


def test_a_message_a_user_moved_is_handed_again_from_its_new_folder(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _address()
    ids = _seed(dovecot, mailbox, "INBOX", 2)
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path)
    first = Recorder()
    scanner.scan([mailbox], first)
    [moved] = [m for m in first.messages if _message_id(m.raw) == ids[1]]
    with dovecot.imap(mailbox) as imap:
        imap.select("INBOX")
        typ, _ = imap.uid("MOVE", str(moved.uid), "Archive")
        assert typ == "OK"
    sink = Recorder()

    scanner.scan([mailbox], sink)

    [again] = sink.messages
    assert (again.folder, _message_id(again.raw)) == ("Archive", ids[1])
    scanner.close()


def test_a_new_uidvalidity_re_reads_the_folder(dovecot: DovecotServer, tmp_path: Path) -> None:
    mailbox = _address()
    _seed(dovecot, mailbox, "Projects", 3)
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path)
    first = Recorder()
    scanner.scan([mailbox], first)
    with dovecot.imap(mailbox) as imap:
        typ, _ = imap.delete("Projects")
        assert typ == "OK"
    recreated = _seed(dovecot, mailbox, "Projects", 2)  # UIDs 1 and 2 again, below the cursor
    sink = Recorder()

    scanner.scan([mailbox], sink)

    assert sink.keys() == sorted((mailbox, "Projects", i) for i in recreated)
    assert {m.uid for m in sink.messages} == {1, 2}
    assert {m.uid_validity for m in sink.messages} != {m.uid_validity for m in first.messages}
    scanner.close()


def test_a_sink_that_raises_on_batch_2_gets_batch_2_and_later_again_never_batch_1(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    alice, bob = _address("alice"), _address("bob")
    _seed(dovecot, alice, "INBOX", 7)
    bob_ids = _seed(dovecot, bob, "INBOX", 3)
    calls: list[list[int]] = []
    accepted = Recorder()

    def refuses_second_batch_of_alice(batch: Sequence[ScannedMessage]) -> None:
        if batch[0].mailbox == alice:
            calls.append([m.uid for m in batch])
            if len(calls) == 2:
                raise RuntimeError("telemetry store down")
        accepted(batch)

    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path, batch_size=2)
    report = scanner.scan([alice, bob], refuses_second_batch_of_alice)

    assert calls == [[1, 2], [3, 4]]
    assert alice in report.failed
    assert "telemetry store down" in report.failed[alice]
    assert sorted(_message_id(m.raw) for m in accepted.messages if m.mailbox == bob) == sorted(
        bob_ids
    )
    again = Recorder()
    report = scanner.scan([alice, bob], again)
    assert report.failed == {}
    assert [[m.uid for m in batch] for batch in again.batches] == [[3, 4], [5, 6], [7]]
    scanner.close()


def _seed_three(server: DovecotServer) -> tuple[list[str], set[tuple[str, str]]]:
    mailboxes = [_address(f"m{n}") for n in range(3)]
    delivered = {
        (mailbox, message_id)
        for mailbox in mailboxes
        for folder in ("INBOX", "Junk")
        for message_id in _seed(server, mailbox, folder, 3)
    }
    return mailboxes, delivered


class Accepting:
    """An idempotent sink keyed by (mailbox, Message-ID) that counts what it was handed."""

    def __init__(self, on_batch: int, fault: Callable[[], None]) -> None:
        self.accepted: dict[tuple[str, str], ScannedMessage] = {}
        self.handed = Counter[tuple[str, str]]()
        self.batches = 0
        self._on_batch = on_batch
        self._fault = fault

    def __call__(self, batch: Sequence[ScannedMessage]) -> None:
        self.batches += 1
        if self.batches == self._on_batch:
            self._fault()
        for message in batch:
            key = (message.mailbox, _message_id(message.raw))
            self.accepted[key] = message
            self.handed[key] += 1


def test_dovecot_restarted_mid_scan_every_message_is_accepted_exactly_once(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailboxes, delivered = _seed_three(dovecot)
    proxy = FaultProxy(dovecot.host, dovecot.imap_port, dovecot.sieve_port)

    def restart() -> None:
        dovecot.restart()
        proxy.fail_next(0)  # the old imap processes outlive the master: cut their connections

    # Batch 6 is the second of the second mailbox's four (3 + 3 messages, 2 a batch).
    sink = Accepting(6, restart)
    scanner = ImapMailboxScanner(_settings(dovecot, port=proxy.port), tmp_path, batch_size=2)
    first = scanner.scan(mailboxes, sink)
    second = scanner.scan(mailboxes, sink)
    scanner.close()
    proxy.close()

    assert sink.batches == 12
    assert first.failed == {}
    assert first.messages == len(delivered)
    assert second.messages == 0
    assert set(sink.accepted) == delivered
    assert sum(sink.handed.values()) == len(delivered)


def test_a_mailbox_whose_retry_fails_too_is_reported_and_the_next_scan_goes_on(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailboxes, delivered = _seed_three(dovecot)
    proxy = FaultProxy(dovecot.host, dovecot.imap_port, dovecot.sieve_port)
    # In the second mailbox's first batch: cut its connection and refuse the retry's.
    sink = Accepting(5, lambda: proxy.fail_next(1))
    scanner = ImapMailboxScanner(_settings(dovecot, port=proxy.port), tmp_path, batch_size=2)
    first = scanner.scan(mailboxes, sink)
    after_first = dict(sink.handed)
    second = scanner.scan(mailboxes, sink)
    scanner.close()
    proxy.close()

    assert set(first.failed) == {mailboxes[1]}
    assert "retry" in first.failed[mailboxes[1]]
    assert len(after_first) == len(delivered) - 4  # 2 of the second mailbox's 6 were read
    assert first.messages == len(delivered) - 4
    assert second.failed == {}
    assert second.messages == 4
    assert set(sink.accepted) == delivered
    assert sum(sink.handed.values()) == len(delivered)


def test_cursors_survive_a_new_scanner_on_the_same_state_dir(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _address()
    _seed(dovecot, mailbox, "INBOX", 3)
    first = ImapMailboxScanner(_settings(dovecot), tmp_path / "state")
    first.scan([mailbox], Recorder())
    first.close()
    new = _seed(dovecot, mailbox, "INBOX", 1)
    sink = Recorder()

    second = ImapMailboxScanner(_settings(dovecot), tmp_path / "state")
    second.scan([mailbox], sink)

    assert sink.keys() == [(mailbox, "Inbox", new[0])]
    second.close()


def test_a_folder_with_a_non_ascii_name_is_scanned_and_named_in_unicode(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _address()
    ids = _seed(dovecot, mailbox, encode("Reçus/Factures 2026"), 2)
    ids += _seed(dovecot, mailbox, encode("日本語"), 1)
    sink = Recorder()
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path)

    scanner.scan([mailbox], sink, folders=["Reçus/Factures 2026", "日本語"])

    assert sink.keys() == sorted(
        [(mailbox, "Reçus/Factures 2026", i) for i in ids[:2]] + [(mailbox, "日本語", ids[2])]
    )
    scanner.close()


def test_scanning_does_not_set_seen(dovecot: DovecotServer, tmp_path: Path) -> None:
    mailbox = _address()
    _, raw = _mail(mailbox, "flagged")
    with dovecot.imap(mailbox) as imap:
        typ, _ = imap.append("INBOX", "(\\Flagged)", None, raw)
        assert typ == "OK"
    _seed(dovecot, mailbox, "INBOX", 2)
    sink = Recorder()
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path)

    scanner.scan([mailbox], sink)

    assert len(sink.messages) == 3
    assert [sorted(m.flags - {"\\Recent"}) for m in sink.messages] == [["\\Flagged"], [], []]
    with dovecot.imap(mailbox) as imap:
        imap.select("INBOX", readonly=True)
        typ, data = imap.fetch("1:*", "(FLAGS)")
        assert typ == "OK"
    flags = [bytes(item) for item in data if isinstance(item, bytes)]
    assert len(flags) == 3
    assert all(b"\\Seen" not in item for item in flags)
    scanner.close()


def test_three_threads_over_ten_mailboxes_give_what_one_gives(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailboxes = [_address(f"c{n}") for n in range(10)]
    for number, mailbox in enumerate(mailboxes):
        _seed(dovecot, mailbox, "INBOX", 2 + number % 3)
        _seed(dovecot, mailbox, "Junk", number % 2)
    serial, parallel = Recorder(), Recorder()
    progress: list[ScanProgress] = []

    one = ImapMailboxScanner(_settings(dovecot), tmp_path / "one")
    three = ImapMailboxScanner(_settings(dovecot), tmp_path / "three", concurrency=3)
    serial_report = one.scan(mailboxes, serial)
    parallel_report = three.scan(mailboxes, parallel, progress=progress.append)

    def content(sink: Recorder) -> list[tuple[str, str, int, int, bytes]]:
        return sorted((m.mailbox, m.folder, m.uid, m.uid_validity, m.raw) for m in sink.messages)

    assert content(parallel) == content(serial)
    assert len(serial.messages) == sum(2 + n % 3 + n % 2 for n in range(10))
    assert parallel_report == serial_report
    assert len(parallel.threads) > 1
    assert [p.mailboxes_done for p in progress] == list(range(1, 11))
    assert [p.messages for p in progress] == sorted(p.messages for p in progress)
    assert progress[-1] == ScanProgress(10, 10, len(serial.messages))
    one.close()
    three.close()


def test_wait_for_change_returns_true_when_mail_arrives_during_idle(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _address()
    _seed(dovecot, mailbox, "INBOX", 1)
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path)
    scanner.scan([mailbox], Recorder())

    def deliver_later() -> None:
        time.sleep(0.7)
        _seed(dovecot, mailbox, "INBOX", 1)

    thread = threading.Thread(target=deliver_later)
    start = time.monotonic()
    thread.start()
    changed = scanner.wait_for_change(mailbox, "Inbox", 20)
    elapsed = time.monotonic() - start
    thread.join()

    assert changed is True
    assert 0.5 < elapsed < 5
    scanner.close()


def test_wait_for_change_returns_false_after_the_timeout_without_mail(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _address()
    _seed(dovecot, mailbox, "INBOX", 1)
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path)
    scanner.scan([mailbox], Recorder())
    _seed(dovecot, mailbox, "Junk", 1)  # another folder: not what is watched

    start = time.monotonic()
    changed = scanner.wait_for_change(mailbox, "Inbox", 1.0)
    elapsed = time.monotonic() - start

    assert changed is False
    assert 0.9 < elapsed < 4
    # The session is usable after IDLE: a scan on it still works.
    sink = Recorder()
    scanner.scan([mailbox], sink)
    assert [m.folder for m in sink.messages] == ["Junk"]
    scanner.close()


def test_wait_for_change_is_true_at_once_for_mail_the_last_scan_did_not_reach(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _address()
    _seed(dovecot, mailbox, "INBOX", 1)
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path)
    scanner.scan([mailbox], Recorder())
    _seed(dovecot, mailbox, "INBOX", 1)

    start = time.monotonic()
    assert scanner.wait_for_change(mailbox, "Inbox", 10) is True
    assert time.monotonic() - start < 2
    scanner.close()


def test_over_tls_the_scan_and_idle_work_alike(dovecot: DovecotServer, tmp_path: Path) -> None:
    """Implicit TLS: the wire-level FETCH and IDLE read through the TLS layer's buffer."""
    mailbox = _address()
    ids = _seed(dovecot, mailbox, "INBOX", 3)
    settings = _settings(
        dovecot, port=dovecot.imaps_port, security="tls", ssl_context=dovecot.ssl_context()
    )
    scanner = ImapMailboxScanner(settings, tmp_path, batch_size=2)
    sink = Recorder()

    scanner.scan([mailbox], sink)

    assert sink.keys() == sorted((mailbox, "Inbox", i) for i in ids)
    start = time.monotonic()
    assert scanner.wait_for_change(mailbox, "Inbox", 0.5) is False
    assert time.monotonic() - start >= 0.4
    thread = threading.Thread(target=lambda: (time.sleep(0.5), _seed(dovecot, mailbox, "INBOX", 1)))
    thread.start()
    assert scanner.wait_for_change(mailbox, "Inbox", 20) is True
    thread.join()
    scanner.close()


def test_the_store_mailbox_is_never_scanned_even_when_listed(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    mailbox = _address()
    ids = _seed(dovecot, mailbox, "INBOX", 1)
    _seed(dovecot, dovecot.store_mailbox, "Quarantine", 2)
    _seed(dovecot, dovecot.store_mailbox, "INBOX", 1)
    sink = Recorder()
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path, concurrency=2)

    report = scanner.scan([dovecot.store_mailbox, mailbox, dovecot.store_mailbox.upper()], sink)

    assert sink.keys() == [(mailbox, "Inbox", ids[0])]
    assert report.mailboxes == 1
    scanner.close()


def test_a_refused_login_and_a_mailbox_without_credentials_are_reported_by_name(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    known, unknown = _address("known"), _address("unknown")
    dovecot.add_user(known, "right-password")
    wrong = "wrong-password-1234"
    scanner = ImapMailboxScanner(
        _settings(dovecot, master_user=None, master_password=None, passwords={known: wrong}),
        tmp_path,
    )

    report = scanner.scan([known, unknown], Recorder())

    assert set(report.failed) == {known, unknown}
    assert known in report.failed[known]
    assert "refused the login" in report.failed[known]
    assert unknown in report.failed[unknown]
    assert all(wrong not in text for text in report.failed.values())
    scanner.close()


def test_a_message_marked_deleted_is_handed_and_never_expunged(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    """EXAMINE, not SELECT: a CLOSE or a pooled session's expunge would remove it."""
    mailbox = _address()
    _seed(dovecot, mailbox, "INBOX", 2)
    with dovecot.imap(mailbox) as imap:
        imap.select("INBOX")
        imap.store("1", "+FLAGS.SILENT", "(\\Deleted)")
    scanner = ImapMailboxScanner(_settings(dovecot), tmp_path)
    sink = Recorder()

    scanner.scan([mailbox], sink)
    scanner.close()

    assert len(sink.messages) == 2
    assert "\\Deleted" in sink.messages[0].flags
    with dovecot.imap(mailbox) as imap:
        typ, data = imap.select("INBOX", readonly=True)
        assert (typ, data) == ("OK", [b"2"])
