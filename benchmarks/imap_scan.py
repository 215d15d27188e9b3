"""IMAP mailbox scan rate: ``ImapMailboxScanner`` next to a raw imaplib scan; prints JSON.

::

    .venv-test/bin/python benchmarks/imap_scan.py                      # 100 x 1,000 messages
    .venv-test/bin/python benchmarks/imap_scan.py --mailboxes 20 --messages 500

A throw-away Dovecot from the test harness (``tests.support.dovecot.running_dovecot``) is
seeded with ``--mailboxes`` mailboxes of ``--messages`` messages each (70 % INBOX, 20 %
Archive, 10 % Junk; 1-8 KB of text each), by pipelined ``APPEND`` with ``LITERAL+`` on one
connection per mailbox. Then, in the same run, each over every mailbox:

- ``warm_up``: the raw scan below with the scanner's fetch items (Dovecot builds its caches of
  flags and dates; page cache warm), timed but not compared;
- ``raw_per_s``: imaplib, one connection per mailbox in turn: login, ``LIST``, for each folder
  ``EXAMINE`` and ``UID FETCH a:b (BODY.PEEK[])`` in chunks of ``--batch-size`` UIDs — the
  ceiling for one connection;
- ``scanner_c1_per_s`` / ``scanner_c2_per_s``: ``ImapMailboxScanner`` (fresh state dir, so a
  first scan of everything) with ``concurrency`` 1 and 2 and a sink that only counts: the
  product's cost is the fetch of flags and dates too, building ``ScannedMessage`` objects, the
  SQLite cursor commit per batch and the sink call;
- ``--rounds`` rounds of the three, interleaved (``*_runs``; ``*_per_s`` is the best run);
  ``ratio_c1`` / ``ratio_c2``: best scanner ÷ best raw (``*_median``: of the medians);
  ``rescanner_c*_s``: a second scan with nothing new (best run).
"""

from __future__ import annotations

import argparse
import imaplib
import json
import os
import platform
import random
import statistics
import string
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from tests.support.dovecot import DovecotServer, running_dovecot

from autoir.connectors.imap import ImapMailboxScanner
from autoir.ports.mailboxes import ScannedMessage

FOLDERS = (("INBOX", 0.7), ("Archive", 0.2), ("Junk", 0.1))


def _bodies(rng: random.Random, count: int = 64) -> list[bytes]:
    """Text bodies of 1-8 KB, made once (generating each message's would dominate seeding)."""
    bodies = []
    for _ in range(count):
        words = rng.randrange(150, 1200)
        text = " ".join("".join(rng.choices(string.ascii_lowercase, k=5)) for _ in range(words))
        lines = [text[i : i + 76] for i in range(0, len(text), 76)]
        bodies.append("\r\n".join(lines).encode() + b"\r\n")
    return bodies


BODIES = _bodies(random.Random(7))


def _message(rng: random.Random, mailbox: str, number: int) -> bytes:
    head = (
        f"From: sender{rng.randrange(500)}@fabrikam.example\r\n"
        f"To: {mailbox}\r\n"
        f"Subject: Quarterly report {number}\r\n"
        f"Message-ID: <{number}.{rng.getrandbits(64):x}@fabrikam.example>\r\n"
        "Date: Fri, 04 Dec 2026 09:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="us-ascii"\r\n'
        "Content-Transfer-Encoding: 7bit\r\n\r\n"
    )
    return head.encode() + rng.choice(BODIES)


def _login(server: DovecotServer, mailbox: str) -> imaplib.IMAP4:
    connection = imaplib.IMAP4(server.host, server.imap_port, timeout=60)
    connection.login(*server.master_login(mailbox))
    return connection


def _seed_mailbox(server: DovecotServer, number: int, mailbox: str, messages: int) -> None:
    """Write the mailbox's Maildir files directly (APPEND costs Dovecot ~4 ms a message here).

    A first login makes the home; Dovecot assigns UIDs to the files at the first EXAMINE of
    each folder (the warm-up). Internal dates are the files' mtimes, a minute apart.
    """
    rng = random.Random(number)
    with server.imap(mailbox) as connection:
        connection.list()  # makes the Maildir
    maildir = server.root / "mail" / mailbox / "Maildir"
    owner = maildir.stat()
    plan = [folder for folder, share in FOLDERS for _ in range(round(messages * share))]
    plan = (plan + ["INBOX"] * messages)[:messages]
    rng.shuffle(plan)
    for folder, _ in FOLDERS:
        base = maildir if folder == "INBOX" else maildir / f".{folder}"
        for sub in ("", "cur", "new", "tmp"):
            (base / sub).mkdir(exist_ok=True)
            os.chown(base / sub, owner.st_uid, owner.st_gid)
    start = int(time.time()) - 60 * messages
    for position, folder in enumerate(plan):
        raw = _message(rng, mailbox, position).replace(b"\r\n", b"\n")
        base = maildir if folder == "INBOX" else maildir / f".{folder}"
        path = base / "cur" / f"{start + position}.M{position}P{number}.bench,S={len(raw)}:2,"
        path.write_bytes(raw)
        os.chown(path, owner.st_uid, owner.st_gid)
        os.utime(path, (start + 60 * position, start + 60 * position))


