"""``autoir ingest`` (mail files and JSON-lines telemetry) and ``autoir telemetry`` (retention).

Same settings as ``autoir serve`` (``--data-dir``, ``AUTOIR_*``) and safe while the server runs:
on SQLite every batch is one short write transaction in WAL mode, and a writer that finds the
database busy waits (busy timeout) instead of failing.

``autoir ingest events FILE.jsonl`` reads one JSON object per line, in the format of its kind
(``docs/telemetry.md``), with ``"telemetryKind"`` naming the kind (``messages``, ``urlClicks``,
``endpointEvents``, ``signIns``) unless ``--kind`` gives it for every line. Invalid lines are
reported with their line number and field and left out; the rest is stored.

``autoir ingest evtx PATH...`` stores Windows event logs (Sysmon, Security auditing) as endpoint
events (mapping in :mod:`autoir.domain.telemetry.windows_events`).

Exit codes: 0 everything stored; 1 some sources or lines could not be read or were invalid (the
rest is stored); 2 nothing could be done (bad arguments, database not ready).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from autoir.bootstrap import Container
from autoir.cli.startup import DataDir, console, open_container
from autoir.domain.errors import ValidationFailed
from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.kinds import TelemetryKind
from autoir.services.telemetry_ingest import TelemetryIngestResult, parse_kind

ingest_app = typer.Typer(help="Ingest telemetry: mail files and JSON lines.", no_args_is_help=True)
telemetry_app = typer.Typer(help="Telemetry maintenance.", no_args_is_help=True)
KIND_FIELD = "telemetryKind"
_INDEX = re.compile(r"^value\[(\d+)\]\.?")
MAX_REPORTED = 50


class _Tally:
    """Totals over batches, and the problems to report."""

    def __init__(self) -> None:
        self.created = self.updated = self.unchanged = 0
        self.problems: list[str] = []
        self.problem_count = 0

    def add(self, result: TelemetryIngestResult) -> None:
        self.created += result.created
        self.updated += result.updated
        self.unchanged += result.unchanged

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(text)

    def report(self, what: str) -> None:
        for text in self.problems:
            console.print(f"[yellow]warning:[/yellow] {text}")
        if self.problem_count > len(self.problems):
            console.print(f"… and {self.problem_count - len(self.problems)} more problems")
        console.print(
            f"{what}: {self.created} new, {self.updated} updated, {self.unchanged} unchanged"
            + (f"; {self.problem_count} left out" if self.problem_count else "")
            + "."
        )


@ingest_app.command("eml")
def ingest_eml(
    paths: Annotated[
        list[Path], typer.Argument(help=".eml files, folders of them (recursive) or mbox files.")
    ],
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Messages per transaction.")] = 200,
    organisation_domain: Annotated[
        list[str] | None,
        typer.Option(
            "--organisation-domain",
            help="The organisation's domain (repeatable; adds to AUTOIR_ORGANISATION_DOMAINS).",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Store mail files as message events (headers, URLs, attachment hashes; no bodies).

    A message that cannot be parsed is stored with its parse errors; a file that cannot be read
    is reported and skipped. Neither stops the ingest.
    """
    from autoir.mime import iter_message_sources, parse_message  # noqa: PLC0415 - fast --help

    container = open_container(data_dir)
    batch = min(batch, container.ctx.policy.max_batch)
    domains = frozenset(
        d.strip().lower().strip(".")
        for d in (*container.settings.organisation_domains, *(organisation_domain or []))
        if d.strip()
    )
    tally = _Tally()
    pending: list[EmailMessage] = []
    with_errors = 0
    with _progress() as bar:
        task = bar.add_task("Ingesting mail", total=None)
        for source in iter_message_sources(paths):
            if source.raw is None:
                tally.problem(f"{source.label}: {source.error or 'unreadable'}")
            else:
                message = parse_message(source.raw, organisation_domains=domains)
                with_errors += bool(message.parse_errors)
                pending.append(message)
                if len(pending) >= batch:
                    tally.add(container.telemetry_ingest.ingest_messages(pending))
                    pending = []
            bar.advance(task)
        if pending:
            tally.add(container.telemetry_ingest.ingest_messages(pending))
    container.close()
    if with_errors:
        console.print(f"{with_errors} messages were stored with parse errors (see parseErrors).")
    tally.report("Messages")
    if tally.problem_count:
        raise typer.Exit(code=1)


@ingest_app.command("events")
def ingest_events(
    path: Annotated[
        Path, typer.Argument(help="JSON lines: one record per line.", exists=True, dir_okay=False)
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            help="Kind of every line (messages, urlClicks, endpointEvents, signIns); "
            f"otherwise each line's {KIND_FIELD!r}."
        ),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Records per transaction.")] = 1000,
    data_dir: DataDir = None,
) -> None:
    """Store telemetry records from a JSON-lines file, batch by batch, with a progress bar."""
    try:
        default_kind = parse_kind(kind) if kind else None
    except ValidationFailed as exc:
        console.print(f"[red]error:[/red] --kind: {exc.errors[0].message}")
        raise typer.Exit(code=2) from None
    container = open_container(data_dir)
    batch = min(batch, container.ctx.policy.max_batch)
    tally = _Tally()
    buffers: dict[TelemetryKind, list[tuple[int, object]]] = {k: [] for k in TelemetryKind}
    with _progress(path.stat().st_size) as bar, path.open("rb") as handle:
        task = bar.add_task(f"Ingesting {path.name}", total=path.stat().st_size)
        for number, raw in enumerate(handle, start=1):
            bar.advance(task, len(raw))
            record = _read_line(number, raw, default_kind, tally)
            if record is None:
                continue
            record_kind, payload = record
            buffer = buffers[record_kind]
            buffer.append((number, payload))
            if len(buffer) >= batch:
                _flush(container, record_kind, buffer, tally)
        for record_kind, buffer in buffers.items():
            _flush(container, record_kind, buffer, tally)
    container.close()
    tally.report(f"Records of {path.name}")
    if tally.problem_count:
        raise typer.Exit(code=1)


