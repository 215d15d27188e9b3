"""File analyzer: YARA, hash intelligence and fleet prevalence for files seen on devices."""

from autoir.analyzers.files.analyzer import FileAnalyzer
from autoir.analyzers.files.manifest import MANIFEST, FileSettings
from autoir.plugins.manifest import AnalyzerPlugin

PLUGIN: AnalyzerPlugin[FileSettings] = AnalyzerPlugin(MANIFEST, FileAnalyzer)

__all__ = ["MANIFEST", "PLUGIN", "FileAnalyzer", "FileSettings"]
