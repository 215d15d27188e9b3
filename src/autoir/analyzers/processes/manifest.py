"""Manifest and settings of ``analyzer.process``."""

from __future__ import annotations

from pydantic import Field

from autoir.domain.verdicts.observables import ObservableKind
from autoir.plugins.manifest import Manifest, PluginKind, PluginSettings


class ProcessSettings(PluginSettings):
    """Settings of the process analyzer."""

    allowed_command_patterns: tuple[str, ...] = Field(
        default=(),
        description=(
            "Regular expressions (case-insensitive, searched in the command line) of known-good "
            "administration commands; a match turns the findings into noThreatsFound."
        ),
    )


MANIFEST = Manifest(
    id="analyzer.process",
    name="Process behaviour",
    version="1.0",
    kind=PluginKind.ANALYZER,
    description=(
        "Judges a process from its command line, image location and ancestry: download-and-run "
        "cradles, encoded and obfuscated scripts, reverse shells, credential dumping, shadow-copy "
        "and log destruction, persistence, living-off-the-land binaries, miners, and documents, "
        "mail clients or servers spawning shells (Linux and Windows)."
    ),
    observable_kinds=frozenset({ObservableKind.PROCESS}),
    settings_model=ProcessSettings,
)
