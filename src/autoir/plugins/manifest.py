"""Typed plugin manifests (style.md §3.3): what a plugin is, accepts, can do and needs.

A manifest is data the UI renders: :meth:`Manifest.describe` gives plain JSON with the settings
model's JSON schema (secrets are ``SecretStr``: ``"format": "password"``, ``writeOnly``), so a
configuration form is built without importing the plugin's code paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator

from autoir.domain.verdicts.observables import ObservableKind
from autoir.ports.analyzer import Analyzer
from autoir.services.investigation_steps.contract import StepFunction

_DOTTED_ID = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
_VERSION = re.compile(r"^\d+\.\d+(?:\.\d+)?(?:[-+.][0-9A-Za-z.-]+)?$")


class PluginKind(StrEnum):
    """What a plugin plugs into."""

    ANALYZER = "analyzer"
    CONNECTOR = "connector"
    ACTION = "action"
    PLAYBOOK = "playbook"
    STEP = "step"
    """A playbook step function (playbooks name it by the plugin's id)."""


class Capability(StrEnum):
    """What a plugin does beyond its kind, like Sentry's ``IntegrationFeatures``."""

    AUTHORITATIVE_VERDICTS = "authoritative_verdicts"
    """Its allow/block verdicts decide alone (indicators)."""
    INSPECTS_CONTENT = "inspects_content"
    """Reads file or message content, not only identifiers."""
    USES_ORGANISATION_CONTEXT = "uses_organisation_context"
    """Reads the organisation's domains, directory names or history from the context."""
    USES_YARA = "uses_yara"
    NETWORK_ACCESS = "network_access"
    """Calls outside services (none of the built-ins do)."""


class PluginSettings(BaseModel):
    """Base of every plugin's settings model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoSettings(PluginSettings):
    """For plugins without settings."""


class Manifest(BaseModel):
    """A plugin's manifest.

    Attributes:
        id: dotted id, kind first: ``analyzer.url``, ``connector.imap``.
        name: short human name.
        version: the plugin's version (``1.0``, ``2.3.1``).
        kind: what it plugs into.
        description: one paragraph for the UI.
        observable_kinds: subjects it accepts (Cortex ``dataTypeList``).
        capabilities: what it does beyond its kind.
        settings_model: the pydantic model of its settings (not serialised; see ``describe``).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    name: str
    version: str
    kind: PluginKind
    description: str
    observable_kinds: frozenset[ObservableKind] = frozenset()
    capabilities: frozenset[Capability] = frozenset()
    settings_model: type[PluginSettings] = Field(default=NoSettings, exclude=True)

    @field_validator("id")
    @classmethod
    def _dotted(cls, value: str) -> str:
        if not _DOTTED_ID.match(value):
            raise ValueError("id must be dotted lower-case words, e.g. analyzer.url")
        return value

    @field_validator("version")
    @classmethod
    def _versioned(cls, value: str) -> str:
        if not _VERSION.match(value):
            raise ValueError("version must look like 1.0 or 1.2.3")
        return value

    def settings_schema(self) -> dict[str, Any]:
        """JSON schema of the settings, for a configuration form."""
        return self.settings_model.model_json_schema()

    def parse_settings(self, values: Mapping[str, object] | None = None) -> PluginSettings:
        """Validate configuration values (raises pydantic's ``ValidationError``)."""
        return self.settings_model.model_validate(dict(values or {}))

    def describe(self) -> dict[str, Any]:
        """The manifest as JSON for the API and UI, settings schema included."""
        described = self.model_dump(mode="json")
        described["observable_kinds"] = sorted(described["observable_kinds"])
        described["capabilities"] = sorted(described["capabilities"])
        described["settings_schema"] = self.settings_schema()
        return described


SettingsT = TypeVar("SettingsT", bound=PluginSettings)


@dataclass(frozen=True, slots=True)
class AnalyzerPlugin(Generic[SettingsT]):
    """An analyzer plugin: its manifest and how to build it from validated settings."""

    manifest: Manifest
    factory: Callable[[SettingsT], Analyzer]

    @property
    def id(self) -> str:
        """The manifest's id."""
        return self.manifest.id

    def create(self, values: Mapping[str, object] | None = None) -> Analyzer:
        """Validate ``values`` against the settings model and build the analyzer."""
        settings = cast("SettingsT", self.manifest.parse_settings(values))
        return self.factory(settings)


@dataclass(frozen=True, slots=True)
class StepPlugin:
    """A playbook step plugin: playbooks name ``function: <manifest id>`` to run it.

    The function gets a :class:`~autoir.services.investigation_steps.contract.StepInput` (a
    read-only unit of work, the evidence so far, the analyzers) and returns what it found; it must
    not write (the runner commits its output together with the run state, so a step re-run after a
    worker died is harmless).
    """

    manifest: Manifest
    function: StepFunction

    @property
    def id(self) -> str:
        """The manifest's id (the name playbooks use)."""
        return self.manifest.id


Plugin = AnalyzerPlugin[Any] | StepPlugin
"""What the registry holds; connector and action plugins join this union when they exist."""
