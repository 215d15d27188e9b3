"""Plugin manifests, the registry, YARA rule loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from autoir.analyzers.signatures import load_scanner
from autoir.analyzers.signatures.scanner import BUILTIN_RULES
from autoir.domain.verdicts.observables import ObservableKind
from autoir.plugins.manifest import (
    AnalyzerPlugin,
    Manifest,
    PluginKind,
    PluginSettings,
    StepPlugin,
)
from autoir.plugins.registry import BUILTIN_PLUGINS, PluginRegistry, PluginRejected, load_registry


class ReputationSettings(PluginSettings):
    api_key: SecretStr
    threshold: int = 3


class EchoAnalyzer:
    def __init__(self, settings: ReputationSettings) -> None:
        self.settings = settings

    id = "analyzer.echo"
    observable_kinds = frozenset({ObservableKind.URL})

    def analyze(self, subject, context):  # pragma: no cover - not called
        raise NotImplementedError


MANIFEST = Manifest(
    id="analyzer.echo",
    name="Echo",
    version="0.1.0",
    kind=PluginKind.ANALYZER,
    description="test",
    observable_kinds=frozenset({ObservableKind.URL}),
    settings_model=ReputationSettings,
)


def test_builtins_are_registered_and_the_registry_is_frozen() -> None:
    registry = load_registry(include_entry_points=False)
    assert [p.id for p in registry] == [
        "analyzer.indicators",
        "analyzer.email",
        "analyzer.url",
        "analyzer.attachments",
        "analyzer.file",
        "analyzer.process",
        "analyzer.user",
    ]
    assert len(BUILTIN_PLUGINS) == 7
    assert registry.is_frozen
    with pytest.raises(PluginRejected):
        registry.register(AnalyzerPlugin(MANIFEST, EchoAnalyzer))


def test_duplicate_ids_and_non_plugins_are_rejected() -> None:
    registry = PluginRegistry()
    registry.register(AnalyzerPlugin(MANIFEST, EchoAnalyzer))
    with pytest.raises(PluginRejected):
        registry.register(AnalyzerPlugin(MANIFEST, EchoAnalyzer))
    with pytest.raises(PluginRejected):
        registry.register(object())


def test_manifest_schema_marks_secrets_and_settings_are_validated() -> None:
    described = MANIFEST.describe()
    schema = described["settings_schema"]
    assert schema["properties"]["api_key"]["format"] == "password"
    assert described["observable_kinds"] == ["url"]
    plugin = AnalyzerPlugin(MANIFEST, EchoAnalyzer)
    analyzer = plugin.create({"api_key": "s3cret"})
    assert isinstance(analyzer, EchoAnalyzer)
    assert analyzer.settings.api_key.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(analyzer.settings)
    with pytest.raises(ValidationError):
        plugin.create({"api_key": "x", "unknown": 1})


def test_manifest_ids_and_versions_are_checked() -> None:
    with pytest.raises(ValidationError):
        Manifest(id="Echo", name="e", version="1.0", kind=PluginKind.ANALYZER, description="")
    with pytest.raises(ValidationError):
        Manifest(id="analyzer.e", name="e", version="one", kind=PluginKind.ANALYZER, description="")


def test_builtin_manifests_render_a_schema() -> None:
    for plugin in load_registry(include_entry_points=False):
        assert plugin.manifest.describe()["settings_schema"]["type"] == "object"


def test_builtin_yara_rules_compile_and_broken_extra_files_are_skipped(tmp_path: Path) -> None:
    assert any(BUILTIN_RULES.glob("*.yar"))
    (tmp_path / "good.yar").write_text('rule Extra_Good { strings: $a = "zzqqxx" condition: $a }')
    (tmp_path / "bad.yar").write_text("rule Broken { condition: nonsense( }")
    scanner = load_scanner([tmp_path])
    assert scanner.rule_count > 1
    assert any("bad.yar" in error for error in scanner.errors)
    [match] = scanner.scan(b"..zzqqxx..", file_name="a.txt")
    assert match.rule == "Extra_Good"
    assert match.verdict.value == "suspicious"


def _noop_step(step):  # type: ignore[no-untyped-def]
    from autoir.services.investigation_steps.contract import StepOutput

    return StepOutput(summary="nothing")


STEP_MANIFEST = Manifest(
    id="step.noop", name="No-op", version="1.0", kind=PluginKind.STEP, description="test"
)
STEP_PLUGIN = StepPlugin(STEP_MANIFEST, _noop_step)


def test_configured_step_plugins_load_by_reference_and_join_the_step_table() -> None:
    registry = load_registry(configured=[f"{__name__}:STEP_PLUGIN"], include_entry_points=False)
    assert registry.steps() == {"step.noop": _noop_step}
    assert "step.noop" not in [p.id for p in registry.analyzers()]


def test_a_configured_plugin_that_does_not_load_is_a_named_start_up_error() -> None:
    with pytest.raises(PluginRejected, match="no_such_module"):
        load_registry(configured=["no_such_module:PLUGIN"], include_entry_points=False)


def test_a_plugin_whose_manifest_kind_does_not_match_is_rejected() -> None:
    wrong = StepPlugin(MANIFEST, _noop_step)
    with pytest.raises(PluginRejected, match="kind 'analyzer'"):
        PluginRegistry().register(wrong)
