"""What a step function receives and returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from autoir.domain.alerts.evidence import Entity
from autoir.domain.alerts.record import AlertRecord
from autoir.domain.investigations.enums import LogStatus
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.playbook import Limits, StepSpec
from autoir.domain.investigations.record import InvestigationRecord
from autoir.ports.analyzer import AnalysisContext, Analyzer
from autoir.ports.remediation import MailboxInspector
from autoir.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class StepInput:
    """Everything a step may read. ``uow`` is a read-only transaction."""

    investigation: InvestigationRecord
    step: StepSpec
    limits: Limits
    alerts: Sequence[AlertRecord]
    evidence: Mapping[str, EvidenceItem]
    now: datetime
    uow: UnitOfWork
    analyzers: Sequence[Analyzer]
    analysis_context: AnalysisContext
    mailboxes: MailboxInspector | None = None
    """Reads mailboxes' forwarding and automatic replies; None without a mail connector."""
    internal_domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AnalyzerRun:
    """One analyzer call, for the log."""

    name: str
    status: LogStatus
    description: str
    duration: timedelta


@dataclass(slots=True)
class StepOutput:
    """What a step found: evidence to upsert, entities to watch, analyzer runs to log."""

    evidence: list[EvidenceItem] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    analyzer_runs: list[AnalyzerRun] = field(default_factory=list)
    summary: str = ""


StepFunction = Callable[[StepInput], StepOutput]
