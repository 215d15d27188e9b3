"""Reading ``.evtx`` files record by record, damaged parts reported and skipped."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evtx import PyEvtxParser

MAX_ERRORS_PER_FILE = 1000


@dataclass(frozen=True, slots=True)
class EvtxRecord:
    """One record (``event``) or one problem (``error``), with where it came from."""

    label: str
    event: dict[str, Any] | None = None
    error: str | None = None


def iter_evtx_files(paths: Iterable[Path]) -> Iterator[Path]:
    """``.evtx`` files among ``paths``; folders are searched recursively, in name order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() == ".evtx")
        else:
            yield path


def iter_evtx(path: Path) -> Iterator[EvtxRecord]:
    """Every record of one file; a file that cannot be opened is one error."""
    label = str(path)
    try:
        parser = PyEvtxParser(str(path))
        records = iter(parser.records_json())
    except (OSError, RuntimeError, ValueError) as exc:
        yield EvtxRecord(label, error=f"not a readable event log: {exc}")
        return
    errors = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (RuntimeError, ValueError, OSError) as exc:
            errors += 1
            yield EvtxRecord(label, error=f"damaged record skipped: {exc}")
            if errors >= MAX_ERRORS_PER_FILE:
                yield EvtxRecord(label, error="too many damaged records; rest of file skipped")
                return
            continue
        if not isinstance(record, dict):
            continue
        where = f"{label} record {record.get('event_record_id')}"
        try:
            event = json.loads(record["data"])
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            yield EvtxRecord(where, error=f"unreadable record: {exc}")
            continue
        yield EvtxRecord(where, event=event if isinstance(event, dict) else None)
