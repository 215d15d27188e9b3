"""Indicators analyzer: allow and block lists on hashes, URLs, domains, IPs and senders."""

from autoir.analyzers.indicators.analyzer import IndicatorAnalyzer
from autoir.analyzers.indicators.manifest import MANIFEST, IndicatorSettings
from autoir.plugins.manifest import AnalyzerPlugin

PLUGIN: AnalyzerPlugin[IndicatorSettings] = AnalyzerPlugin(MANIFEST, IndicatorAnalyzer)

__all__ = ["MANIFEST", "PLUGIN", "IndicatorAnalyzer", "IndicatorSettings"]
