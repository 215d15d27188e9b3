"""Email analyzer: sender authentication, impersonation, reply-to, first contact, content."""

from autoir.analyzers.email.analyzer import EmailAnalyzer
from autoir.analyzers.email.manifest import MANIFEST, EmailSettings
from autoir.plugins.manifest import AnalyzerPlugin

PLUGIN: AnalyzerPlugin[EmailSettings] = AnalyzerPlugin(MANIFEST, EmailAnalyzer)

__all__ = ["MANIFEST", "PLUGIN", "EmailAnalyzer", "EmailSettings"]
