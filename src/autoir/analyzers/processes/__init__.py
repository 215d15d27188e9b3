"""Process analyzer: suspicious command lines and parent/child pairs on Linux and Windows."""

from autoir.analyzers.processes.analyzer import ProcessAnalyzer
from autoir.analyzers.processes.manifest import MANIFEST, ProcessSettings
from autoir.plugins.manifest import AnalyzerPlugin

PLUGIN: AnalyzerPlugin[ProcessSettings] = AnalyzerPlugin(MANIFEST, ProcessAnalyzer)

__all__ = ["MANIFEST", "PLUGIN", "ProcessAnalyzer", "ProcessSettings"]
