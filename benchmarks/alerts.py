"""Alert ingest throughput and queue latency; prints JSON. See benchmarks/README.md."""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from autoir.bootstrap import Container, build, migrate
from autoir.domain.alerts.draft import parse_alert
from autoir.domain.alerts.evidence import EntityKind
from autoir.domain.errors import FieldError
from autoir.domain.queries.filters import And, EntityMatch, ListQuery
from autoir.platform.clock import RandomIds
from autoir.services.alert_queries import default_alert_view
from autoir.settings import Settings
from autoir.storage import tables
from autoir.storage.bulk import binary_copy_types, sqlite_time
from autoir.storage.database import create_database_engine, to_db_time, upgrade_database
from autoir.storage.repositories.alerts import type_key
from autoir.storage.repositories.rows import dumps

ODATA = "#microsoft.graph.security."
IDS = RandomIds()
BATCH = 1000
HOT_DEVICE = "f" * 40
RARE_DEVICE = "e" * 40
TITLES = [
    "Suspicious PowerShell command line",
    "Credential dumping via LSASS access",
    "Ransomware behavior detected in the file system",
    "Suspicious sign-in from an anonymous IP",
    "Email reported by user as malware or phish",
    "Impossible travel activity",
    "A potentially malicious URL click was detected",
    "Cryptocurrency miner detected",
]


