"""User analyzer: sign-in anomalies and external forwarding."""

from autoir.analyzers.users.analyzer import UserAnalyzer
from autoir.analyzers.users.manifest import MANIFEST, UserSettings
from autoir.plugins.manifest import AnalyzerPlugin

PLUGIN: AnalyzerPlugin[UserSettings] = AnalyzerPlugin(MANIFEST, UserAnalyzer)

__all__ = ["MANIFEST", "PLUGIN", "UserAnalyzer", "UserSettings"]
