"""`autoir ingest evtx` and `autoir analyze evtx` on real Windows event logs (shared datasets)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autoir.bootstrap import build
from autoir.settings import Settings
from tests.cli.test_telemetry_cli import autoir
from tests.support.alerts import DATASETS

EVTX = DATASETS / "evtx"
pytestmark = pytest.mark.skipif(not EVTX.is_dir(), reason="shared datasets are not available")
PSEXEC = EVTX / "attack" / "Lateral Movement" / "LM_sysmon_psexec_smb_meterpreter.evtx"
DAMAGED = EVTX / "benign" / "sample_with_a_bad_chunk_magic.evtx"


def test_ingest_stores_process_events_once_and_reports_damaged_records(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = autoir(data, "ingest", "evtx", str(PSEXEC))
    assert first.returncode == 0, first.stderr
    assert "new, 0 updated, 0 unchanged" in first.stderr
    again = autoir(data, "ingest", "evtx", str(PSEXEC))
    assert " 0 new" in again.stderr
    container = build(Settings(data_dir=data))
    try:
        devices = container.telemetry.devices()
        assert [d.device_id for d in devices] == ["iewin7"]
        events = container.telemetry.device_events("iewin7", kinds=())
        stagers = [
            e for e in events if e.process and "[IntPtr]::Size" in (e.process.command_line or "")
        ]
        assert stagers
        assert stagers[0].process is not None
        assert stagers[0].process.parent_file_name
    finally:
        container.close()
    damaged = autoir(data, "ingest", "evtx", str(DAMAGED))
    assert damaged.returncode == 1
    assert "damaged record skipped" in damaged.stderr


def test_ingest_names_a_missing_file(tmp_path: Path) -> None:
    result = autoir(tmp_path / "data", "ingest", "evtx", str(tmp_path / "nope.evtx"))
    assert result.returncode == 2
    assert "nope.evtx" in result.stderr


def test_analyze_flags_attack_processes_without_storing_anything(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autoir.cli.main", "analyze", "evtx", str(EVTX / "attack")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(line["verdict"] in {"malicious", "suspicious"} for line in lines)
    stager = [line for line in lines if line["path"] == str(PSEXEC)]
    assert any(
        line["verdict"] == "malicious"
        and "process.powershell_stager" in {r["code"] for r in line["reasons"]}
        for line in stager
    )
    files = {line["path"] for line in lines}
    # Regression floor: 43 of 86 attack files with process events on 2026-11-22 (docs/evaluation.md).
    assert len(files) >= 40
    assert "43 of 86 files" in result.stderr or "of 86 files" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing stored