class Generator:
    """Realistic-enough alert payloads: 20k devices, 5k users, a hot and a rare device."""

    def __init__(self, seed: int, end: datetime, days: int, hot_share: float, total: int) -> None:
        self.rng = random.Random(seed)
        self.hot_share = hot_share
        # The rare device appears on 10 alerts spread over the last 20 days of the run.
        first_rare = int(total * (1 - 20 / days))
        self.rare_at = {first_rare + k * (total - first_rare) // 10 for k in range(10)}
        self.index = 0
        # Alerts arrive in time order, as from a live feed: `total` of them over `days` days.
        self.clock = end - timedelta(days=days)
        self.step = timedelta(days=days) / max(total, 1)

    def payload(self) -> dict[str, Any]:
        rng = self.rng
        self.clock += self.step
        created = self.clock
        self.index += 1
        if self.index in self.rare_at:
            device = RARE_DEVICE
        elif rng.random() < self.hot_share:
            device = HOT_DEVICE
        else:
            device = f"{rng.randrange(20000):040x}"
        user = f"user{rng.randrange(5000)}@fabrikam.example"
        sha = f"{rng.getrandbits(256):064x}"
        return {
            "providerAlertId": str(uuid.UUID(int=rng.getrandbits(128))),
            "serviceSource": "microsoftDefenderForEndpoint",
            "detectionSource": "microsoftDefenderForEndpoint",
            "detectorId": f"det-{rng.randrange(200)}",
            "title": rng.choice(TITLES),
            "severity": rng.choice(["informational", "low", "low", "medium", "medium", "high"]),
            "status": rng.choice(["new", "new", "new", "inProgress", "resolved"]),
            "category": "Execution",
            "createdDateTime": created.isoformat(),
            "description": "Benchmark alert. " * 8,
            "evidence": [
                {
                    "@odata.type": ODATA + "deviceEvidence",
                    "mdeDeviceId": device,
                    "deviceDnsName": f"host-{device[:10]}",
                    "osPlatform": "Linux",
                },
                {
                    "@odata.type": ODATA + "userEvidence",
                    "userAccount": {
                        "accountName": user.split("@", maxsplit=1)[0],
                        "userPrincipalName": user,
                    },
                },
                {
                    "@odata.type": ODATA + "fileEvidence",
                    "fileDetails": {"fileName": "payload.bin", "sha256": sha, "filePath": "/tmp"},
                },
            ],
        }

    def batch(self, size: int) -> list[dict[str, Any]]:
        return [self.payload() for _ in range(size)]


def raw_rows(
    payloads: list[dict[str, Any]], now: datetime
) -> list[tuple[dict[str, Any], list[tuple[Any, ...]]]]:
    """The rows the repository writes per alert (an `alerts` row and its `alert_entities` rows),
    built outside the timing."""
    rows = []
    for payload in payloads:
        errors: list[FieldError] = []
        draft = parse_alert(payload, "v", now, errors)
        assert draft is not None
        alert_id = "da" + IDS.guid()  # time-ordered, as the service assigns them
        created = to_db_time(draft.created)
        alert = {
            "id": alert_id,
            "tenant_id": "t",
            "provider_alert_id": draft.provider_alert_id,
            "service_source": draft.service_source.value,
            "detection_source": draft.detection_source.value,
            "detector_id": draft.detector_id,
            "type_key": type_key(draft.detector_id, draft.title),
            "title": draft.title,
            "category": draft.category,
            "severity": draft.severity.value,
            "severity_rank": draft.severity.rank,
            "status": draft.status.value,
            "classification": "unknown",
            "determination": "unknown",
            "investigation_state": "unknown",
            "assigned_to": None,
            "incident_id": None,
            "tags": "[]",
            "created_at": created,
            "last_update_at": to_db_time(now),
            "first_activity_at": to_db_time(draft.first_activity),
            "last_activity_at": to_db_time(draft.last_activity),
            "resolved_at": None,
            "occurrences": 1,
            "fingerprint": draft.fingerprint,
            "document": dumps(draft.document),
        }
        entities = [
            (e.value, e.kind.value, created, alert_id, e.strong, None) for e in draft.entities
        ]
        rows.append((alert, entities))
    return rows


def bench_raw(
    url: str, rows: list[tuple[dict[str, Any], list[tuple[Any, ...]]]], *, binary: bool = True
) -> float:
    """The same rows through the driver, 1,000 alerts per transaction.

    SQLite: ``executemany``. PostgreSQL: ``COPY … FROM STDIN``, binary as ingest writes it
    (``binary=False``: text COPY, the baseline of earlier runs).
    """
    engine = create_database_engine(url)
    if url.startswith("sqlite"):
        engine.dispose()  # the service's database may be open elsewhere; use a plain connection
        engine = create_database_engine(url)
    upgrade_database(engine)
    columns = list(rows[0][0])
    sqlite = url.startswith("sqlite")
    mark = "?" if sqlite else "%s"
    alert_sql = (
        f"INSERT INTO alerts ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)})"
    )
    entity_columns = "value, kind, created_at, alert_id, strong, incident_id"
    entity_sql = f"INSERT INTO alert_entities ({entity_columns}) VALUES ({', '.join(mark for _ in range(6))})"

    def driver_value(value: Any) -> Any:
        return sqlite_time(value) if sqlite and isinstance(value, datetime) else value

    alerts = [tuple(driver_value(a[c]) for c in columns) for a, _ in rows]
    entities = [[tuple(driver_value(v) for v in e) for e in es] for _, es in rows]
    raw = engine.raw_connection()
    started = time.perf_counter()
    for start in range(0, len(alerts), BATCH):
        cursor = raw.cursor()
        batch_entities = [e for es in entities[start : start + BATCH] for e in es]
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(alert_sql, alerts[start : start + BATCH])
            cursor.executemany(entity_sql, batch_entities)
        else:  # COPY: the fastest way in through psycopg, as the repository does
            options = " (FORMAT BINARY)" if binary else ""
            with cursor.copy(f"COPY alerts ({', '.join(columns)}) FROM STDIN{options}") as copy:
                if binary:
                    copy.set_types(binary_copy_types(tables.alerts, columns))
                for row in alerts[start : start + BATCH]:
                    copy.write_row(row)
            with cursor.copy(f"COPY alert_entities ({entity_columns}) FROM STDIN{options}") as copy:
                if binary:
                    copy.set_types(
                        binary_copy_types(tables.alert_entities, entity_columns.split(", "))
                    )
                for row in batch_entities:
                    copy.write_row(row)
        raw.commit()
    elapsed = time.perf_counter() - started
    raw.close()
    engine.dispose()
    return len(rows) / elapsed


def bench_ingest(
    container: Container, batches: list[list[dict[str, Any]]], clients: int = 1
) -> float:
    """Alerts per second with ``clients`` threads posting batches concurrently (as connectors do)."""
    count = sum(len(b) for b in batches)
    queue = list(reversed(batches))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                batch = queue.pop()
            container.ingest.ingest(list(batch))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - started)


def fill(container: Container, gen: Generator, target: int) -> float:
    started = time.perf_counter()
    done = 0
    while done < target:
        size = min(5000, target - done)
        container.ingest.ingest(list(gen.batch(size)))
        done += size
        if done % 100_000 < size:
            rate = done / (time.perf_counter() - started)
            print(json.dumps({"progress": done, "alerts_per_s": round(rate)}), flush=True)
    return done / (time.perf_counter() - started)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    }