def seed(server: DovecotServer, mailboxes: Sequence[str], messages: int) -> float:
    started = time.perf_counter()
    for number, mailbox in enumerate(mailboxes):
        _seed_mailbox(server, number, mailbox, messages)
    return time.perf_counter() - started


def raw_scan(
    server: DovecotServer, mailboxes: Sequence[str], batch: int, items: str = "(BODY.PEEK[])"
) -> int:
    """imaplib, one connection per mailbox in turn; the number of messages read."""
    count = 0
    for mailbox in mailboxes:
        connection = _login(server, mailbox)
        typ, listed = connection.list()
        assert typ == "OK", listed
        for line in listed:
            assert isinstance(line, bytes)
            folder = line.rsplit(b" ", 1)[-1].strip(b'"').decode()
            typ, _ = connection.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                continue
            uid_next = int(connection.untagged_responses["UIDNEXT"][-1])
            for start in range(1, uid_next, batch):
                typ, data = connection.uid("FETCH", f"{start}:{start + batch - 1}", items)
                assert typ == "OK", data
                count += sum(1 for part in data if isinstance(part, tuple))
        connection.logout()
    return count


class Counting:
    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, batch: Sequence[ScannedMessage]) -> None:
        with self._lock:
            self.count += len(batch)


def scanner_scan(
    server: DovecotServer, mailboxes: Sequence[str], concurrency: int, batch: int
) -> dict[str, Any]:
    settings = server.imap_settings(timeout=60.0)
    with tempfile.TemporaryDirectory(prefix="autoir-imap-scan-") as state:
        scanner = ImapMailboxScanner(
            settings, Path(state), concurrency=concurrency, batch_size=batch
        )
        sink = Counting()
        started = time.perf_counter()
        report = scanner.scan(mailboxes, sink)
        elapsed = time.perf_counter() - started
        assert report.failed == {}, report.failed
        assert report.messages == sink.count
        started = time.perf_counter()
        again = scanner.scan(mailboxes, sink)
        rescan = time.perf_counter() - started
        assert again.messages == 0
        scanner.close()
    return {"messages": sink.count, "seconds": elapsed, "rescan_s": round(rescan, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=100)
    parser.add_argument("--messages", type=int, default=1000, help="per mailbox")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="raw, c1, c2 each round")
    args = parser.parse_args()
    mailboxes = [f"user{n:04d}@contoso.example" for n in range(args.mailboxes)]
    total = args.mailboxes * args.messages
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "mailboxes": args.mailboxes,
        "messages_per_mailbox": args.messages,
        "batch_size": args.batch_size,
    }
    with running_dovecot() as server:
        seconds = seed(server, mailboxes, args.messages)
        result["seed_per_s"] = round(total / seconds)
        started = time.perf_counter()
        warm = raw_scan(server, mailboxes, args.batch_size, "(UID FLAGS INTERNALDATE BODY.PEEK[])")
        result["warm_up_per_s"] = round(warm / (time.perf_counter() - started))
        assert warm == total, (warm, total)

        runs: dict[str, list[float]] = {"raw": [], "scanner_c1": [], "scanner_c2": []}
        rescans: dict[str, list[float]] = {"scanner_c1": [], "scanner_c2": []}
        for _ in range(args.rounds):  # interleaved: a load change hits every figure alike
            started = time.perf_counter()
            raw = raw_scan(server, mailboxes, args.batch_size)
            assert raw == total, (raw, total)
            runs["raw"].append(raw / (time.perf_counter() - started))
            for concurrency in (1, 2):
                figures = scanner_scan(server, mailboxes, concurrency, args.batch_size)
                assert figures["messages"] == total, figures
                runs[f"scanner_c{concurrency}"].append(figures["messages"] / figures["seconds"])
                rescans[f"scanner_c{concurrency}"].append(figures["rescan_s"])
    for name, rates in runs.items():
        result[f"{name}_per_s"] = round(max(rates))
        result[f"{name}_runs"] = [round(rate) for rate in rates]
    for name, seconds in rescans.items():
        result[f"re{name}_s"] = min(seconds)
    for concurrency in (1, 2):
        name = f"scanner_c{concurrency}"
        result[f"ratio_c{concurrency}"] = round(max(runs[name]) / max(runs["raw"]), 2)
        result[f"ratio_c{concurrency}_median"] = round(
            statistics.median(runs[name]) / statistics.median(runs["raw"]), 2
        )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
