"""A device's process tree, rebuilt from its process events.

Each process event is a node. Its parent is the newest process event on the same device with
the parent's process id that started no later than the child (process ids are reused, so the
newest earlier one is the best guess). When no such event was reported, the child's own
``parentFileName``/``parentCommandLine`` stand in as a parent node, so ``bash → curl`` still
shows with only the child's event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from autoir.domain.telemetry.endpoint import EndpointEvent, EndpointEventKind
from autoir.domain.timestamps import format_timestamp


@dataclass(frozen=True, slots=True)
class ProcessNode:
    """One process; ``event_id`` is None for a parent known only from its child's event."""

    file_name: str | None
    command_line: str
    process_id: int | None
    started_at: datetime | None
    account: str | None = None
    sha256: str | None = None
    event_id: str | None = None
    children: tuple[ProcessNode, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The node as camelCase JSON, children nested."""
        return {
            "fileName": self.file_name,
            "commandLine": self.command_line,
            "processId": self.process_id,
            "startedDateTime": format_timestamp(self.started_at),
            "accountName": self.account,
            "sha256": self.sha256,
            "eventId": self.event_id,
            "children": [c.to_json() for c in self.children],
        }


@dataclass(slots=True)
class _Draft:
    event: EndpointEvent | None
    file_name: str | None
    command_line: str
    process_id: int | None
    started_at: datetime | None
    children: list[_Draft] = field(default_factory=list)

    def freeze(self) -> ProcessNode:
        process = self.event.process if self.event is not None else None
        return ProcessNode(
            file_name=self.file_name,
            command_line=self.command_line,
            process_id=self.process_id,
            started_at=self.started_at,
            account=process.account if process else None,
            sha256=process.sha256 if process else None,
            event_id=self.event.id if self.event is not None else None,
            children=tuple(child.freeze() for child in self.children),
        )


def build_process_tree(events: Sequence[EndpointEvent]) -> list[ProcessNode]:
    """Roots of the process forest of ``events`` (non-process events are ignored), oldest first."""
    ordered = sorted(
        (e for e in events if e.kind is EndpointEventKind.PROCESS and e.process is not None),
        key=lambda e: (e.time, e.id),
    )
    by_pid: dict[int, list[_Draft]] = {}
    roots: list[_Draft] = []
    stand_ins: dict[tuple[int | None, str | None, str], _Draft] = {}
    for event in ordered:
        process = event.process
        assert process is not None
        draft = _Draft(
            event, process.file_name, process.command_line, process.process_id, event.time
        )
        parent = _newest_before(by_pid.get(process.parent_process_id or -1, []), event.time)
        if parent is None and (process.parent_file_name or process.parent_command_line):
            key = (process.parent_process_id, process.parent_file_name, process.parent_command_line)
            parent = stand_ins.get(key)
            if parent is None:
                parent = stand_ins[key] = _Draft(
                    None,
                    process.parent_file_name,
                    process.parent_command_line,
                    process.parent_process_id,
                    None,
                )
                roots.append(parent)
        if parent is None:
            roots.append(draft)
        else:
            parent.children.append(draft)
        if process.process_id is not None:
            by_pid.setdefault(process.process_id, []).append(draft)
    return [root.freeze() for root in roots]


def _newest_before(candidates: list[_Draft], time: datetime) -> _Draft | None:
    best = None
    for candidate in candidates:
        if candidate.started_at is not None and candidate.started_at <= time:
            best = candidate  # candidates are in time order
    return best
