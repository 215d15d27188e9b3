"""A worker killed at any moment loses nothing (issue 3): real ``autoir worker`` processes, SIGKILL.

Each test has its own data directory with the embedded SQLite database, a playbook written into
an ``AUTOIR_PLAYBOOK_DIRS`` folder (``collect_alert_evidence`` → the slow test step plugin from
``tests/support/slow_step.py`` → ``analyze_evidence``), and a lease of one second so a dead
worker's run resumes quickly. The task store is the embedded SQLite ``tasks.db`` or Redis
(``AUTOIR_TASK_BROKER``; a database number of its own per test, flushed before and after;
skipped when Redis is absent, a failure in CI).

What is proven, per investigation: its final status is reached once (one "Investigation
finished" entry); a step a killed worker was running is marked failed and run again exactly
once to completion, and every step completes exactly once; evidence and proposed actions are
stored once; the triggering alert's ``investigationState`` matches the final status; no second
investigation is created for the alert.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from autoir.bootstrap import Container, build
from autoir.services.investigations import InvestigationDetail
from autoir.settings import Settings
from tests.support import alerts as A
from tests.support.services import missing_service
from tests.support.slow_step import EVIDENCE_KEY, STEP_ID

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Worker kill drill: reported message"
ABANDONED = "The worker running this step stopped; the step is run again."
STEPS = ["evidence", "slow", "analysis"]
LEASE_SECONDS = "1"
SWEEP_SECONDS = "0.2"
WAIT = 30.0  # seconds any one condition may take before the test gives up
# One Redis database per test (they may run at the same time under xdist), flushed around it.
REDIS_DBS = {"deterministic": 14, "random": 15}


def _redis_url(test: str) -> str:
    url = f"redis://127.0.0.1:6379/{REDIS_DBS[test]}"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.flushdb()
        client.close()
    except Exception as exc:
        missing_service(f"Redis is not reachable at {url}: {exc}")
    return url


def _flush(url: str | None) -> None:
    if url is None:
        return
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    client.flushdb()
    client.close()


@dataclass
class Drill:
    """A data directory, the workers' environment and a container for ingest and reads."""

    data_dir: Path
    env: dict[str, str]
    signal_file: Path
    release_file: Path
    container: Container
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = self.data_dir.parent / f"worker-{len(self.logs)}.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "autoir.cli.main",
                    "worker",
                    "--threads",
                    "2",
                    "--data-dir",
                    str(self.data_dir),
                ],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self.workers.append(process)
        self.logs.append(log)
        return process

    def wait_ready(self, process: subprocess.Popen[bytes]) -> None:
        log = self.logs[self.workers.index(process)]
        self.wait(lambda: b"worker running" in log.read_bytes(), "the worker to start")

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def worker_output(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in self.logs
        )

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        pytest.fail(f"waited {timeout:.0f} s for {what}\n{self.worker_output()}")

    def ingest(self, number: int) -> str:
        (alert_id,) = self.container.ingest.ingest([_alert(number)]).ids
        return alert_id

    def investigation_of(self, alert_id: str) -> str | None:
        return self.container.automation.investigations.ids_for([alert_id]).get(alert_id)

    def detail(self, investigation_id: str) -> InvestigationDetail:
        return self.container.automation.investigations.get(investigation_id)

    def finished(self, alert_id: str) -> bool:
        investigation_id = self.investigation_of(alert_id)
        return (
            investigation_id is not None
            and not self.detail(investigation_id).record.status.is_active
        )

    def signals(self) -> list[tuple[int, str]]:
        if not self.signal_file.exists():
            return []
        lines = self.signal_file.read_text(encoding="utf-8").split()
        return [(int(pid), inv) for pid, inv in zip(lines[::2], lines[1::2], strict=True)]


def _alert(number: int) -> dict[str, Any]:
    """A reported message with a malicious URL (so remediation is proposed).

    Every entity differs per number: an alert sharing one with an investigation still pending
    action would join it instead of starting its own.
    """
    network_id = f"kill-drill-{number}"
    url = f"https://evil-{number}.example/login"
    return A.alert(
        title=TITLE,
        serviceSource="microsoftDefenderForOffice365",
        detectionSource="microsoftDefenderForOffice365",
        category="WorkerKillDrill",
        evidence=[
            {
                "@odata.type": A.ODATA + "analyzedMessageEvidence",
                "networkMessageId": network_id,
                "internetMessageId": f"<{network_id}@mail.example>",
                "subject": "Your mailbox is full - verify now",
                "recipientEmailAddress": f"user{number}@fabrikam.example",
                "senderIp": f"203.0.113.{number}",
                "p1Sender": {"emailAddress": f"bounce@evil-{number}.example"},
                "p2Sender": {"emailAddress": f"it-support@evil-{number}.example"},
                "deliveryAction": "delivered",
                "deliveryLocation": "inbox",
                "urls": [url],
            },
            {"@odata.type": A.ODATA + "urlEvidence", "url": url, "verdict": "malicious"},
        ],
    )


