"""What every command does first: its settings, the wired application, and a clean refusal.

A command's ``--data-dir`` overrides ``AUTOIR_DATA_DIR``; a setting or database that cannot
work ends the command with exit code 2 and the problem (each bad field on its own line), never
a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from autoir.bootstrap import Container, build
from autoir.domain.errors import AutoirError, ValidationFailed
from autoir.settings import Settings

console = Console(stderr=True)
DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (AUTOIR_DATA_DIR).")
]


def settings_for(data_dir: Path | None = None, **overrides: object) -> Settings:
    """``Settings()`` from the environment with the command's flags on top."""
    settings = Settings()
    updates = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        updates["data_dir"] = data_dir
    return settings.model_copy(update=updates) if updates else settings


def open_container(data_dir: Path | None) -> Container:
    """The application for a command, or exit 2 saying why it cannot start."""
    try:
        return build(settings_for(data_dir))
    except AutoirError as exc:
        raise fail(exc) from None


def fail(exc: AutoirError) -> typer.Exit:
    """Print ``exc`` (and each field error) to stderr; the exit to raise."""
    console.print(f"[red]error:[/red] {exc}")
    if isinstance(exc, ValidationFailed):
        for error in exc.errors:
            console.print(f"  {error.target}: {error.message}")
    return typer.Exit(code=2)
