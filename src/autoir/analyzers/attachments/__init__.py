"""Attachment analyzer: executables, scripts, double extensions, containers, macros, YARA."""

from autoir.analyzers.attachments.analyzer import AttachmentAnalyzer
from autoir.analyzers.attachments.manifest import MANIFEST, AttachmentSettings
from autoir.plugins.manifest import AnalyzerPlugin

PLUGIN: AnalyzerPlugin[AttachmentSettings] = AnalyzerPlugin(MANIFEST, AttachmentAnalyzer)

__all__ = ["MANIFEST", "PLUGIN", "AttachmentAnalyzer", "AttachmentSettings"]
