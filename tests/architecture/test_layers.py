"""Layering (style.md §3.2) is checked, not left to review."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "autoir"
IMPURE = {
    "socket",
    "subprocess",
    "imaplib",
    "smtplib",
    "os",
    "sqlite3",
    "requests",
    "httpx",
    "urllib",
    "asyncio",
    "threading",
    "time",
    "random",
    "uuid",
    "secrets",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_does_no_io_and_hides_no_clock_or_randomness() -> None:
    offenders = {
        str(p.relative_to(SRC)): sorted(_imports(p) & IMPURE)
        for p in (SRC / "domain").rglob("*.py")
        if _imports(p) & IMPURE
    }
    assert offenders == {}


def test_demo_generator_only_uses_seeded_randomness() -> None:
    allowed_random = {"random", "uuid"}  # Random(seed) and UUID(int=…) only, checked below
    offenders = {}
    for path in (SRC / "demo").rglob("*.py"):
        bad = _imports(path) & (IMPURE - allowed_random)
        text = path.read_text(encoding="utf-8")
        if (
            bad
            or "random.random(" in text
            or "random.choice(" in text
            or "datetime.now(" in text
            or "uuid4(" in text
        ):
            offenders[str(path.relative_to(SRC))] = sorted(bad)
    assert offenders == {}


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=SRC.parents[1],
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_starts_with_a_docstring() -> None:
    missing = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("__init__.py")
        if "migrations" not in p.parts
        and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


def test_no_catch_all_modules() -> None:
    assert [
        p.name for p in SRC.rglob("*.py") if p.stem in {"utils", "helpers", "common", "misc"}
    ] == []
