"""Manifest and settings of ``analyzer.attachments``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from autoir.domain.verdicts.observables import ObservableKind
from autoir.plugins.manifest import Capability, Manifest, PluginKind, PluginSettings


class AttachmentSettings(PluginSettings):
    """Settings of the attachment analyzer."""

    yara_rule_dirs: tuple[Path, ...] = Field(
        default=(),
        description="Extra folders of YARA rules (*.yar, *.yara), e.g. a signature-base checkout.",
    )
    inspect_macros: bool = Field(default=True, description="Look inside Office macros.")
    max_archive_members: int = Field(default=1000, ge=1)


MANIFEST = Manifest(
    id="analyzer.attachments",
    name="Attachments",
    version="1.0",
    kind=PluginKind.ANALYZER,
    description=(
        "Judges email attachments by content: executables and scripts (by magic bytes and "
        "extension), double extensions, disk images and shortcuts, encrypted archives and "
        "archives carrying programs, Office macros (oletools: auto-exec and suspicious "
        "keywords), remote templates, HTML smuggling and local sign-in pages, and YARA rules."
    ),
    observable_kinds=frozenset({ObservableKind.FILE}),
    capabilities=frozenset({Capability.INSPECTS_CONTENT, Capability.USES_YARA}),
    settings_model=AttachmentSettings,
)
