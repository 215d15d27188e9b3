"""``autoir analyze evtx PATH...``: judge the processes in Windows event logs, storing nothing.

Each ``.evtx`` file's process creations (Sysmon 1, Security 4688) are rebuilt into per-device
process trees and every process is judged by the analyzers with its parent and ancestry. One
JSON object per process judged a threat (every process with ``--all``) goes to standard output::

    {"path", "device", "time", "processId", "image", "commandLine", "parent", "ancestors",
     "account", "verdict", "confidence", "reasons": [{"code", "text"}]}

A summary goes to standard error: files, process events, verdicts, and how many files have at
least one process judged a threat. Damaged records are counted and skipped.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.errors import FieldError
from autoir.domain.telemetry.endpoint import EndpointEvent, EndpointEventKind, parse_endpoint_event
from autoir.domain.telemetry.windows_events import endpoint_record
from autoir.settings import Settings

_stderr = Console(stderr=True)
THREATS = frozenset({EvidenceVerdict.MALICIOUS, EvidenceVerdict.SUSPICIOUS})


def _process_events(path: Path, problems: Counter[str]) -> dict[str, list[EndpointEvent]]:
    from autoir.winlog import iter_evtx  # noqa: PLC0415 - fast --help

    by_device: dict[str, list[EndpointEvent]] = defaultdict(list)
    for record in iter_evtx(path):
        if record.event is None:
            problems["damaged records"] += 1
            continue
        mapped = endpoint_record(record.event)
        if mapped is None or mapped["kind"] != "process":
            continue
        errors: list[FieldError] = []
        event = parse_endpoint_event(mapped, record.label, errors)
        if event is None or event.kind is not EndpointEventKind.PROCESS:
            problems["unusable process events"] += 1
            continue
        by_device[event.device_id].append(event)
    return by_device


def analyze_evtx(
    paths: Annotated[list[Path], typer.Argument(help=".evtx files or folders (recursive).")],
    show_all: Annotated[
        bool, typer.Option("--all", help="Print every process, not only threats.")
    ] = False,
) -> None:
    """Judge the processes in Windows event logs (Sysmon 1, Security 4688); nothing is stored."""
    from autoir.bootstrap.analysis import build_analysis  # noqa: PLC0415
    from autoir.services.process_analysis import judge_processes  # noqa: PLC0415
    from autoir.winlog import iter_evtx_files  # noqa: PLC0415

    files = list(iter_evtx_files(paths))
    missing = [p for p in files if not p.is_file()]
    if missing:
        _stderr.print(f"[red]error:[/red] no such file: {missing[0]}")
        raise typer.Exit(code=2)
    analysis = build_analysis(Settings())
    context = analysis.context(datetime.now(UTC))
    verdicts: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    with_process = flagged_files = 0
    for path in files:
        devices = _process_events(path, problems)
        with_process += bool(devices)
        hit = False
        for device, events in devices.items():
            for judged in judge_processes(events, analysis.analyzers, context):
                verdicts[judged.assessment.verdict.value] += 1
                threat = judged.assessment.verdict in THREATS
                hit = hit or threat
                if threat or show_all:
                    line = {"path": str(path), "device": device, **judged.to_json()}
                    typer.echo(json.dumps(line, ensure_ascii=False))
        flagged_files += hit
    judged_total = sum(verdicts.values())
    _stderr.print(
        f"{len(files)} files, {with_process} with process events, {judged_total} processes judged "
        f"({', '.join(f'{n} {v}' for v, n in sorted(verdicts.items())) or 'none'}); "
        f"{flagged_files} of {with_process} files have a process judged a threat"
        + (f"; {', '.join(f'{n} {p}' for p, n in problems.items())}" if problems else "")
        + "."
    )
