"""IMAP cluster remediation: ``ImapEmailSystem.apply`` soft delete next to raw imaplib; JSON.

::

    .venv-test/bin/python benchmarks/imap_remediation.py                   # 100 x 1,000 messages
    .venv-test/bin/python benchmarks/imap_remediation.py --mailboxes 20 --messages 200

A throw-away Dovecot from the test harness (``tests.support.dovecot.running_dovecot``) gets
``--mailboxes`` mailboxes of ``--messages`` messages each (80 % INBOX, 15 % Archive, 5 % Junk,
0.5-4 KB of text each), written straight into their Maildirs (an APPEND costs Dovecot a few ms a
message), plus one copy of the same campaign message (one Message-ID) in every INBOX. A warm-up
selects every folder once (Dovecot assigns the UIDs and builds its index), searches INBOX for
the campaign's Message-ID (Dovecot caches the header from then on) and reads each copy back to
derive its network message id, as the mail scanner does; the refs carry both ids, as the
product's do. Then, in the same run, each over every mailbox's copy:

- ``raw_1conn_per_s``: imaplib, one mailbox after the other on one connection at a time:
  login (as the master user), ``SELECT INBOX``, ``UID SEARCH HEADER Message-ID``,
  ``UID MOVE`` to Trash, logout — the floor of what a soft delete needs;
- ``raw_2conn_per_s``: the same from 2 threads, each taking the next mailbox;
- ``apply_pool{N}_per_s``: ``ImapEmailSystem.apply`` (a fresh instance and state dir, a fresh
  action id) with ``pool_size`` N: the journal (intent before each move, outcome after), the
  network id check (the copy's bytes are fetched), outcomes and progress; timed to the return
  of ``apply`` (its sessions stay pooled, as in the product; ``close_s`` is their logout after);
- between runs the copies are moved back to INBOX (untimed);
- ``--rounds`` rounds of all of them, interleaved; ``*_per_s`` is the best round (``*_runs``
  all of them); ``ratio_pool{N}`` is the best apply over the best raw one-connection figure.

Targets: ``ratio_pool1`` >= 0.5 and the parallel pool faster than raw on one connection.
"""

from __future__ import annotations

import argparse
import imaplib
import json
import os
import platform
import queue
import random
import statistics
import string
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from tests.support.dovecot import DovecotServer, running_dovecot

from autoir.connectors.imap import ImapEmailSystem
from autoir.mime.identity import derive_network_message_id
from autoir.ports.remediation import EmailOperation, MessageRef, MessageStatus

FOLDERS = (("INBOX", 0.80), ("Archive", 0.15), ("Junk", 0.05))
CAMPAIGN_ID = "<benefits-enrolment-2026@contoso-hr.example>"


def _bodies(rng: random.Random, count: int = 48) -> list[bytes]:
    bodies = []
    for _ in range(count):
        words = rng.randrange(80, 650)
        text = " ".join("".join(rng.choices(string.ascii_lowercase, k=5)) for _ in range(words))
        bodies.append(
            ("\n".join(text[i : i + 76] for i in range(0, len(text), 76)) + "\n").encode()
        )
    return bodies


BODIES = _bodies(random.Random(11))


def _message(rng: random.Random, mailbox: str, number: int) -> bytes:
    head = (
        f"From: colleague{rng.randrange(300)}@contoso.com\n"
        f"To: {mailbox}\n"
        f"Subject: Project status {number}\n"
        f"Message-ID: <{number}.{rng.getrandbits(64):x}@contoso.com>\n"
        "Date: Thu, 03 Dec 2026 09:00:00 +0000\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="us-ascii"\n\n'
    )
    return head.encode() + rng.choice(BODIES)


def _campaign(mailbox: str) -> bytes:
    return (
        "From: Benefits Team <benefits@contoso-hr.example>\n"
        f"To: {mailbox}\n"
        "Subject: Action required: confirm your 2026 benefits enrolment\n"
        f"Message-ID: {CAMPAIGN_ID}\n"
        "Date: Fri, 04 Dec 2026 08:12:00 +0000\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="us-ascii"\n\n'
        "Sign in at https://contoso-benefits.example/enrol before Friday.\n"
    ).encode()


