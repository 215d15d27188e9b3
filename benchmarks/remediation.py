"""Remediation: approval → completed for a large cluster soft delete, and device actions; JSON.

::

    cd benchmarks && ../.venv-test/bin/python remediation.py --backend sqlite
    cd benchmarks && ../.venv-test/bin/python remediation.py --backend postgresql \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Everything runs against the **in-memory connectors** (``InMemoryEmailSystem``,
``InMemoryEndpointFleet``: the stand-ins until the IMAP connector and the endpoint agent land),
so the figures are AutoIR's own cost — the Action Center's decision, the queue, the executor's
claim, telemetry look-ups, the result document and the investigation's bookkeeping — plus a
dictionary-backed mail system and fleet, not a real mail server's or agent's. PostgreSQL runs in
a throwaway database created on the server given by ``--database-url`` and dropped afterwards.

The store: ``--background`` everyday message events to ``--users`` mailboxes and
twice ``--repeats`` campaigns of ``--cluster`` copies, each campaign with its own sender, IP,
subject, body and URL, one copy per mailbox; every copy that is in a mailbox (not the quarantined
background mail) is delivered into ``InMemoryEmailSystem`` too. Each campaign's first copy is
reported by its recipient (its URL known to be malicious); the installed playbook proposes a
pending ``softDeleteEmail`` of the URL cluster (``emailCount`` = ``--cluster``), the measured
action; the investigation's other proposals are rejected first, as an analyst would decide them.

What it measures (p50/p95/max):

- ``cluster_in_process``: ``ActionCenterService.approve``, then ``ActionExecutor.execute`` in
  the same thread (claim, telemetry look-up, the connector call for every copy, the outcome with
  its per-message result and where each message now is); ``messages_per_s`` = copies ÷
  approve → completed. These reports are investigated in process beforehand.
- ``cluster_worker``: the in-process workers (``Automation.start_worker``, the embedded SQLite
  task store ``tasks.db``, sweep every 5 s) investigate each report; the approval goes through
  the service and a worker executes it. ``approve_to_observed`` ends when this thread, polling
  every 10 ms, reads the action completed; ``approve_to_completed`` at the action's
  ``completedDateTime``, stamped before the outcome's transaction runs; ``approve_to_started``
  is the queue.
- ``devices_in_process``: ``--devices`` manual ``isolateDevice`` requests
  (``ActionCenterService.request``, approved on request) on as many enrolled devices, each
  executed at once in the same thread; ``actions_per_s`` over the loop.
- ``devices_worker``: as many more requests in one burst, executed by the workers;
  ``request_to_completed`` per action (request → ``completedDateTime``), ``actions_per_s`` from
  the first request to the last completion.
- ``--recheck-seconds``: the executor's re-check interval of pending mailbox actions during the
  worker runs; by default the product's (10 minutes); see :func:`set_recheck_interval`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telemetry import scratch_database

from autoir.bootstrap import Container, build, migrate
from autoir.connectors.memory import InMemoryEmailSystem, InMemoryEndpointFleet
from autoir.domain.access.permissions import Permission, Principal
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.catalog import ActionType
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.domain.telemetry.kinds import TelemetryKind
from autoir.settings import Settings

ODATA = "#microsoft.graph.security."
REPORTED = "Email reported by user as malware or phish"
DOMAIN = "fabrikam.example"
ORGANISATION = frozenset({DOMAIN})
BENCH = Principal("benchmark", "Benchmark", "Security administrator", frozenset(Permission))
FOLDERS = {"inbox": "Inbox", "junkFolder": "Junk"}
BATCH = 2_000
TIMEOUT_S = 600


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95 + 0.5) - 1, 0)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def progress(message: str) -> None:
    print(json.dumps({"progress": message, "load_average": load_average()}), flush=True)


# --- the tenant's mail --------------------------------------------------------------------------


def recipient(number: int, users: int) -> str:
    return f"user{number % users}@{DOMAIN}"


def message_record(
    *,
    network_id: str,
    internet_id: str,
    received: datetime,
    sender: str,
    ip: str,
    subject: str,
    body: str,
    to: str,
    url: str,
    location: str = "inbox",
) -> dict[str, Any]:
    """A message event in the ingest format of docs/telemetry.md."""
    return {
        "networkMessageId": network_id,
        "internetMessageId": internet_id,
        "receivedDateTime": received.isoformat(),
        "subject": subject,
        "senderFromAddress": sender,
        "senderMailFromAddress": f"bounce@{sender.split('@')[1]}",
        "senderIPv4": ip,
        "recipientEmailAddress": to,
        "antiSpamDirection": "inbound",
        "deliveryAction": "delivered" if location != "junkFolder" else "junked",
        "deliveryLocation": location,
        "bodyFingerprint": body,
        "urls": [url],
        "attachments": [],
    }


def background(count: int, users: int, now: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """Everyday mail: 500 sender domains, a subject pool, a few junked and quarantined."""
    records = []
    for n in range(count):
        domain = f"sender-{rng.randrange(500)}.example"
        location = rng.choices(["inbox", "junkFolder", "quarantine"], [90, 5, 5])[0]
        records.append(
            message_record(
                network_id=str(uuid.UUID(int=rng.getrandbits(128))),
                internet_id=f"<bg{n}@{domain}>",
                received=now - timedelta(minutes=rng.uniform(60, 29 * 24 * 60)),
                sender=f"news@{domain}",
                ip=f"192.0.2.{rng.randrange(1, 255)}",
                subject=f"Newsletter {rng.randrange(200)}",
                body=f"{rng.randrange(1000):032x}",
                to=recipient(rng.randrange(users), users),
                url=f"https://{domain}/article/{rng.randrange(10_000)}",
                location=location,
            )
        )
    return records


def campaign(
    number: int, size: int, users: int, now: datetime, rng: random.Random
) -> list[dict[str, Any]]:
    """``size`` copies of one phishing campaign to ``size`` different mailboxes.

    The first copy (the one reported) goes to a mailbox of its own: the report must start an
    investigation of its own, not join an open one through a mailbox another campaign reached.
    """
    domain = f"campaign-{number}.example"
    first = rng.randrange(users)
    return [
        message_record(
            network_id=str(uuid.UUID(int=rng.getrandbits(128))),
            internet_id=f"<c{number}-{i}@{domain}>",
            received=now - timedelta(minutes=rng.uniform(5, 24 * 60)),
            sender=f"billing@{domain}",
            ip=f"198.18.{number % 250}.{number // 250 + 1}",
            subject=f"Your invoice {4700 + number} is overdue",
            body=f"c{number:031x}",
            to=recipient(first + i, users) if i else f"reporter{number}@{DOMAIN}",
            url=f"https://{domain}/secure/login",
        )
        for i in range(size)
    ]


def store_and_deliver(
    container: Container, email: InMemoryEmailSystem, records: list[dict[str, Any]]
) -> None:
    """Ingest the message events and put each copy in its mailbox (not the quarantined ones)."""
    for start in range(0, len(records), BATCH):
        chunk: list[object] = list(records[start : start + BATCH])
        container.telemetry_ingest.ingest(TelemetryKind.MESSAGES, chunk)
    for record in records:
        folder = FOLDERS.get(record["deliveryLocation"])
        if folder is not None:
            raw = f"Subject: {record['subject']}\r\nFrom: {record['senderFromAddress']}\r\n\r\n."
            email.deliver(
                record["recipientEmailAddress"],
                folder,
                record["networkMessageId"],
                record["internetMessageId"],
                raw.encode(),
                [],
            )


def report(copy: dict[str, Any]) -> dict[str, Any]:
    """A user report of one campaign copy, its URL already known to be malicious."""
    url = copy["urls"][0]
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
                "networkMessageId": copy["networkMessageId"],
                "internetMessageId": copy["internetMessageId"],
                "subject": copy["subject"],
                "recipientEmailAddress": copy["recipientEmailAddress"],
                "urls": [url],
            },
            {"@odata.type": ODATA + "urlEvidence", "url": url, "verdict": "malicious"},
        ],
    }


def measured_action(container: Container, investigation_id: str, size: int) -> str:
    """The investigation's pending URL-cluster soft delete; its other proposals are rejected.

    The campaign's other clusters and the URL block are decided as an analyst would: only the
    measured action stays pending.
    """
    with container.ctx.read_uow() as uow:
        actions = uow.actions.for_investigation(investigation_id)
    (measured,) = [
        a
        for a in actions
        if a.action_type is ActionType.SOFT_DELETE_EMAIL and a.properties.get("clusterBy") == "url"
    ]
    assert measured.status is ActionStatus.PENDING, measured.status
    assert measured.properties.get("emailCount") == size, measured.properties.get("emailCount")
    others: dict[ActionType, list[str]] = {}
    for other in actions:
        if other.id != measured.id and other.status is ActionStatus.PENDING:
            others.setdefault(other.action_type, []).append(other.id)
    for ids in others.values():
        container.automation.remediation.center.reject(BENCH, ids, "not measured")
    return measured.id


def pending_cluster_delete(container: Container, copy: dict[str, Any], size: int) -> str:
    """Report ``copy`` and run its investigation here; return the measured pending action."""
    container.ingest.ingest([report(copy)])
    (investigation_id,) = container.automation.investigations.sweep()
    status = container.automation.runner.advance(investigation_id, "benchmark")
    assert status is not None
    assert not status.is_active, status
    return measured_action(container, investigation_id, size)


def investigated_by_workers(container: Container, copy: dict[str, Any], size: int) -> str:
    """Report ``copy`` with the workers running; wait for them to investigate it."""
    (alert_id,) = container.ingest.ingest([report(copy)]).ids
    deadline = time.monotonic() + TIMEOUT_S
    investigations = container.automation.investigations
    while True:
        investigation_id = investigations.ids_for([alert_id]).get(alert_id)
        if (
            investigation_id is not None
            and not investigations.get(investigation_id).record.status.is_active
        ):
            return measured_action(container, investigation_id, size)
        if time.monotonic() > deadline:
            raise TimeoutError(f"alert {alert_id} not investigated")
        time.sleep(0.05)


# --- measuring ----------------------------------------------------------------------------------


def action(container: Container, action_id: str) -> RemediationAction:
    return container.automation.remediation.center.get(action_id)


def wait_completed(container: Container, action_ids: list[str]) -> list[RemediationAction]:
    """Poll until every action is finished; return them."""
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        found = container.automation.remediation.center.get_many(action_ids)
        if all(not a.status.is_open for a in found):
            return found
        if time.monotonic() > deadline:
            still = [(a.id, a.status.value, a.attempts, a.error) for a in found if a.status.is_open]
            raise TimeoutError(f"{len(still)} actions still open: {still[:5]}")
        time.sleep(0.01)


def check_completed(done: RemediationAction, expected_done: int | None = None) -> None:
    assert done.status is ActionStatus.COMPLETED, (done.status, done.error)
    if expected_done is not None:
        counts = done.result["counts"]
        assert counts["done"] == expected_done, counts


def bench_cluster_in_process(
    container: Container, action_ids: list[str], size: int
) -> dict[str, Any]:
    """Approve, then ``ActionExecutor.execute`` in this thread: the engine's own time."""
    approve, execute, total, rates = [], [], [], []
    for action_id in action_ids:
        started = time.perf_counter()
        container.automation.remediation.center.approve(BENCH, [action_id], "benchmark")
        approved = time.perf_counter()
        container.automation.remediation.executor.execute(action_id, "benchmark")
        finished = time.perf_counter()
        check_completed(action(container, action_id), size)
        approve.append(approved - started)
        execute.append(finished - approved)
        total.append(finished - started)
        rates.append(size / (finished - started))
    return {
        "actions": len(action_ids),
        "messages_per_action": size,
        "approve": percentiles(approve),
        "execute": percentiles(execute),
        "approve_to_completed": percentiles(total),
        "messages_per_s_p50": round(statistics.median(rates)),
        "messages_per_s_min": round(min(rates)),
    }


