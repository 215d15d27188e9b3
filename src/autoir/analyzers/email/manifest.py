"""Manifest and settings of ``analyzer.email``."""

from __future__ import annotations

from pydantic import Field

from autoir.domain.verdicts.observables import ObservableKind
from autoir.plugins.manifest import Capability, Manifest, PluginKind, PluginSettings


class EmailSettings(PluginSettings):
    """Settings of the email analyzer."""

    check_brands: bool = Field(
        default=True, description="Look for display names of well-known brands."
    )
    check_language: bool = Field(
        default=True, description="Look for urgency, credential and reward language."
    )
    future_date_tolerance_hours: float = Field(
        default=48.0,
        gt=0,
        description="A Date: header this far after the received time is treated as forged.",
    )


MANIFEST = Manifest(
    id="analyzer.email",
    name="Email",
    version="1.0",
    kind=PluginKind.ANALYZER,
    description=(
        "Judges a message: SPF/DKIM/DMARC/composite-auth failures, display-name impersonation "
        "of internal users and brands, look-alike sender domains, reply-to mismatch, "
        "first-contact senders, HTML forms, hidden text, and urgency, credential and reward "
        "language in English, French, German, Dutch, Portuguese and Spanish."
    ),
    observable_kinds=frozenset({ObservableKind.EMAIL}),
    capabilities=frozenset({Capability.USES_ORGANISATION_CONTEXT, Capability.INSPECTS_CONTENT}),
    settings_model=EmailSettings,
)
