"""Investigation engine: alert → investigation finished, and investigations per minute; prints JSON.

See benchmarks/README.md. The message store is filled with the telemetry benchmark's generator
and raw fill (``benchmarks/telemetry.py``: a 100-message campaign among ``--stored`` messages);
each measured alert is a user report of one campaign message, investigated by whatever the
installed ``playbook.user_reported_phish`` does (the steps that ran are reported from the
investigation log).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
from telemetry import (
    CAMPAIGN_URL,
    Generator,
    fill_raw_postgres,
    fill_raw_sqlite,
    scratch_database,
)

from autoir.bootstrap import Container, build, migrate
from autoir.domain.access.permissions import Principal
from autoir.domain.investigations.record import InvestigationRecord
from autoir.domain.messages.message import EmailMessage
from autoir.settings import Settings

ODATA = "#microsoft.graph.security."
REPORTED = "Email reported by user as malware or phish"
PLAYBOOK = "playbook.user_reported_phish"
BENCH = Principal("benchmark", "Benchmark", "Security administrator", frozenset())
ORGANISATION = frozenset({"fabrikam.example"})
ACTIVE = {"starting", "queued", "running"}


class CampaignGenerator(Generator):
    """The telemetry generator, keeping the campaign's messages (the ones users report)."""

    def __init__(self, seed: int, total: int, end: datetime) -> None:
        super().__init__(seed, total, end)
        self.campaign: list[EmailMessage] = []

    def message(self) -> EmailMessage:
        message = super().message()
        if self.index in self.campaign_at:
            self.campaign.append(message)
        return message


def reported(message: EmailMessage) -> dict[str, Any]:
    """A user report of ``message`` in the Graph alert shape."""
    return {
        "providerAlertId": f"bench-{uuid.uuid4()}",
        "serviceSource": "microsoftDefenderForOffice365",
        "detectionSource": "microsoftDefenderForOffice365",
        "detectorId": "autoir.email.user_report",
        "title": REPORTED,
        "severity": "medium",
        "category": "InitialAccess",
        "evidence": [
            {
                "@odata.type": ODATA + "analyzedMessageEvidence",
                "networkMessageId": message.network_message_id,
                "internetMessageId": message.internet_message_id,
                "subject": message.subject,
                "recipientEmailAddress": message.recipients[0],
                "senderIp": message.sender_ip,
                "p1Sender": {"emailAddress": message.sender_mail_from_address},
                "p2Sender": {"emailAddress": message.sender_from_address},
                "deliveryAction": message.delivery_action.value,
                "deliveryLocation": message.delivery_location.value,
                "urls": [u.url for u in message.urls],
                "receivedDateTime": message.received_at.isoformat(),
            }
        ],
    }


def lone_report(number: int) -> dict[str, Any]:
    """A report of a message of its own (throughput: every alert starts its own investigation)."""
    domain = f"lone-{number}.example"
    return {
        "providerAlertId": f"bench-{uuid.uuid4()}",
        "serviceSource": "microsoftDefenderForOffice365",
        "detectionSource": "microsoftDefenderForOffice365",
        "detectorId": "autoir.email.user_report",
        "title": REPORTED,
        "severity": "medium",
        "category": "InitialAccess",
        "evidence": [
            {
                "@odata.type": ODATA + "analyzedMessageEvidence",
                "networkMessageId": str(uuid.uuid4()),
                "internetMessageId": f"<{uuid.uuid4()}@{domain}>",
                "subject": f"Invoice {number} overdue",
                "recipientEmailAddress": f"user{number}@fabrikam.example",
                "senderIp": f"198.51.{number // 250}.{number % 250 + 1}",
                "p1Sender": {"emailAddress": f"bounce@{domain}"},
                "p2Sender": {"emailAddress": f"billing@{domain}"},
                "deliveryAction": "delivered",
                "deliveryLocation": "inbox",
                "urls": [f"https://{domain}/pay"],
            }
        ],
    }


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95 + 0.5) - 1, 0)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def record_of(container: Container, alert_id: str) -> InvestigationRecord | None:
    with container.ctx.read_uow() as uow:
        investigation_id = uow.investigations.for_alert(alert_id)
        return None if investigation_id is None else uow.investigations.get(investigation_id)


def close(container: Container, record: InvestigationRecord) -> None:
    """The analyst closes it, so that the next report of the campaign starts its own."""
    if not record.status.is_final:
        container.automation.investigations.cancel(record.id, BENCH)