def set_recheck_interval(container: Container, seconds: float) -> None:
    """The executor's re-check interval of pending mailbox actions (10 minutes in the product).

    At 0 every sweep re-checks them and leaves them due at once. Until commit 3a771c7 an
    approval kept the ``next_attempt_at`` a re-check had set, and the action could not be
    claimed before it: the runs of 2026-12-04 03:33 UTC (docs/performance.md) used 0.
    """
    executor = container.automation.remediation.executor
    executor._settings = replace(  # noqa: SLF001 - a benchmark knob, not a product setting
        executor._settings,  # noqa: SLF001
        recheck_interval=timedelta(seconds=seconds),
    )


def bench_cluster_worker(
    container: Container, campaigns: list[list[dict[str, Any]]], size: int, threads: int
) -> dict[str, Any]:
    """With the in-process workers (SQLite task store): they investigate each report; then the
    approval goes through the service and the workers execute it.

    One campaign at a time, so that no other work is pending while an action is measured.
    ``approve_to_completed`` ends at the action's ``completedDateTime`` (stamped as the worker
    records the outcome, before that transaction commits); ``approve_to_observed`` when this
    thread, polling every 10 ms, first reads the action as completed.
    """
    container.automation.start_worker(threads)
    total, observed, queue_wait, run, rates = [], [], [], [], []
    try:
        for copies in campaigns:
            action_id = investigated_by_workers(container, copies[0], size)
            started = datetime.now(UTC)
            container.automation.remediation.center.approve(BENCH, [action_id], "benchmark")
            (done,) = wait_completed(container, [action_id])
            seen = datetime.now(UTC)
            check_completed(done, size)
            assert done.started_at is not None
            assert done.completed_at is not None
            total.append((done.completed_at - started).total_seconds())
            observed.append((seen - started).total_seconds())
            queue_wait.append((done.started_at - started).total_seconds())
            run.append((done.completed_at - done.started_at).total_seconds())
            rates.append(size / observed[-1])
    finally:
        container.automation.stop_worker()
    return {
        "worker_threads": threads,
        "actions": len(campaigns),
        "messages_per_action": size,
        "approve_to_completed": percentiles(total),
        "approve_to_observed": percentiles(observed),
        "approve_to_started": percentiles(queue_wait),
        "started_to_completed": percentiles(run),
        "messages_per_s_p50": round(statistics.median(rates)),
        "messages_per_s_min": round(min(rates)),
    }