@ingest_app.command("evtx")
def ingest_evtx(
    paths: Annotated[
        list[Path], typer.Argument(help=".evtx files or folders of them (recursive).")
    ],
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Events per transaction.")] = 1000,
    data_dir: DataDir = None,
) -> None:
    """Store Windows event logs (Sysmon 1/3/11/23/26, Security 4688/4624/4625) as endpoint events.

    Other events are counted and left out; damaged records are reported and skipped. Importing a
    file again stores nothing twice (ids come from computer, channel and record number).
    """
    from autoir.domain.telemetry.windows_events import endpoint_record  # noqa: PLC0415
    from autoir.winlog import iter_evtx, iter_evtx_files  # noqa: PLC0415 - fast --help

    files = list(iter_evtx_files(paths))
    missing = [p for p in files if not p.exists()]
    if missing:
        console.print(f"[red]error:[/red] no such file: {missing[0]}")
        raise typer.Exit(code=2)
    container = open_container(data_dir)
    batch = min(batch, container.ctx.policy.max_batch)
    tally = _Tally()
    buffer: list[tuple[int, object]] = []
    other = 0
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} files"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Ingesting event logs", total=len(files))
        for path in files:
            for number, record in enumerate(iter_evtx(path), start=1):  # number: record order
                if record.error is not None:
                    tally.problem(f"{record.label}: {record.error}")
                    continue
                mapped = endpoint_record(record.event or {})
                if mapped is None:
                    other += 1
                    continue
                buffer.append((number, mapped))
                if len(buffer) >= batch:
                    _flush(container, TelemetryKind.ENDPOINT_EVENTS, buffer, tally, path.name)
            _flush(container, TelemetryKind.ENDPOINT_EVENTS, buffer, tally, path.name)
            bar.advance(task)
    container.close()
    console.print(f"{other} events of other types left out.")
    tally.report(f"Endpoint events from {len(files)} files")
    if tally.problem_count:
        raise typer.Exit(code=1)


def _read_line(
    number: int, raw: bytes, default_kind: TelemetryKind | None, tally: _Tally
) -> tuple[TelemetryKind, object] | None:
    if not raw.strip():
        return None
    try:
        payload: Any = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        tally.problem(f"line {number}: not JSON ({exc})")
        return None
    if not isinstance(payload, dict):
        tally.problem(f"line {number}: not a JSON object")
        return None
    named = payload.pop(KIND_FIELD, None)
    if named is None and default_kind is None:
        tally.problem(f"line {number}: {KIND_FIELD}: is required (or give --kind)")
        return None
    try:
        record_kind = parse_kind(str(named)) if named is not None else default_kind
    except ValidationFailed as exc:
        tally.problem(f"line {number}: {KIND_FIELD}: {exc.errors[0].message}")
        return None
    assert record_kind is not None
    return record_kind, payload


def _flush(
    container: Container,
    kind: TelemetryKind,
    buffer: list[tuple[int, object]],
    tally: _Tally,
    unit: str = "line",
) -> None:
    if not buffer:
        return
    lines = [number for number, _ in buffer]
    result = container.telemetry_ingest.ingest(
        kind, [payload for _, payload in buffer], skip_invalid=True
    )
    tally.add(result)
    bad: dict[int, list[str]] = {}
    for error in result.rejected:
        match = _INDEX.match(error.target)
        index = int(match.group(1)) if match else 0
        field = error.target[match.end() :] if match else error.target
        bad.setdefault(index, []).append(f"{field or 'record'}: {error.message}")
    for index, messages in sorted(bad.items()):
        tally.problem(f"{unit} {lines[index]}: {'; '.join(messages)}")
    buffer.clear()


def _progress(total_bytes: int | None = None) -> Progress:
    """A progress bar on standard error: bytes of a file, or a count of messages."""
    columns: Iterable[Any]
    if total_bytes is None:
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:.0f} messages"),
        )
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn())
    return Progress(*columns, TimeElapsedColumn(), console=console, transient=True)


@telemetry_app.command("purge")
def telemetry_purge(data_dir: DataDir = None) -> None:
    """Delete telemetry older than the retention (AUTOIR_TELEMETRY_RETENTION_DAYS, default 30)."""
    container = open_container(data_dir)
    result = container.telemetry_ingest.purge_expired()
    container.close()
    counts = ", ".join(f"{n} {kind.value}" for kind, n in result.deleted.items())
    console.print(f"Deleted telemetry older than {result.cutoff.isoformat()}: {counts}.")
