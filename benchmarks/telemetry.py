"""Email-cluster query latency at scale, next to raw indexed SQL; prints JSON.

See benchmarks/README.md. The store is filled either through ``TelemetryIngestService`` (the
product's ingest path, which also gives its throughput) or, for large stores, by a raw bulk
fill that writes the very rows the repository writes (``message_row``/``key_rows``) with the
primary key built after the load: on SQLite through a staging table copied in key order, on
PostgreSQL with ``COPY`` and ``ADD PRIMARY KEY`` afterwards.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from autoir.bootstrap import Container, build, migrate
from autoir.domain.messages.enums import DeliveryAction, DeliveryLocation
from autoir.domain.messages.message import EmailMessage, MessageAttachment, MessageUrl
from autoir.domain.telemetry.clusters import ClusterKey, message_keys
from autoir.domain.telemetry.kinds import TelemetryKind
from autoir.domain.telemetry.subjects import subject_fingerprint
from autoir.domain.timestamps import format_timestamp
from autoir.settings import Settings
from autoir.storage.bulk import sqlite_time
from autoir.storage.repositories.telemetry_rows import (
    KEY_COLUMNS,
    MESSAGE_COLUMNS,
    index_value,
    key_rows,
    message_row,
    micros,
)
from autoir.storage.telemetry_tables import KEY_CODES

DAYS = 29  # inside the default 30-day cluster window
CAMPAIGN = 100  # members of the planted campaign: the typical cluster an investigation opens
CAMPAIGN_IP = "198.18.0.77"
CAMPAIGN_DOMAIN = "campaign-7.example"
CAMPAIGN_SENDER = f"billing@{CAMPAIGN_DOMAIN}"
CAMPAIGN_URL = f"https://{CAMPAIGN_DOMAIN}/secure/login"
CAMPAIGN_SHA = "7" * 64
CAMPAIGN_SUBJECT = "Your invoice 4711 is overdue"
CAMPAIGN_BODY = "c" * 32
HOT_DOMAIN = "bigmail.example"  # a webmail provider: a tenth of all mail
HOT_REPEATS = 20  # a tenth of 10 million is slow to count without a vacuumed PostgreSQL
LOCATIONS = [
    (DeliveryLocation.INBOX, DeliveryAction.DELIVERED, 85),
    (DeliveryLocation.JUNK_FOLDER, DeliveryAction.JUNKED, 8),
    (DeliveryLocation.QUARANTINE, DeliveryAction.BLOCKED, 5),
    (DeliveryLocation.DELETED_FOLDER, DeliveryAction.DELIVERED, 2),
]


class Generator:
    """Mail of a mid-size tenant: skewed senders, recipients, subjects and links."""

    def __init__(self, seed: int, total: int, end: datetime) -> None:
        self.rng = random.Random(seed)
        self.total = total
        self.end = end
        self.domains = max(1000, total // 20)
        self.subjects = max(1000, total // 5)
        self.bodies = max(1000, total // 3)
        self.links = max(1000, total // 2)
        self.files = max(100, total // 10)
        step = max(total // CAMPAIGN, 1)
        self.campaign_at = {k * step + step // 2 for k in range(CAMPAIGN)}
        self.index = 0

    def _skewed(self, size: int, power: float = 4.0) -> int:
        return int(size * self.rng.random() ** power)

    def message(self) -> EmailMessage:
        rng = self.rng
        self.index += 1
        n = self.index
        received = self.end - timedelta(seconds=rng.random() * DAYS * 86400)
        location, action = rng.choices(
            [(loc, act) for loc, act, _ in LOCATIONS], [w for _, _, w in LOCATIONS]
        )[0]
        recipients = tuple(
            f"user{rng.randrange(20000)}@fabrikam.example"
            for _ in range(rng.choices((1, 2, 3), (80, 15, 5))[0])
        )
        if n in self.campaign_at:
            received = self.end - timedelta(seconds=rng.random() * 7 * 86400)
            return EmailMessage(
                network_message_id=str(uuid.UUID(int=rng.getrandbits(128))),
                internet_message_id=f"<c{n}@{CAMPAIGN_DOMAIN}>",
                received_at=received,
                subject=CAMPAIGN_SUBJECT,
                sender_from_address=CAMPAIGN_SENDER,
                sender_mail_from_address=f"bounce@{CAMPAIGN_DOMAIN}",
                sender_ip=CAMPAIGN_IP,
                recipients=recipients,
                delivery_location=location,
                delivery_action=action,
                urls=(MessageUrl(CAMPAIGN_URL),),
                attachments=(MessageAttachment("invoice.htm", "text/html", 2048, CAMPAIGN_SHA),),
                subject_fingerprint=subject_fingerprint(CAMPAIGN_SUBJECT),
                body_fingerprint=CAMPAIGN_BODY,
            )
        domain = HOT_DOMAIN if rng.random() < 0.1 else f"d{self._skewed(self.domains)}.example"
        seed = zlib.crc32(domain.encode()) & 0xFFFF
        sender = f"u{rng.randrange(50 if domain == HOT_DOMAIN else 20)}@{domain}"
        ip = f"10.{(seed >> 8) & 255}.{seed & 255}.{rng.randrange(4)}"
        if domain == HOT_DOMAIN:
            ip = f"192.0.2.{rng.randrange(64)}"
        urls = []
        for _ in range(rng.choices((0, 1, 2, 3, 5), (25, 30, 25, 12, 8))[0]):
            if rng.random() < 0.4:
                urls.append(MessageUrl(f"https://{domain}/p/{rng.randrange(1000)}"))
            else:
                link = self._skewed(self.links, 3.0)
                urls.append(MessageUrl(f"https://l{link % 5000}.links.example/{link}"))
        attachments = ()
        if rng.random() < 0.1:
            sha = f"{self._skewed(self.files, 2.0):064x}"
            attachments = (MessageAttachment("file.pdf", "application/pdf", 1000, sha),)
        subject = f"subject {self._skewed(self.subjects, 3.0)}"
        return EmailMessage(
            network_message_id=str(uuid.UUID(int=rng.getrandbits(128))),
            internet_message_id=f"<m{n}.{rng.getrandbits(32)}@{domain}>",
            received_at=received,
            subject=subject,
            sender_from_address=sender,
            sender_mail_from_address=sender,
            sender_ip=ip,
            recipients=recipients,
            delivery_location=location,
            delivery_action=action,
            urls=tuple(dict.fromkeys(urls)),
            attachments=attachments,
            subject_fingerprint=f"{self._skewed(self.subjects, 3.0):032x}",
            body_fingerprint=f"{self._skewed(self.bodies, 3.0):032x}",
        )

    def chunks(self, size: int) -> Iterator[list[EmailMessage]]:
        while self.index < self.total:
            yield [self.message() for _ in range(min(size, self.total - self.index))]


def as_json(message: EmailMessage) -> dict[str, Any]:
    """The message as a POST /api/v1/telemetry/messages record."""
    return {
        "networkMessageId": message.network_message_id,
        "internetMessageId": message.internet_message_id,
        "receivedDateTime": format_timestamp(message.received_at),
        "subject": message.subject,
        "senderFromAddress": message.sender_from_address,
        "senderMailFromAddress": message.sender_mail_from_address,
        "senderIPv4": message.sender_ip,
        "recipientEmailAddress": list(message.recipients),
        "deliveryLocation": message.delivery_location.value,
        "deliveryAction": message.delivery_action.value,
        "urls": [u.url for u in message.urls],
        "attachments": [
            {"fileName": a.name, "fileType": a.content_type, "fileSize": a.size, "sha256": a.sha256}
            for a in message.attachments
        ],
        "subjectFingerprint": message.subject_fingerprint,
        "bodyFingerprint": message.body_fingerprint,
    }


def fill_service(container: Container, gen: Generator) -> dict[str, Any]:
    """Through TelemetryIngestService.ingest (JSON validation included), 5,000 per batch."""
    spent = 0.0
    keys = 0
    for chunk in gen.chunks(5000):
        payloads: list[object] = [as_json(m) for m in chunk]
        keys += sum(len(message_keys(m)) for m in chunk)
        started = time.perf_counter()
        container.telemetry_ingest.ingest(TelemetryKind.MESSAGES, payloads)
        spent += time.perf_counter() - started
        if gen.index % 100_000 < 5000:
            print(
                json.dumps({"progress": gen.index, "per_s": round(gen.index / spent)}), flush=True
            )
    return {"fill": "service", "fill_per_s": round(gen.total / spent), "key_rows": keys}


def fill_raw_sqlite(path: Path, gen: Generator, now: datetime) -> dict[str, Any]:
    """Rows the repository writes; key rows staged per kind, then copied in key order.

    No journal during the fill (a 10-million-message load in WAL needed a WAL as large as the
    key table), and one staging table per kind, dropped as soon as it is copied, so the key
    table grows into the pages it frees and the sort works on one kind at a time.
    """
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=OFF",
        "synchronous=OFF",
        "cache_size=-2000000",
        "temp_store=FILE",
        "threads=2",
    ):
        con.execute(f"PRAGMA {pragma}")
    codes = sorted(KEY_CODES.values())
    for code in codes:
        con.execute(
            f"CREATE TABLE bench_keys_{code} (kind, value, received_us, message_id, location, action)"
        )
    message_sql = (
        f"INSERT INTO email_messages ({', '.join(MESSAGE_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in MESSAGE_COLUMNS)})"
    )
    started = time.perf_counter()
    next_id = 1
    keys = 0
    for chunk in gen.chunks(50_000):
        rows = []
        staged: dict[int, list[tuple[object, ...]]] = {code: [] for code in codes}
        for message in chunk:
            row = list(message_row(message, next_id, now))
            row[3], row[4] = sqlite_time(row[3]), sqlite_time(row[4])  # type: ignore[arg-type]
            rows.append(row)
            for key in key_rows(message, next_id):
                staged[key[0]].append(key)  # type: ignore[index]
            next_id += 1
        keys += sum(len(v) for v in staged.values())
        con.execute("BEGIN")
        con.executemany(message_sql, rows)
        for code, staged_rows in staged.items():
            con.executemany(f"INSERT INTO bench_keys_{code} VALUES (?, ?, ?, ?, ?, ?)", staged_rows)
        con.execute("COMMIT")
        print(
            json.dumps({"progress": gen.index, "s": round(time.perf_counter() - started)}),
            flush=True,
        )
    loaded = time.perf_counter() - started
    for code in codes:
        con.execute("BEGIN")
        con.execute(
            f"INSERT INTO email_message_keys ({', '.join(KEY_COLUMNS)}) "
            f"SELECT * FROM bench_keys_{code} ORDER BY value, received_us, message_id"
        )
        con.execute(f"DROP TABLE bench_keys_{code}")
        con.execute("COMMIT")
        print(
            json.dumps({"copied_kind": code, "s": round(time.perf_counter() - started)}), flush=True
        )
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    return {
        "fill": "raw (staged per kind, keys copied in key order)",
        "fill_load_s": round(loaded),
        "fill_total_s": round(time.perf_counter() - started),
        "key_rows": keys,
    }


def fill_raw_postgres(url: str, gen: Generator, now: datetime) -> dict[str, Any]:
    """COPY into tables without their indexes; indexes and primary key built afterwards."""
    engine = create_engine(url)
    raw = engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute("SET maintenance_work_mem = '2GB'")
    cursor.execute("ALTER TABLE email_message_keys DROP CONSTRAINT pk_email_message_keys")
    cursor.execute(
        "ALTER TABLE email_messages DROP CONSTRAINT uq_email_messages_network_message_id"
    )
    cursor.execute(
        "DROP INDEX ix_email_messages_internet_message_id, ix_email_messages_received_at"
    )
    raw.commit()
    started = time.perf_counter()
    next_id = 1
    keys = 0
    for chunk in gen.chunks(50_000):
        with cursor.copy(f"COPY email_messages ({', '.join(MESSAGE_COLUMNS)}) FROM STDIN") as copy:
            for message in chunk:
                copy.write_row(message_row(message, next_id, now))
                next_id += 1
        with cursor.copy(f"COPY email_message_keys ({', '.join(KEY_COLUMNS)}) FROM STDIN") as copy:
            for offset, message in enumerate(chunk):
                for row in key_rows(message, next_id - len(chunk) + offset):
                    copy.write_row(row)
                    keys += 1
        raw.commit()
        print(
            json.dumps({"progress": gen.index, "s": round(time.perf_counter() - started)}),
            flush=True,
        )
    loaded = time.perf_counter() - started
    for statement in (
        (
            "ALTER TABLE email_message_keys ADD CONSTRAINT pk_email_message_keys "
            "PRIMARY KEY (kind, value, received_us, message_id) INCLUDE (location, action)"
        ),
        (
            "ALTER TABLE email_messages ADD CONSTRAINT uq_email_messages_network_message_id "
            "UNIQUE (network_message_id)"
        ),
        "CREATE INDEX ix_email_messages_internet_message_id ON email_messages (internet_message_id)",
        "CREATE INDEX ix_email_messages_received_at ON email_messages (received_at)",
        (
            "SELECT setval(pg_get_serial_sequence('email_messages', 'id'), "
            "(SELECT max(id) FROM email_messages))"
        ),
    ):
        cursor.execute(statement)
        raw.commit()
    raw.close()
    engine.dispose()
    return {
        "fill": "raw (COPY, then primary key and indexes)",
        "fill_load_s": round(loaded),
        "fill_total_s": round(time.perf_counter() - started),
        "key_rows": keys,
    }


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000, 3),
    }


def campaign_values() -> dict[ClusterKey, str]:
    subject = subject_fingerprint(CAMPAIGN_SUBJECT)
    return {
        ClusterKey.SENDER_IP: CAMPAIGN_IP,
        ClusterKey.SENDER_DOMAIN: CAMPAIGN_DOMAIN,
        ClusterKey.SENDER: CAMPAIGN_SENDER,
        ClusterKey.P1_SENDER: f"bounce@{CAMPAIGN_DOMAIN}",
        ClusterKey.SUBJECT: subject or "",
        ClusterKey.BODY: CAMPAIGN_BODY,
        ClusterKey.URL: CAMPAIGN_URL,
        ClusterKey.URL_DOMAIN: CAMPAIGN_DOMAIN,
        ClusterKey.ATTACHMENT: CAMPAIGN_SHA,
        ClusterKey.BODY_SENDER_IP: f"{CAMPAIGN_BODY}/{CAMPAIGN_IP}",
        ClusterKey.BODY_SENDER_DOMAIN: f"{CAMPAIGN_BODY}/{CAMPAIGN_DOMAIN}",
        ClusterKey.SUBJECT_SENDER_DOMAIN: f"{subject}/{CAMPAIGN_DOMAIN}",
        ClusterKey.SUBJECT_SENDER_IP: f"{subject}/{CAMPAIGN_IP}",
    }


RAW_MEMBERS = (
    "SELECT m.network_message_id, k.location, k.action FROM email_message_keys k "
    "JOIN email_messages m ON m.id = k.message_id "
    "WHERE k.kind = {p} AND k.value = {p} AND k.received_us >= {p} "
    "ORDER BY k.received_us DESC, k.message_id DESC LIMIT 1001"
)
RAW_COUNT = "SELECT count(*) FROM email_message_keys WHERE kind = {p} AND value = {p} AND received_us >= {p}"


def measure(container: Container, url: str, repeats: int, now: datetime) -> dict[str, Any]:
    """Service cluster queries and the same questions in raw SQL, p50/p95 each."""
    since = now - timedelta(days=30)
    cases = [(f"campaign_{key.value}", key, value) for key, value in campaign_values().items()]
    cases.append(("hot_senderDomain", ClusterKey.SENDER_DOMAIN, HOT_DOMAIN))
    engine = container.engine
    raw = engine.raw_connection()
    mark = "?" if url.startswith("sqlite") else "%s"
    results: dict[str, Any] = {}
    service_p95 = []
    for name, key, value in cases:
        runs = min(repeats, HOT_REPEATS) if name.startswith("hot") else repeats
        service = []
        result = None
        for i in range(runs + 3):
            started = time.perf_counter()
            result = container.telemetry.cluster(key, value, since=since, limit=1000)
            if i >= 3:  # the first runs warm the cache
                service.append(time.perf_counter() - started)
        assert result is not None
        params = (KEY_CODES[key], index_value(result.query.value), micros(since))
        raw_members = []
        raw_count = []
        cursor = raw.cursor()
        for i in range(runs + 3):
            started = time.perf_counter()
            cursor.execute(RAW_MEMBERS.format(p=mark), params)
            cursor.fetchall()
            elapsed = time.perf_counter() - started
            started = time.perf_counter()
            cursor.execute(RAW_COUNT.format(p=mark), params)
            count = cursor.fetchone()[0]
            if i >= 3:
                raw_members.append(elapsed)
                raw_count.append(time.perf_counter() - started)
        raw.rollback()
        assert count == result.email_count, (name, count, result.email_count)
        results[name] = {
            "emailCount": result.email_count,
            "service": percentiles(service),
            "raw_members_sql": percentiles(raw_members),
            "raw_count_sql": percentiles(raw_count),
        }
        if not name.startswith("hot"):
            service_p95.append(results[name]["service"]["p95_ms"])
        print(json.dumps({name: results[name]}), flush=True)
    raw.close()
    results["campaign_service_p95_ms_worst"] = max(service_p95)
    return results


def sizes(container: Container, url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        return {"database_bytes": path.stat().st_size}
    with container.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar()
            for table in ("email_messages", "email_message_keys")
        }


@contextmanager
def scratch_database(
    backend: str, postgres: str, prefix: str, *, keep: bool = False
) -> Iterator[tuple[Path, str]]:
    """A temporary data directory and database URL (SQLite file or a throwaway PostgreSQL
    database), removed afterwards unless ``keep``."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    admin = None
    name = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'autoir.db'}"
    else:
        name = f"autoir_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
    try:
        yield workdir, url
    finally:
        if keep:
            print(json.dumps({"kept": url}))
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            if admin is not None:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--stored", type=int, default=1_000_000, help="message events stored")
    parser.add_argument("--fill", choices=["service", "raw"], default="service")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument(
        "--analyze", action="store_true", help="PostgreSQL: VACUUM ANALYZE, measure again"
    )
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (prints where)")
    args = parser.parse_args()

    now = datetime.now(UTC)
    with scratch_database(
        args.backend, args.postgres, "autoir-telemetry-bench-", keep=args.keep
    ) as (workdir, url):
        result = run(args, now, workdir, url)
    print(json.dumps(result, indent=2))


def run(args: argparse.Namespace, now: datetime, workdir: Path, url: str) -> dict[str, Any]:
    """Fill the store and measure the cluster queries."""
    result: dict[str, Any] = {
        "benchmark": "telemetry",
        "backend": args.backend,
        "date": now.date().isoformat(),
        "machine": f"{platform.node()} {platform.machine()} python {platform.python_version()}",
        "stored": args.stored,
        "campaign_members": CAMPAIGN,
        "hot_domain_share": 0.1,
    }
    settings = Settings(data_dir=workdir, database_url=url)
    migrate(settings)
    gen = Generator(11, args.stored, now)
    if args.fill == "service":
        container = build(settings)
        result.update(fill_service(container, gen))
    else:
        if args.backend == "sqlite":
            result.update(fill_raw_sqlite(workdir / "autoir.db", gen, now))
        else:
            result.update(fill_raw_postgres(url, gen, now))
        container = build(settings)
    result.update(sizes(container, url))
    result["clusters"] = measure(container, url, args.repeats, now)
    if args.analyze and args.backend == "postgresql":
        with container.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
        result["clusters_after_vacuum_analyze"] = measure(container, url, args.repeats, now)
    container.close()
    return result


if __name__ == "__main__":
    main()