def bench_queue(container: Container, repeats: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    default = default_alert_view(now, 30)
    queries = {
        "default_view": ListQuery(),
        "rare_entity": ListQuery(
            filter=And((EntityMatch(EntityKind.DEVICE, RARE_DEVICE), default))
        ),
        "hot_entity": ListQuery(filter=And((EntityMatch(EntityKind.DEVICE, HOT_DEVICE), default))),
    }
    results: dict[str, Any] = {}
    for name, query in queries.items():
        for count, limit, suffix in (
            (False, None, ""),
            (True, 10_000, "_with_ui_count"),
            (True, None, "_with_exact_count"),
        ):
            q = ListQuery(filter=query.filter, top=50, count=count, count_limit=limit)
            samples = []
            rows = 0
            for _ in range(repeats):
                started = time.perf_counter()
                page, comments = container.alerts.queue(q)
                body = [a.to_graph(comments.get(a.id)) for a in page.items]
                samples.append(time.perf_counter() - started)
                rows = len(body)
            key = f"queue_{name}{suffix}"
            results[key] = {
                **percentiles(samples),
                "rows": rows,
                "total": page.total,
                **({"total_is_lower_bound": True} if page.total_is_lower_bound else {}),
            }
    return results


def postgres_database(admin_url: str) -> tuple[str, Any]:
    name = f"autoir_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), (
        admin,
        name,
    )


def drop_postgres(handle: Any) -> None:
    admin, name = handle
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--stored", type=int, default=1_000_000, help="alerts stored before the at-scale figures"
    )
    parser.add_argument("--hot", type=int, default=100_000, help="alerts naming the hot device")
    parser.add_argument("--sample", type=int, default=20_000, help="alerts in each throughput run")
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--keep", type=Path, help="keep the SQLite data directory here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="autoir-bench-"))
    end = datetime.now(UTC)
    hot_share = args.hot / max(args.stored, 1)
    gen = Generator(7, end, 90, hot_share, args.stored + args.sample)
    sample = gen.batch(args.sample)
    handles = []

    def database(name: str) -> str:
        if args.backend == "sqlite":
            directory = workdir / name
            directory.mkdir()
            return f"sqlite:///{directory / 'autoir.db'}"
        url, handle = postgres_database(args.postgres)
        handles.append(handle)
        return url

    result: dict[str, Any] = {
        "benchmark": "alerts",
        "backend": args.backend,
        "date": end.date().isoformat(),
        "machine": f"{platform.node()} {platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip(),
        "stored": args.stored,
        "hot_entity_alerts": args.hot,
        "batch": BATCH,
    }
    try:
        # The ceiling: best of two runs of each way in, each into a fresh database (the first
        # run of a process is often the slowest; the best run is the strictest baseline).
        rows = raw_rows(sample, end)
        variants = (
            {"raw_insert_binary_copy_per_s": True, "raw_insert_text_copy_per_s": False}
            if args.backend == "postgresql"
            else {"raw_insert_executemany_per_s": True}
        )
        for name, binary in variants.items():
            rates = [
                round(bench_raw(database(f"raw{attempt}{int(binary)}"), rows, binary=binary))
                for attempt in range(2)
            ]
            result[name], result[f"{name}_runs"] = max(rates), rates
        result["raw_insert_per_s"] = max(result[name] for name in variants)
        del rows
        url = database("service")
        settings = Settings(data_dir=(args.keep or workdir / "service"), database_url=url)
        migrate(settings)
        container = build(settings)
        batches = [sample[i : i + BATCH] for i in range(0, len(sample), BATCH)]
        result["ingest_empty_per_s"] = round(bench_ingest(container, batches))
        result["ratio_empty"] = round(result["ingest_empty_per_s"] / result["raw_insert_per_s"], 3)
        result["fill_per_s"] = round(fill(container, gen, args.stored - len(sample)))
        for clients in (1, 2):
            more = gen.batch(args.sample)
            batches = [more[i : i + BATCH] for i in range(0, len(more), BATCH)]
            rate = round(bench_ingest(container, batches, clients))
            result[f"ingest_at_stored_{clients}_clients_per_s"] = rate
            result[f"ratio_at_stored_{clients}_clients"] = round(
                rate / result["raw_insert_per_s"], 3
            )
        result.update(bench_queue(container, args.repeats))
        container.close()
        # The same kind of rows inserted raw into the same, full database: the like-for-like
        # baseline for the at-scale ingest figures.
        more = gen.batch(args.sample)
        result["raw_insert_at_stored_per_s"] = round(bench_raw(url, raw_rows(more, end)))
        for clients in (1, 2):
            rate = result[f"ingest_at_stored_{clients}_clients_per_s"]
            result[f"ratio_at_stored_vs_raw_at_stored_{clients}_clients"] = round(
                rate / result["raw_insert_at_stored_per_s"], 3
            )
    finally:
        for handle in handles:
            drop_postgres(handle)
        if not args.keep:  # the SQLite databases (3 GB at 1,000,000 alerts)
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