def step_report(container: Container, investigation_ids: list[str]) -> dict[str, Any]:
    """Which steps ran (name and function from the log) and how long each took."""
    durations: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    analyzers: dict[str, int] = defaultdict(int)
    for investigation_id in investigation_ids:
        detail = container.automation.investigations.get(investigation_id)
        functions = {}
        for row in detail.log:
            if row.kind.value == "step":
                spec = container.automation.investigations.playbooks[detail.record.playbook_id]
                functions[row.name] = spec.step(row.name).function
                statuses[row.name][row.status.value] += 1
                if row.duration is not None:
                    durations[row.name].append(row.duration.total_seconds())
            elif row.kind.value == "analyzer":
                analyzers[row.name] += 1
    return {
        "steps": {
            name: {"status": dict(statuses[name]), **percentiles(values)}
            for name, values in durations.items()
        },
        "analyzer_runs": dict(analyzers),
        "outcomes": dict(
            Counter(
                container.automation.investigations.get(i).record.status.value
                for i in investigation_ids
            )
        ),
    }


def bench_runner(container: Container, members: list[EmailMessage]) -> dict[str, Any]:
    """Ingest, triage (the sweep's work) and ``runner.advance`` called directly: no queue."""
    ingest, triage, run, total, ids = [], [], [], [], []
    for message in members:
        started = time.perf_counter()
        (alert_id,) = container.ingest.ingest([reported(message)]).ids
        ingested = time.perf_counter()
        (investigation_id,) = container.automation.investigations.triage()
        triaged = time.perf_counter()
        status = container.automation.runner.advance(investigation_id, "benchmark")
        done = time.perf_counter()
        assert status is not None, investigation_id
        assert not status.is_active, status
        ingest.append(ingested - started)
        triage.append(triaged - ingested)
        run.append(done - triaged)
        total.append(done - started)
        ids.append(investigation_id)
        record = record_of(container, alert_id)
        assert record is not None
        close(container, record)
    return {
        "ingest": percentiles(ingest),
        "triage": percentiles(triage),
        "runner_advance": percentiles(run),
        "total": percentiles(total),
        **step_report(container, ids),
    }


def bench_worker(
    container: Container, members: list[EmailMessage], threads: int, rng: random.Random
) -> dict[str, Any]:
    """With the in-process worker (as in ``autoir serve``): ingest → finished, and its parts."""
    sweep = container.settings.sweep_seconds
    container.automation.start_worker(threads)
    total, triage_wait, queue_wait, run, ids = [], [], [], [], []
    try:
        for message in members:
            time.sleep(rng.uniform(0, sweep))  # arrive at any point of the sweep cycle
            started = datetime.now(UTC)
            (alert_id,) = container.ingest.ingest([reported(message)]).ids
            deadline = time.monotonic() + 120
            while True:
                record = record_of(container, alert_id)
                if record is not None and not record.status.is_active:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"alert {alert_id} not investigated within 120 s")
                time.sleep(0.01)
            assert record.started_at is not None
            total.append((record.last_modified_at - started).total_seconds())
            triage_wait.append((record.created_at - started).total_seconds())
            queue_wait.append((record.started_at - record.created_at).total_seconds())
            run.append((record.last_modified_at - record.started_at).total_seconds())
            ids.append(record.id)
            close(container, record)
    finally:
        container.automation.stop_worker()
    return {
        "sweep_seconds": sweep,
        "worker_threads": threads,
        "alert_to_finished": percentiles(total),
        "ingest_to_triaged": percentiles(triage_wait),
        "triaged_to_started": percentiles(queue_wait),
        "started_to_finished": percentiles(run),
        **step_report(container, ids),
    }


