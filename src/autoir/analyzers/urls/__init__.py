"""URL analyzer: look-alike domains, IP hosts, harvest paths, shorteners, risky hosting, anchors."""

from autoir.analyzers.urls.analyzer import UrlAnalyzer
from autoir.analyzers.urls.manifest import MANIFEST, UrlSettings
from autoir.plugins.manifest import AnalyzerPlugin

PLUGIN: AnalyzerPlugin[UrlSettings] = AnalyzerPlugin(MANIFEST, UrlAnalyzer)

__all__ = ["MANIFEST", "PLUGIN", "UrlAnalyzer", "UrlSettings"]
