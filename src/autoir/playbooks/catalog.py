"""Load playbook specs: the built-in YAML files plus any directory a setting names."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import yaml

from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.investigations.playbook import PlaybookSpec, parse_playbook


def _parse(text: str, origin: str, known_functions: frozenset[str]) -> PlaybookSpec:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationFailed([FieldError(origin, f"is not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError(origin, "must hold a mapping")])
    return parse_playbook(data, known_functions=known_functions)


def load_playbooks(
    known_functions: frozenset[str], extra_dirs: Iterable[Path] = ()
) -> dict[str, PlaybookSpec]:
    """Built-in playbooks, then those in ``extra_dirs`` (which may replace a built-in by id)."""
    specs: dict[str, PlaybookSpec] = {}
    builtin = resources.files("autoir.playbooks") / "builtin"
    for entry in sorted(builtin.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            spec = _parse(entry.read_text("utf-8"), entry.name, known_functions)
            specs[spec.id] = spec
    for directory in extra_dirs:
        for path in sorted(directory.glob("*.y*ml")):
            spec = _parse(path.read_text("utf-8"), str(path), known_functions)
            specs[spec.id] = spec
    return specs