def isolate(device_id: str) -> dict[str, Any]:
    return {
        "actionType": "isolateDevice",
        "target": {"kind": "device", "deviceId": device_id},
        "parameters": {"isolationType": "Full"},
        "comment": "benchmark",
    }


def bench_devices_in_process(
    container: Container, fleet: InMemoryEndpointFleet, devices: list[str]
) -> dict[str, Any]:
    """One request at a time, executed at once in this thread."""
    total = []
    first = time.perf_counter()
    for device_id in devices:
        started = time.perf_counter()
        requested = container.automation.remediation.center.request(BENCH, isolate(device_id))
        container.automation.remediation.executor.execute(requested.id, "benchmark")
        total.append(time.perf_counter() - started)
        check_completed(action(container, requested.id))
        assert fleet.isolation(device_id) == "Full"
    elapsed = time.perf_counter() - first
    return {
        "actions": len(devices),
        "request_to_completed": percentiles(total),
        "actions_per_s": round(len(devices) / elapsed, 1),
    }


def bench_devices_worker(
    container: Container, fleet: InMemoryEndpointFleet, devices: list[str], threads: int
) -> dict[str, Any]:
    """Every request in one burst; the workers execute them as they come."""
    container.automation.start_worker(threads)
    try:
        started: dict[str, datetime] = {}
        first = datetime.now(UTC)
        for device_id in devices:
            at = datetime.now(UTC)
            requested = container.automation.remediation.center.request(BENCH, isolate(device_id))
            started[requested.id] = at
        requests_done = datetime.now(UTC)
        finished = wait_completed(container, list(started))
        seen = datetime.now(UTC)
    finally:
        container.automation.stop_worker()
    total, run = [], []
    for done in finished:
        check_completed(done)
        assert done.started_at is not None
        assert done.completed_at is not None
        total.append((done.completed_at - started[done.id]).total_seconds())
        run.append((done.completed_at - done.started_at).total_seconds())
    assert all(fleet.isolation(d) == "Full" for d in devices)
    last = max(d.completed_at for d in finished if d.completed_at is not None)
    elapsed = (last - first).total_seconds()
    elapsed_seen = (seen - first).total_seconds()
    return {
        "worker_threads": threads,
        "actions": len(devices),
        "requests_s": round((requests_done - first).total_seconds(), 2),
        "request_to_completed": percentiles(total),
        "started_to_completed": percentiles(run),
        "first_request_to_last_completed_s": round(elapsed, 2),
        "first_request_to_all_observed_s": round(elapsed_seen, 2),
        "actions_per_s": round(len(devices) / elapsed, 1),
        "actions_per_s_observed": round(len(devices) / elapsed_seen, 1),
    }