def _seed_mailbox(server: DovecotServer, number: int, mailbox: str, messages: int) -> None:
    """Maildir files written directly (LF line ends, as Dovecot stores delivered mail)."""
    rng = random.Random(number)
    with server.imap(mailbox) as connection:
        connection.list()  # the first login makes the home and the special-use folders
    maildir = server.root / "mail" / mailbox / "Maildir"
    owner = maildir.stat()
    plan = [folder for folder, share in FOLDERS for _ in range(round(messages * share))]
    plan = (plan + ["INBOX"] * messages)[:messages]
    rng.shuffle(plan)
    plan.insert(rng.randrange(len(plan) + 1), "campaign")
    for folder, _ in FOLDERS:
        base = maildir if folder == "INBOX" else maildir / f".{folder}"
        for sub in ("", "cur", "new", "tmp"):
            (base / sub).mkdir(exist_ok=True)
            os.chown(base / sub, owner.st_uid, owner.st_gid)
    start = int(time.time()) - 60 * (messages + 1)
    for position, planned in enumerate(plan):
        campaign = planned == "campaign"
        raw = _campaign(mailbox) if campaign else _message(rng, mailbox, position)
        folder = "INBOX" if campaign else planned
        base = maildir if folder == "INBOX" else maildir / f".{folder}"
        path = base / "cur" / f"{start + position}.M{position}P{number}.bench,S={len(raw)}:2,S"
        path.write_bytes(raw)
        os.chown(path, owner.st_uid, owner.st_gid)
        os.utime(path, (start + 60 * position, start + 60 * position))


def _login(server: DovecotServer, mailbox: str) -> imaplib.IMAP4:
    connection = imaplib.IMAP4(server.host, server.imap_port, timeout=60)
    connection.login(*server.master_login(mailbox))
    return connection


def _campaign_uid(connection: imaplib.IMAP4) -> bytes | None:
    typ, data = connection.uid("SEARCH", "HEADER", "Message-ID", f'"{CAMPAIGN_ID.strip("<>")}"')
    assert typ == "OK", data
    uids = data[0].split() if data and data[0] else []
    return uids[0] if uids else None


def warm_up(server: DovecotServer, mailboxes: Sequence[str]) -> list[MessageRef]:
    """Index every folder, cache the Message-ID header; the refs (network id of each copy)."""
    refs = []
    for mailbox in mailboxes:
        connection = _login(server, mailbox)
        for folder, _ in FOLDERS[::-1]:  # INBOX last: it stays selected
            typ, _ = connection.select(folder)
            assert typ == "OK", folder
            connection.uid("SEARCH", "HEADER", "Message-ID", '"warm-up"')
        uid = _campaign_uid(connection)
        assert uid is not None, mailbox
        typ, data = connection.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
        assert typ == "OK", data
        raw = next(part[1] for part in data if isinstance(part, tuple))
        refs.append(MessageRef(mailbox, derive_network_message_id(raw), CAMPAIGN_ID))
        connection.logout()
    return refs


def raw_soft_delete(server: DovecotServer, mailbox: str) -> None:
    """What a soft delete needs at least: login, SELECT, SEARCH, MOVE, logout."""
    connection = _login(server, mailbox)
    typ, _ = connection.select("INBOX")
    assert typ == "OK"
    uid = _campaign_uid(connection)
    assert uid is not None, mailbox
    typ, data = connection.uid("MOVE", uid.decode(), "Trash")
    assert typ == "OK", data
    connection.logout()


def move_back(server: DovecotServer, mailbox: str) -> None:
    connection = _login(server, mailbox)
    connection.select("Trash")
    uid = _campaign_uid(connection)
    assert uid is not None, mailbox
    typ, data = connection.uid("MOVE", uid.decode(), "INBOX")
    assert typ == "OK", data
    connection.logout()


