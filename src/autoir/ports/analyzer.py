"""The analyzer port: what investigations call to judge an observable, a file or a message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from autoir.domain.indicators.indicator import IndicatorSet
from autoir.domain.verdicts.observables import ObservableKind, Subject
from autoir.domain.verdicts.report import AnalyzerReport


@dataclass(frozen=True, slots=True)
class AnalysisContext:
    """What an analyzer may know about the organisation; lookups are optional.

    ``internal_display_names`` maps a lower-case display name to the internal address that owns
    it (for display-name impersonation). ``sender_seen_before`` answers "has this organisation
    received mail from this address before ``before``?" (first-contact sender); ``file_prevalence``
    answers "on how many devices was this SHA-256 seen?". Both are absent when analysing files
    offline (``autoir analyze eml``); analyzers then skip those checks.
    """

    now: datetime
    organisation_domains: frozenset[str] = frozenset()
    protected_domains: frozenset[str] = frozenset()
    internal_display_names: Mapping[str, str] = field(default_factory=dict)
    indicators: IndicatorSet | None = None
    sender_seen_before: Callable[[str, datetime], bool] | None = None
    file_prevalence: Callable[[str], int] | None = None


class Analyzer(Protocol):
    """An analyzer plugin. It never touches storage: it returns a report."""

    @property
    def id(self) -> str:
        """Dotted id, e.g. ``analyzer.url``."""
        ...

    @property
    def observable_kinds(self) -> frozenset[ObservableKind]:
        """Which subjects it accepts (``email`` = EmailSubject, ``file`` = FileSubject)."""
        ...

    def analyze(self, subject: Subject, context: AnalysisContext) -> AnalyzerReport:
        """Judge one subject."""
        ...
