"""A new alert is triaged right after its ingest, not at the next periodic sweep."""

from __future__ import annotations

import time
from pathlib import Path

from autoir.bootstrap import build
from autoir.bootstrap.analysis import AnalysisComponents
from autoir.settings import Settings
from tests.support import alerts as A


def test_an_ingested_alert_is_investigated_without_waiting_for_the_sweep(
    tmp_path: Path, analysis: AnalysisComponents
) -> None:
    settings = Settings(data_dir=tmp_path, sweep_seconds=600, worker_threads=1)
    container = build(settings, analysis=analysis)
    try:
        container.automation.start_worker()
        time.sleep(0.5)  # the scheduler's first sweep has run; the next one is 10 minutes away
        alert = A.alert(
            title="Email reported by user as malware or phish",
            serviceSource="microsoftDefenderForOffice365",
            category="InitialAccess",
            evidence=[{"@odata.type": A.ODATA + "urlEvidence", "url": "https://evil.example/x"}],
        )
        (alert_id,) = container.ingest.ingest([alert]).ids
        deadline = time.monotonic() + 20
        state = "unknown"
        while time.monotonic() < deadline:
            current = container.alerts.get(alert_id)[0].investigation_state
            state = current.value if current else "unknown"
            if state not in {"unknown", "queued", "running"}:
                break
            time.sleep(0.1)
        assert state not in {"unknown", "queued", "running"}, state
        assert container.automation.investigations.ids_for([alert_id])
    finally:
        container.close()