def _playbook(folder: Path, slow_params: dict[str, Any]) -> None:
    folder.mkdir()
    spec = {
        "id": "playbook.test_worker_kill",
        "name": "Worker kill drill",
        "investigationType": "userReportedMessage",
        "triggers": {"alertTitles": [TITLE]},
        "steps": [
            {"id": "evidence", "function": "collect_alert_evidence"},
            {"id": "slow", "function": STEP_ID, "params": slow_params},
            {"id": "analysis", "function": "analyze_evidence"},
        ],
    }
    (folder / "worker_kill.yaml").write_text(json.dumps(spec), encoding="utf-8")  # JSON is YAML


@pytest.fixture
def make_drill(tmp_path: Path) -> Iterator[Callable[[str | None, str], Drill]]:
    drills: list[tuple[Drill, str | None]] = []

    def make(broker: str | None, slow: str) -> Drill:
        """``slow``: "until released" (waits for the release file) or "timed" (0.4 s)."""
        data_dir = tmp_path / "data"
        signal_file = tmp_path / "slow-step.signal"
        release_file = tmp_path / "slow-step.release"
        params: dict[str, Any] = {"signal": str(signal_file)}
        if slow == "timed":
            params["seconds"] = 0.4
        else:
            params.update(release=str(release_file), max_seconds=20)
        _playbook(tmp_path / "playbooks", params)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOIR_")}
        env.update(
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            AUTOIR_PLUGINS=json.dumps(["tests.support.slow_step:PLUGIN"]),
            AUTOIR_PLAYBOOK_DIRS=json.dumps([str(tmp_path / "playbooks")]),
            AUTOIR_INVESTIGATION_LEASE_SECONDS=LEASE_SECONDS,
            AUTOIR_SWEEP_SECONDS=SWEEP_SECONDS,
            AUTOIR_LOG_LEVEL="warning",
        )
        if broker is not None:
            env["AUTOIR_TASK_BROKER"] = broker
        # The test's own container (migrates the database first; ingests and reads; no worker).
        container = build(Settings(data_dir=data_dir))
        drill = Drill(data_dir, env, signal_file, release_file, container)
        drills.append((drill, broker))
        return drill

    yield make
    for drill, broker in drills:
        drill.stop_all()
        drill.container.close()
        _flush(broker)


def _broker(store: str, test: str) -> str | None:
    return _redis_url(test) if store == "redis" else None


def _check_once(drill: Drill, alert_id: str) -> tuple[InvestigationDetail, list[str]]:
    """The invariants of one finished investigation; returns it and the steps that were re-run."""
    with drill.container.engine.connect() as connection:
        linked = connection.execute(
            text("SELECT count(*) FROM investigation_alerts WHERE alert_id = :a"), {"a": alert_id}
        ).scalar_one()
        triggered = connection.execute(
            text("SELECT count(*) FROM investigations WHERE triggering_alert_id = :a"),
            {"a": alert_id},
        ).scalar_one()
    assert (linked, triggered) == (1, 1), "exactly one investigation for the alert"
    investigation_id = drill.investigation_of(alert_id)
    assert investigation_id is not None
    detail = drill.detail(investigation_id)
    record = detail.record
    assert record.status.value == "pendingAction", record.status_details

    system = Counter(row.name for row in detail.log if row.kind.value == "system")
    assert system["Investigation finished"] == 1
    assert system["Investigation started"] == 1
    steps = [
        (row.name, row.status.value, row.description)
        for row in detail.log
        if row.kind.value == "step"
    ]
    assert not [s for s in steps if s[1] == "running"], steps
    for step in STEPS:
        rows = [s for s in steps if s[0] == step]
        assert [s[1] for s in rows][-1:] == ["completed"], steps
        assert [s[1] for s in rows].count("completed") == 1, steps
        assert all(s[2] == ABANDONED for s in rows if s[1] == "failed"), steps
        # Attempts are counted in the transaction that adds the step's log row.
        assert record.state["attempts"][step] == len(rows), (record.state, steps)
    assert record.state["completed"] == STEPS
    rerun = [s[0] for s in steps if s[1] == "failed"]
    assert system["Resumed"] == (1 if rerun else 0), (system, steps)

    keys = [item.key for item in detail.evidence]
    assert len(keys) == len(set(keys)), keys
    assert EVIDENCE_KEY in keys
    assert [(a.action_type, a.target_key) for a in detail.actions] == [
        ("blockUrl", next(k for k in keys if k.startswith("url:")))
    ]
    assert record.action_count == 1
    ((alert, role),) = detail.alerts
    assert (alert.id, role.value) == (alert_id, "trigger")
    assert alert.investigation_state is record.status.alert_state
    return detail, rerun