def worker_env(url: str, broker: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOIR_")}
    env.update(
        AUTOIR_DATABASE_URL=url,
        AUTOIR_TASK_BROKER=broker,
        AUTOIR_DATA_DIR=str(data_dir),
        AUTOIR_ORGANISATION_DOMAINS=json.dumps(sorted(ORGANISATION)),
        AUTOIR_LOG_LEVEL="warning",
    )
    return env


def bench_throughput(
    container: Container, url: str, broker: str, workdir: Path, processes: int, alerts: int
) -> dict[str, Any]:
    """``processes`` ``autoir worker`` processes (2 threads each) on Redis; ``alerts`` at once."""
    client = redis.Redis.from_url(broker)
    client.flushdb()
    logs = [workdir / f"worker-{processes}-{n}.log" for n in range(processes)]
    workers = []
    for log in logs:
        with log.open("wb") as stderr:
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "autoir.cli.main", "worker", "--threads", "2"],
                    env=worker_env(url, broker, workdir),
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            )
    try:
        deadline = time.monotonic() + 120
        while not all(b"worker running" in log.read_bytes() for log in logs):
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise RuntimeError("workers did not start: " + logs[0].read_text())
            time.sleep(0.1)
        base = 100_000 * processes
        bodies = [lone_report(base + n) for n in range(alerts)]
        started = datetime.now(UTC)
        alert_ids = container.ingest.ingest(bodies).ids
        deadline = time.monotonic() + 1800
        while True:
            with container.ctx.read_uow() as uow:
                counts = uow.investigations.counts_by_status(started)
            created = sum(counts.values())
            done = sum(n for status, n in counts.items() if status not in ACTIVE)
            if created >= alerts and done == created:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{done} of {alerts} investigations done after 30 min")
            time.sleep(0.5)
        records = [r for r in (record_of(container, a) for a in alert_ids) if r is not None]
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(60)
        client.flushdb()
        client.close()
    first_created = min(r.created_at for r in records)
    first_started = min(r.started_at for r in records if r.started_at is not None)
    last = max(r.last_modified_at for r in records)
    engine_s = (last - first_started).total_seconds()
    return {
        "worker_processes": processes,
        "threads_per_process": 2,
        "alerts": alerts,
        "investigations": len(records),
        "distinct_investigations": len({r.id for r in records}),
        "ingest_to_first_triaged_s": round((first_created - started).total_seconds(), 2),
        "first_started_to_last_finished_s": round(engine_s, 2),
        "ingest_to_last_finished_s": round((last - started).total_seconds(), 2),
        "finished_per_minute": round(len(records) / engine_s * 60, 1),
        "finished_per_minute_from_ingest": round(
            len(records) / (last - started).total_seconds() * 60, 1
        ),
        "outcomes": {
            s: sum(1 for r in records if r.status.value == s)
            for s in sorted({r.status.value for r in records})
        },
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--stored", type=int, default=1_000_000, help="message events stored")
    parser.add_argument("--alerts", type=int, default=30, help="reports measured per mode")
    parser.add_argument(
        "--sweeps",
        default="5,0.5",
        help="sweep intervals (s) for the in-process worker runs (5 = the default)",
    )
    parser.add_argument(
        "--throughput",
        default="",
        help="worker process counts for investigations per minute on Redis, e.g. 1,4",
    )
    parser.add_argument("--throughput-alerts", type=int, default=200)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    sweeps = [float(s) for s in args.sweeps.split(",") if s]
    assert args.alerts * (1 + len(sweeps)) <= 100, "one campaign message per measured report"

    now = datetime.now(UTC)
    with scratch_database(args.backend, args.postgres, "autoir-investigation-bench-") as (
        workdir,
        url,
    ):
        result = run(args, sweeps, now, workdir, url)
    print(json.dumps(result, indent=2))


def run(
    args: argparse.Namespace, sweeps: list[float], now: datetime, workdir: Path, url: str
) -> dict[str, Any]:
    """Fill the store, then measure each mode."""
    result: dict[str, Any] = {
        "benchmark": "investigations",
        "backend": args.backend,
        "date": now.date().isoformat(),
        "machine": f"{platform.node()} {platform.machine()} python {platform.python_version()}",
        "cpus": os.cpu_count(),
        "stored_messages": args.stored,
        "load_average_at_start": load_average(),
    }
    settings = Settings(data_dir=workdir, database_url=url, organisation_domains=ORGANISATION)
    rng = random.Random(7)
    migrate(settings)
    gen = CampaignGenerator(11, args.stored, now)
    if args.backend == "sqlite":
        result.update(fill_raw_sqlite(workdir / "autoir.db", gen, now))
    else:
        result.update(fill_raw_postgres(url, gen, now))
    members = gen.campaign
    result["campaign_messages"] = len(members)
    result["campaign_url"] = CAMPAIGN_URL
    container = build(settings)
    spec = container.automation.investigations.playbooks[PLAYBOOK]
    result["playbook_steps"] = [f"{s.id}: {s.function}" for s in spec.steps]
    result["runner_direct"] = bench_runner(container, members[: args.alerts])
    result["load_average_after_runner"] = load_average()
    print(json.dumps({"runner_direct": result["runner_direct"]}), flush=True)
    container.close()
    for index, sweep in enumerate(sweeps, start=1):
        container = build(settings.model_copy(update={"sweep_seconds": sweep}))
        chunk = members[index * args.alerts : (index + 1) * args.alerts]
        key = f"worker_sweep_{sweep:g}s"
        result[key] = bench_worker(container, chunk, 2, rng)
        result[f"load_average_after_{key}"] = load_average()
        print(json.dumps({key: result[key]}), flush=True)
        container.close()
    for processes in [int(p) for p in args.throughput.split(",") if p]:
        container = build(settings)
        key = f"throughput_{processes}_processes"
        result[key] = bench_throughput(
            container, url, args.redis, workdir, processes, args.throughput_alerts
        )
        result[f"load_average_after_{key}"] = load_average()
        print(json.dumps({key: result[key]}), flush=True)
        container.close()
    return result


if __name__ == "__main__":
    main()