def in_threads(work: Callable[[str], None], mailboxes: Sequence[str], threads: int) -> None:
    pending: queue.SimpleQueue[str] = queue.SimpleQueue()
    for mailbox in mailboxes:
        pending.put(mailbox)
    errors: list[BaseException] = []

    def worker() -> None:
        while True:
            try:
                mailbox = pending.get_nowait()
            except queue.Empty:
                return
            try:
                work(mailbox)
            except BaseException as error:  # noqa: BLE001 - re-raised below
                errors.append(error)
                return

    running = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    if errors:
        raise errors[0]


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def apply_run(
    server: DovecotServer, refs: list[MessageRef], pool_size: int, state_root: Path
) -> tuple[float, float]:
    """Seconds for ``apply`` and for the ``close`` after it."""
    settings = server.imap_settings(timeout=60.0, pool_size=pool_size)
    system = ImapEmailSystem(settings, Path(tempfile.mkdtemp(dir=state_root)))
    action_id = f"bench-{uuid.uuid4().hex[:12]}"
    started = time.perf_counter()
    outcomes = system.apply(action_id, EmailOperation.SOFT_DELETE, refs)
    elapsed = time.perf_counter() - started
    closing = timed(system.close)
    assert [o.status for o in outcomes] == [MessageStatus.DONE] * len(refs), outcomes[:3]
    assert {o.folder_before for o in outcomes} == {"Inbox"}
    return elapsed, closing


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=100)
    parser.add_argument("--messages", type=int, default=1000, help="per mailbox, besides the copy")
    parser.add_argument("--pools", default="1,2,4", help="pool_size values for apply")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    pools = [int(p) for p in args.pools.split(",")]
    mailboxes = [f"user{n:04d}@contoso.com" for n in range(args.mailboxes)]
    result: dict[str, Any] = {
        "benchmark": "imap_remediation",
        "mailboxes": args.mailboxes,
        "messages_per_mailbox": args.messages,
        "rounds": args.rounds,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_before": os.getloadavg()[0],
        },
    }
    state_root = Path(tempfile.mkdtemp(prefix="autoir-imap-bench-"))
    with running_dovecot() as server:
        result["machine"]["dovecot"] = os.popen("dovecot --version").read().strip()  # noqa: S605
        result["seed_s"] = round(
            timed(
                lambda: [
                    _seed_mailbox(server, n, m, args.messages) for n, m in enumerate(mailboxes)
                ]
            ),
            2,
        )
        refs: list[MessageRef] = []
        result["warm_up_s"] = round(timed(lambda: refs.extend(warm_up(server, mailboxes))), 2)
        figures: dict[str, list[float]] = {}

        def record(name: str, seconds: float) -> None:
            figures.setdefault(name, []).append(round(args.mailboxes / seconds, 1))

        def restore() -> None:
            in_threads(lambda m: move_back(server, m), mailboxes, 4)

        for _ in range(args.rounds):
            record(
                "raw_1conn",
                timed(lambda: in_threads(lambda m: raw_soft_delete(server, m), mailboxes, 1)),
            )
            restore()
            record(
                "raw_2conn",
                timed(lambda: in_threads(lambda m: raw_soft_delete(server, m), mailboxes, 2)),
            )
            restore()
            for pool_size in pools:
                elapsed, closing = apply_run(server, refs, pool_size, state_root)
                record(f"apply_pool{pool_size}", elapsed)
                figures.setdefault(f"apply_pool{pool_size}_close_s", []).append(round(closing, 3))
                restore()
        for name, runs in figures.items():
            result[f"{name}_runs"] = runs
            if not name.endswith("_close_s"):
                result[f"{name}_per_s"] = max(runs)
                result[f"{name}_median_per_s"] = statistics.median(runs)
        raw = result["raw_1conn_per_s"]
        for pool_size in pools:
            result[f"ratio_pool{pool_size}"] = round(
                result[f"apply_pool{pool_size}_per_s"] / raw, 2
            )
            result[f"ratio_pool{pool_size}_median"] = round(
                result[f"apply_pool{pool_size}_median_per_s"] / result["raw_1conn_median_per_s"], 2
            )
        result["ratio_raw_2conn"] = round(result["raw_2conn_per_s"] / raw, 2)
        result["machine"]["load_after"] = os.getloadavg()[0]
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
