"""Compile and run YARA rules.

Built-in rules ship in ``rules/`` and must compile (a test checks). Extra rule folders (for
example a checkout of signature-base) are compiled file by file when the whole set does not
compile together, so one broken or incompatible file is skipped and reported instead of
disabling all rules. The THOR/LOKI external variables (``filename``, ``filepath``,
``extension``, ``filetype``, ``owner``) are defined so that rule sets written for those
scanners compile.

A match becomes a finding with the verdict and weight its rule's meta gives: AutoIR rules say
``verdict`` and ``weight`` (0-100); rules with a ``score`` (signature-base's convention, 0-100)
are malicious from 75 on and suspicious below; others are suspicious at 60.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yara

from autoir.domain.alerts.enums import EvidenceVerdict

BUILTIN_RULES = Path(__file__).parent / "rules"
RULE_SUFFIXES = frozenset({".yar", ".yara"})
MATCH_TIMEOUT_SECONDS = 10
MAX_SCAN_BYTES = 64 * 1024 * 1024
DEFAULT_WEIGHT = 0.6
MALICIOUS_SCORE = 75
_EXTERNALS = {"filename": "", "filepath": "", "extension": "", "filetype": "", "owner": ""}


@dataclass(frozen=True, slots=True)
class SignatureMatch:
    """One rule that matched."""

    rule: str
    namespace: str
    description: str
    verdict: EvidenceVerdict
    weight: float


@dataclass(slots=True)
class YaraScanner:
    """Compiled rules and the files that could not be compiled."""

    rules: Any
    errors: list[str] = field(default_factory=list)
    rule_count: int = 0

    def scan(self, payload: bytes, *, file_name: str = "") -> list[SignatureMatch]:
        """Rules matching ``payload``; a scan error or timeout yields no matches."""
        if self.rules is None or not payload:
            return []
        extension = Path(file_name).suffix.lower().lstrip(".")
        externals = {**_EXTERNALS, "filename": file_name, "extension": extension}
        try:
            matches = self.rules.match(
                data=payload[:MAX_SCAN_BYTES], timeout=MATCH_TIMEOUT_SECONDS, externals=externals
            )
        except yara.Error:
            return []
        return [_to_match(match) for match in matches]


def load_scanner(extra_dirs: Iterable[Path] = ()) -> YaraScanner:
    """Built-in rules plus ``*.yar``/``*.yara`` files under ``extra_dirs`` (cached per set)."""
    return _load(tuple(sorted(str(Path(d)) for d in extra_dirs)))


@lru_cache(maxsize=8)
def _load(extra_dirs: tuple[str, ...]) -> YaraScanner:
    sources: dict[str, str] = {}
    for path in sorted(BUILTIN_RULES.glob("*.yar")):
        sources[f"autoir.{path.stem}"] = str(path)
    errors: list[str] = []
    for number, folder in enumerate(extra_dirs):
        root = Path(folder)
        if not root.is_dir():
            errors.append(f"{folder}: not a folder")
            continue
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in RULE_SUFFIXES):
            sources[f"extra{number}.{path.relative_to(root).with_suffix('')}"] = str(path)
    try:
        rules = yara.compile(filepaths=sources, externals=_EXTERNALS)
    except yara.Error:
        usable = {}
        for namespace, rule_file in sources.items():
            try:
                yara.compile(filepath=rule_file, externals=_EXTERNALS)
            except yara.Error as exc:
                errors.append(f"{rule_file}: {exc}")
            else:
                usable[namespace] = rule_file
        rules = yara.compile(filepaths=usable, externals=_EXTERNALS) if usable else None
    count = sum(1 for _ in rules) if rules is not None else 0
    return YaraScanner(rules=rules, errors=errors, rule_count=count)


def _to_match(match: object) -> SignatureMatch:
    meta: dict[str, object] = dict(getattr(match, "meta", {}))
    rule = str(getattr(match, "rule", "unknown"))
    description = str(meta.get("description") or rule)
    verdict_text = str(meta.get("verdict", "")).lower()
    if verdict_text in {"malicious", "suspicious"}:
        verdict = EvidenceVerdict(verdict_text)
        weight = _percent(meta.get("weight"), DEFAULT_WEIGHT)
    elif "score" in meta:
        score = _percent(meta.get("score"), DEFAULT_WEIGHT)
        verdict = (
            EvidenceVerdict.MALICIOUS
            if score * 100 >= MALICIOUS_SCORE
            else EvidenceVerdict.SUSPICIOUS
        )
        weight = score
    else:
        verdict, weight = EvidenceVerdict.SUSPICIOUS, DEFAULT_WEIGHT
    return SignatureMatch(rule, str(getattr(match, "namespace", "")), description, verdict, weight)


def _percent(value: object, default: float) -> float:
    try:
        number = float(str(value))
    except ValueError:
        return default
    return min(max(number / 100.0, 0.0), 1.0)
