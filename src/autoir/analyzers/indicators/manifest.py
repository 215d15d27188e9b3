"""Manifest of ``analyzer.indicators``."""

from __future__ import annotations

from pydantic import Field

from autoir.domain.verdicts.observables import ObservableKind
from autoir.plugins.manifest import Capability, Manifest, PluginKind, PluginSettings


class IndicatorSettings(PluginSettings):
    """Settings of the indicators analyzer."""

    warn_is_suspicious: bool = Field(
        default=True, description="Treat Warn indicators as suspicious (otherwise informational)."
    )


MANIFEST = Manifest(
    id="analyzer.indicators",
    name="Indicators",
    version="1.0",
    kind=PluginKind.ANALYZER,
    description=(
        "Matches hashes, URLs, domains, IPs and sender addresses against the tenant's allow "
        "and block indicators. A match decides alone; when allow and block both match, allow "
        "wins."
    ),
    observable_kinds=frozenset(
        {
            ObservableKind.URL,
            ObservableKind.DOMAIN,
            ObservableKind.IP,
            ObservableKind.EMAIL_ADDRESS,
            ObservableKind.FILE_SHA256,
            ObservableKind.FILE,
            ObservableKind.EMAIL,
        }
    ),
    capabilities=frozenset({Capability.AUTHORITATIVE_VERDICTS}),
    settings_model=IndicatorSettings,
)
