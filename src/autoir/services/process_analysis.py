"""Judging processes in their tree: each process with its parent and ancestry, by the analyzers.

Used by the device investigation step (a device's recent processes) and by
``autoir analyze evtx`` (Windows event logs, nothing stored).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from autoir.domain.telemetry.endpoint import EndpointEvent
from autoir.domain.telemetry.process_tree import ProcessNode, build_process_tree
from autoir.domain.verdicts.observables import ProcessSubject
from autoir.domain.verdicts.report import Assessment, combine
from autoir.ports.analyzer import AnalysisContext, Analyzer
from autoir.services.investigation_steps.analysis import judge_subject


def walk(
    nodes: Sequence[ProcessNode], parents: tuple[ProcessNode, ...] = ()
) -> Iterator[tuple[ProcessNode, tuple[ProcessNode, ...]]]:
    """Every node with its ancestors, nearest first."""
    for node in nodes:
        yield node, parents
        yield from walk(node.children, (node, *parents))


def subject_of(node: ProcessNode, parents: tuple[ProcessNode, ...]) -> ProcessSubject:
    """The analyzer subject of one tree node."""
    parent = parents[0] if parents else None
    return ProcessSubject(
        image=node.file_name or (node.command_line.split(" ", 1)[0] if node.command_line else ""),
        command_line=node.command_line,
        parent_image=parent.file_name if parent else None,
        parent_command_line=parent.command_line if parent else None,
        account=node.account,
        sha256=node.sha256,
        ancestors=tuple(p.file_name or p.command_line for p in parents[1:]),
    )


@dataclass(frozen=True, slots=True)
class ProcessJudgement:
    """A reported process (not a stand-in parent) with its combined verdict."""

    node: ProcessNode
    parents: tuple[ProcessNode, ...]
    assessment: Assessment

    def to_json(self) -> dict[str, Any]:
        """One line of ``autoir analyze evtx``."""
        parent = self.parents[0] if self.parents else None
        return {
            "time": self.node.started_at.isoformat() if self.node.started_at else None,
            "processId": self.node.process_id,
            "image": self.node.file_name,
            "commandLine": self.node.command_line,
            "parent": parent.file_name if parent else None,
            "ancestors": [p.file_name for p in self.parents[1:]],
            "account": self.node.account,
            "verdict": self.assessment.verdict.value,
            "confidence": round(self.assessment.confidence, 3),
            "reasons": [{"code": r.code, "text": r.text} for r in self.assessment.reasons],
        }


def judge_processes(
    events: Sequence[EndpointEvent], analyzers: Sequence[Analyzer], context: AnalysisContext
) -> Iterator[ProcessJudgement]:
    """Every process event of one device, in tree order, with its verdict."""
    for node, parents in walk(build_process_tree(events)):
        if node.event_id is None:
            continue  # a parent known only from its child's event
        reports = judge_subject(subject_of(node, parents), analyzers, context)
        if reports:
            yield ProcessJudgement(node, parents, combine(reports))
