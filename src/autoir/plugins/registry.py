"""The plugin registry: built-ins listed here, third parties from entry points, then frozen.

Built-ins are named explicitly in :data:`BUILTIN_PLUGINS` as ``module:attribute`` references
(the plugin SDK sits below the adapters in the layering, so it names them rather than importing
them; they load exactly like entry points). Third-party distributions declare::

    [project.entry-points."autoir.plugins"]
    my_analyzer = "my_package.plugin:PLUGIN"

The registry is built once at start-up by :func:`load_registry` and frozen (like NetBox's
``Registry``): registering afterwards raises. A third-party plugin that fails to load, or that
reuses an id, is skipped and listed in ``load_errors`` so one broken package cannot stop the
service; a broken built-in is a bug and raises.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points
from typing import Any

from autoir.domain.errors import AutoirError
from autoir.plugins.manifest import AnalyzerPlugin, Plugin, PluginKind, StepPlugin
from autoir.services.investigation_steps.contract import StepFunction

ENTRY_POINT_GROUP = "autoir.plugins"
BUILTIN_PLUGINS = (
    "autoir.analyzers.indicators:PLUGIN",
    "autoir.analyzers.email:PLUGIN",
    "autoir.analyzers.urls:PLUGIN",
    "autoir.analyzers.attachments:PLUGIN",
    "autoir.analyzers.files:PLUGIN",
    "autoir.analyzers.processes:PLUGIN",
    "autoir.analyzers.users:PLUGIN",
)


class PluginRejected(AutoirError):
    """A plugin cannot be registered (duplicate id, wrong type, registry frozen)."""

    code = "pluginRejected"


class PluginRegistry:
    """Plugins by id, in registration order."""

    def __init__(self) -> None:
        """An empty, open registry."""
        self._plugins: dict[str, Plugin] = {}
        self._frozen = False
        self.load_errors: list[str] = []

    def register(self, plugin: object) -> None:
        """Add a plugin; raises :class:`PluginRejected` when frozen, ill-typed or a duplicate."""
        if self._frozen:
            raise PluginRejected("the plugin registry is frozen after start-up")
        if not isinstance(plugin, AnalyzerPlugin | StepPlugin):
            raise PluginRejected(f"not a plugin: {type(plugin).__name__}")
        expected = PluginKind.STEP if isinstance(plugin, StepPlugin) else PluginKind.ANALYZER
        if plugin.manifest.kind is not expected:
            raise PluginRejected(
                f"plugin {plugin.id!r} is a {type(plugin).__name__} but its manifest says "
                f"kind {plugin.manifest.kind.value!r}"
            )
        if plugin.id in self._plugins:
            raise PluginRejected(f"plugin id {plugin.id!r} is already registered")
        self._plugins[plugin.id] = plugin

    def freeze(self) -> None:
        """No more registrations."""
        self._frozen = True

    @property
    def is_frozen(self) -> bool:
        """Whether start-up has finished."""
        return self._frozen

    def get(self, plugin_id: str) -> Plugin:
        """The plugin with this id (``KeyError`` when unknown)."""
        return self._plugins[plugin_id]

    def __contains__(self, plugin_id: object) -> bool:
        """Whether a plugin with this id is registered."""
        return plugin_id in self._plugins

    def __iter__(self) -> Iterator[Plugin]:
        """Plugins in registration order."""
        return iter(self._plugins.values())

    def analyzers(self) -> list[AnalyzerPlugin[Any]]:
        """The analyzer plugins, in registration order."""
        return [p for p in self._plugins.values() if isinstance(p, AnalyzerPlugin)]

    def steps(self) -> dict[str, StepFunction]:
        """Playbook step functions from step plugins, by plugin id."""
        return {p.id: p.function for p in self._plugins.values() if isinstance(p, StepPlugin)}


def load_reference(reference: str) -> object:
    """Import ``module:attribute``."""
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def load_registry(
    *,
    builtins: Iterable[str] = BUILTIN_PLUGINS,
    configured: Iterable[str] = (),
    include_entry_points: bool = True,
    group: str = ENTRY_POINT_GROUP,
) -> PluginRegistry:
    """Built-ins, configured references, then entry points; returns the frozen registry.

    ``configured`` are ``module:attribute`` references an administrator listed
    (``AUTOIR_PLUGINS``): one that does not load is a start-up error naming it, since it was
    asked for by name; a broken entry point is only listed in ``load_errors``.
    """
    registry = PluginRegistry()
    for reference in builtins:
        registry.register(load_reference(reference))
    for reference in configured:
        try:
            plugin = load_reference(reference)
        except Exception as exc:
            raise PluginRejected(
                f"configured plugin {reference!r} does not load: {type(exc).__name__}: {exc}"
            ) from exc
        registry.register(plugin)
    if include_entry_points:
        for entry_point in sorted(entry_points(group=group), key=lambda e: e.name):
            try:
                registry.register(entry_point.load())
            except Exception as exc:  # noqa: BLE001 - a broken third-party package must not stop start-up
                registry.load_errors.append(
                    f"{entry_point.name} ({entry_point.value}): {type(exc).__name__}: {exc}"
                )
    registry.freeze()
    return registry
