"""Manifest and settings of ``analyzer.file``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from autoir.domain.verdicts.observables import ObservableKind
from autoir.plugins.manifest import Capability, Manifest, PluginKind, PluginSettings


class FileSettings(PluginSettings):
    """Settings of the file analyzer."""

    yara_rule_dirs: tuple[Path, ...] = Field(
        default=(), description="Extra folders of YARA rules (*.yar, *.yara)."
    )
    prevalent_devices: int = Field(
        default=50, ge=2, description="Seen on this many devices or more: common, not rare."
    )


MANIFEST = Manifest(
    id="analyzer.file",
    name="File",
    version="1.0",
    kind=PluginKind.ANALYZER,
    description=(
        "Judges a file (or its SHA-256 alone): YARA rules on the content, the tenant's hash "
        "indicators, and how many devices of the fleet have seen it."
    ),
    observable_kinds=frozenset({ObservableKind.FILE, ObservableKind.FILE_SHA256}),
    capabilities=frozenset(
        {
            Capability.INSPECTS_CONTENT,
            Capability.USES_YARA,
            Capability.AUTHORITATIVE_VERDICTS,
            Capability.USES_ORGANISATION_CONTEXT,
        }
    ),
    settings_model=FileSettings,
)