@pytest.mark.slow
@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_a_worker_killed_mid_step_loses_nothing(
    store: str, make_drill: Callable[[str | None, str], Drill]
) -> None:
    drill = make_drill(_broker(store, "deterministic"), "until released")
    alert_id = drill.ingest(1)
    first = drill.start_worker()
    drill.wait(lambda: len(drill.signals()) == 1, "the slow step to start")
    ((pid, investigation_id),) = drill.signals()
    assert pid == first.pid

    drill.kill(first)
    # The killed worker left the step running: attempt 1 of "slow", after "evidence" completed.
    detail = drill.detail(investigation_id)
    assert detail.record.status.value == "running"
    assert detail.record.state == {
        "completed": ["evidence"],
        "attempts": {"evidence": 1, "slow": 1},
    }
    assert [(r.name, r.status.value) for r in detail.log if r.kind.value == "step"] == [
        ("evidence", "completed"),
        ("slow", "running"),
    ]

    drill.release_file.touch()
    second = drill.start_worker()
    drill.wait(lambda: drill.finished(alert_id), "the investigation to finish on the second worker")
    assert drill.signals() == [(first.pid, investigation_id), (second.pid, investigation_id)]
    detail, rerun = _check_once(drill, alert_id)
    assert rerun == ["slow"]
    assert [(r.name, r.status.value) for r in detail.log if r.kind.value == "step"] == [
        ("evidence", "completed"),
        ("slow", "failed"),
        ("slow", "completed"),
        ("analysis", "completed"),
    ]
    (completed,) = [r for r in detail.log if r.name == "slow" and r.status.value == "completed"]
    assert completed.description == f"slow step done in process {second.pid}"
    assert detail.record.state["attempts"] == {"evidence": 1, "slow": 2, "analysis": 1}
    # Nothing more happens afterwards: the second worker keeps sweeping, and finds nothing to do.
    time.sleep(1.5)
    assert len(drill.signals()) == 2
    assert _check_once(drill, alert_id)[0].log == detail.log


@pytest.mark.slow
@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_a_worker_killed_at_a_random_moment_loses_nothing(
    store: str, make_drill: Callable[[str | None, str], Drill]
) -> None:
    seed = int(os.environ.get("AUTOIR_TEST_KILL_SEED", str(time.time_ns() % 2**32)))
    rng = random.Random(seed)
    drill = make_drill(_broker(store, "random"), "timed")
    worker = drill.start_worker()
    drill.wait_ready(worker)
    outcomes = []
    for number in range(1, 6):
        alert_id = drill.ingest(number)
        delay = rng.uniform(0.0, 2.0)  # triage + three steps take 1-2 s on a warm worker
        time.sleep(delay)
        drill.kill(worker)
        phase = _phase(drill, alert_id)
        worker = drill.start_worker()
        drill.wait(
            partial(drill.finished, alert_id),
            f"investigation {number} to finish (seed {seed}, killed {phase})",
        )
        _, rerun = _check_once(drill, alert_id)
        if phase.startswith("in step "):
            assert rerun == [phase.removeprefix("in step ")], (seed, phase, rerun)
        else:
            assert rerun == [], (seed, phase, rerun)
        outcomes.append((round(delay, 2), phase))
    print(f"seed {seed}: kill delay and where the kill landed: {outcomes}")
    slow_reruns = sum(1 for _, phase in outcomes if phase == "in step slow")
    assert len(drill.signals()) == 5 + slow_reruns


def _phase(drill: Drill, alert_id: str) -> str:
    """Where the investigation of ``alert_id`` was when its worker died."""
    investigation_id = drill.investigation_of(alert_id)
    if investigation_id is None:
        return "before triage"
    detail = drill.detail(investigation_id)
    running = [r.name for r in detail.log if r.kind.value == "step" and r.status.value == "running"]
    if running:
        return f"in step {running[0]}"
    if not detail.record.status.is_active:
        return "after it finished"
    done = detail.record.state.get("completed", [])
    return f"between steps, after {done[-1]}" if done else "queued, not yet claimed"
