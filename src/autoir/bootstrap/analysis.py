"""Composition of the analyzers and the message analysis service from :class:`Settings`.

Analyzers come from the plugin registry (built-ins plus ``autoir.plugins`` entry points); each
gets its settings from ``Settings.analyzer_settings[<plugin id>]``, with the global
``yara_rule_dirs`` and ``protected_domains`` filled in for the analyzers whose settings model
has those fields. Compiling YARA rules is the slow part, so build once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from autoir.domain.indicators.indicator import IndicatorSet
from autoir.plugins.registry import PluginRegistry, load_registry
from autoir.ports.analyzer import AnalysisContext, Analyzer
from autoir.services.message_analysis import MessageAnalysisService
from autoir.settings import Settings


@dataclass(frozen=True, slots=True)
class AnalysisComponents:
    """What the analysis edges and investigations need."""

    registry: PluginRegistry
    analyzers: tuple[Analyzer, ...]
    messages: MessageAnalysisService
    organisation_domains: frozenset[str]
    protected_domains: frozenset[str]

    def context(
        self,
        now: datetime,
        *,
        indicators: IndicatorSet | None = None,
        internal_display_names: Mapping[str, str] | None = None,
        sender_seen_before: Callable[[str, datetime], bool] | None = None,
        file_prevalence: Callable[[str], int] | None = None,
    ) -> AnalysisContext:
        """An analysis context with the organisation's configured domains."""
        return AnalysisContext(
            now=now,
            organisation_domains=self.organisation_domains,
            protected_domains=self.protected_domains,
            internal_display_names=dict(internal_display_names or {}),
            indicators=indicators,
            sender_seen_before=sender_seen_before,
            file_prevalence=file_prevalence,
        )


def build_analyzers(
    settings: Settings, registry: PluginRegistry | None = None
) -> tuple[Analyzer, ...]:
    """One analyzer per registered analyzer plugin, configured from ``settings``."""
    registry = registry or load_registry(configured=settings.plugins)
    analyzers: list[Analyzer] = []
    for plugin in registry.analyzers():
        fields = plugin.manifest.settings_model.model_fields
        values: dict[str, object] = {}
        if "yara_rule_dirs" in fields and settings.yara_rule_dirs:
            values["yara_rule_dirs"] = tuple(settings.yara_rule_dirs)
        if "protected_domains" in fields and settings.protected_domains:
            values["protected_domains"] = frozenset(settings.protected_domains)
        values.update(settings.analyzer_settings.get(plugin.id, {}))
        analyzers.append(plugin.create(values))
    return tuple(analyzers)


def build_analysis(
    settings: Settings, registry: PluginRegistry | None = None
) -> AnalysisComponents:
    """The registry, the analyzers and the message analysis service."""
    registry = registry or load_registry(configured=settings.plugins)
    analyzers = build_analyzers(settings, registry)
    return AnalysisComponents(
        registry=registry,
        analyzers=analyzers,
        messages=MessageAnalysisService(analyzers),
        organisation_domains=frozenset(d.lower() for d in settings.organisation_domains),
        protected_domains=frozenset(d.lower() for d in settings.protected_domains),
    )