# --- the run ------------------------------------------------------------------------------------


def run(args: argparse.Namespace, now: datetime, workdir: Path, url: str) -> dict[str, Any]:
    """Build the tenant, then measure each part."""
    result: dict[str, Any] = {
        "benchmark": "remediation",
        "backend": args.backend,
        "date": now.date().isoformat(),
        "machine": f"{platform.node()} {platform.machine()} python {platform.python_version()}",
        "cpus": os.cpu_count(),
        "connectors": "in-memory (InMemoryEmailSystem, InMemoryEndpointFleet)",
        "cluster_size": args.cluster,
        "background_messages": args.background,
        "mailboxes": args.users,
        "load_average_at_start": load_average(),
    }
    settings = Settings(data_dir=workdir, database_url=url, organisation_domains=ORGANISATION)
    migrate(settings)
    container = build(settings)
    email = container.automation.remediation.connectors.email
    fleet = container.automation.remediation.connectors.endpoints
    assert isinstance(email, InMemoryEmailSystem)
    assert isinstance(fleet, InMemoryEndpointFleet)
    rng = random.Random(7)

    def measure(key: str, figures: dict[str, Any]) -> None:
        result[key] = figures
        result[f"load_average_after_{key}"] = load_average()
        print(json.dumps({key: figures}), flush=True)

    try:
        started = time.perf_counter()
        store_and_deliver(container, email, background(args.background, args.users, now, rng))
        result["background_stored_s"] = round(time.perf_counter() - started, 1)
        progress(f"{args.background} background messages stored and delivered")
        if args.repeats:
            campaigns = [
                campaign(n, args.cluster, args.users, now, rng) for n in range(2 * args.repeats)
            ]
            started = time.perf_counter()
            store_and_deliver(container, email, [r for c in campaigns for r in c])
            result["campaigns_stored_s"] = round(time.perf_counter() - started, 1)
            progress(f"{len(campaigns)} campaigns of {args.cluster} stored and delivered")
            started = time.perf_counter()
            pending = [
                pending_cluster_delete(container, c[0], args.cluster)
                for c in campaigns[: args.repeats]
            ]
            result["investigations_in_process_s"] = round(time.perf_counter() - started, 1)
            progress(f"{len(pending)} investigations proposed their cluster soft deletes")
            measure(
                "cluster_in_process", bench_cluster_in_process(container, pending, args.cluster)
            )
            container.automation.queue.huey.flush()  # the in-process approvals' queued tasks
            if args.recheck_seconds >= 0:
                set_recheck_interval(container, args.recheck_seconds)
                result["pending_recheck_interval_s"] = args.recheck_seconds
            measure(
                "cluster_worker",
                bench_cluster_worker(
                    container, campaigns[args.repeats :], args.cluster, args.worker_threads
                ),
            )
        if args.devices:
            devices = [f"{n:040x}" for n in range(2 * args.devices)]
            for device_id in devices:
                fleet.enroll(
                    device_id, files={"/usr/bin/ls": b"\x7fELF"}, processes={1: "/sbin/init"}
                )
            measure(
                "devices_in_process",
                bench_devices_in_process(container, fleet, devices[: args.devices]),
            )
            container.automation.queue.huey.flush()
            measure(
                "devices_worker",
                bench_devices_worker(
                    container, fleet, devices[args.devices :], args.worker_threads
                ),
            )
    finally:
        container.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cluster", type=int, default=1_000, help="messages per cluster action")
    parser.add_argument("--background", type=int, default=20_000, help="everyday messages")
    parser.add_argument("--users", type=int, default=2_000, help="mailboxes")
    parser.add_argument(
        "--repeats", type=int, default=10, help="cluster actions measured per mode (0: none)"
    )
    parser.add_argument("--devices", type=int, default=100, help="device actions per mode")
    parser.add_argument("--worker-threads", type=int, default=2)
    parser.add_argument(
        "--recheck-seconds",
        type=float,
        default=-1.0,
        help="pending re-check interval (s) for the worker runs; negative (default): the "
        "product's 600",
    )
    parser.add_argument(
        "--database-url",
        "--postgres",
        dest="postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server: a throwaway database is created there and dropped",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (prints where)")
    args = parser.parse_args()
    assert args.cluster <= args.users, "one copy per mailbox"

    now = datetime.now(UTC)
    with scratch_database(
        args.backend, args.postgres, "autoir-remediation-bench-", keep=args.keep
    ) as (workdir, url):
        result = run(args, now, workdir, url)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
