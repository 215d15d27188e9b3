"""``autoir analyze``: judge messages without storing them, and measure that on real mail.

``autoir analyze eml PATH...`` prints one JSON object per message on standard output::

    {"path": ..., "verdict": ..., "confidence": ..., "reasons": [{"code", "text", "verdict"}],
     "subject": ..., "networkMessageId": ..., "parseErrors": [...]}

A source that cannot be read, or bytes that are not a message, give a line with ``"error"``;
the exit code is non-zero only for usage errors. The progress bar goes to standard error and
only when it is a terminal, so piping the output stays clean.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from autoir.settings import Settings

T = TypeVar("T")
analyze_app = typer.Typer(help="Analyse messages without storing them.", no_args_is_help=True)
_stderr = Console(stderr=True)


@analyze_app.command("eml")
def analyze_eml(
    paths: Annotated[
        list[Path], typer.Argument(help=".eml files, folders of them (recursive) or mbox files.")
    ],
    organisation_domain: Annotated[
        list[str] | None,
        typer.Option(
            "--organisation-domain",
            help="The organisation's domain (repeatable; adds to AUTOIR_ORGANISATION_DOMAINS).",
        ),
    ] = None,
    yara_rules: Annotated[
        list[Path] | None,
        typer.Option("--yara-rules", help="Extra YARA rule folder (repeatable).", file_okay=False),
    ] = None,
) -> None:
    """Analyse messages and print one JSON line per message."""
    from autoir.bootstrap.analysis import build_analysis  # noqa: PLC0415 - keeps `autoir --help` fast
    from autoir.mime import iter_message_sources, parse_message  # noqa: PLC0415

    settings = _settings(organisation_domain or [], yara_rules or [])
    analysis = build_analysis(settings)
    context = analysis.context(datetime.now(UTC))
    out = sys.stdout
    for source in _with_progress(iter_message_sources(paths)):
        line: dict[str, object] = {"path": source.label}
        if source.raw is None:
            line["error"] = source.error or "unreadable"
        else:
            message = parse_message(source.raw, organisation_domains=analysis.organisation_domains)
            if not message.headers and message.parse_errors:
                line["error"] = "; ".join(message.parse_errors)
            else:
                assessment = analysis.messages.analyze(message, context)
                line |= {
                    "verdict": assessment.verdict.value,
                    "confidence": round(assessment.confidence, 3),
                    "reasons": [
                        {"code": r.code, "text": r.text, "verdict": r.verdict.value}
                        for r in assessment.reasons
                    ],
                    "subject": message.subject,
                    "networkMessageId": message.network_message_id,
                }
                if message.parse_errors:
                    line["parseErrors"] = list(message.parse_errors)
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()


@analyze_app.command("evaluate")
def analyze_evaluate(
    datasets: Annotated[
        Path | None,
        typer.Option(
            "--datasets",
            help="Datasets folder (default: AUTOIR_DATASETS or <repo>/../shared/datasets).",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the figures as JSON instead of a table.")
    ] = False,
    show_misses: Annotated[
        bool,
        typer.Option(
            "--show-misses",
            help="Also list phishing judged harmless and legitimate mail judged a threat "
            "(with their findings); always in the JSON.",
        ),
    ] = False,
) -> None:
    """Measure verdicts on the labelled mail (phish, ham, spam); see docs/evaluation.md."""
    from autoir.cli.evaluation import (  # noqa: PLC0415
        default_datasets_dir,
        evaluate_mail,
        format_misses,
        format_report,
    )

    folder = datasets or default_datasets_dir()
    if not (folder / "emails").is_dir():
        _stderr.print(f"[red]error:[/red] no emails/ folder under {folder}")
        raise typer.Exit(code=2)
    report = evaluate_mail(folder / "emails", progress=_with_progress)
    if json_output:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        typer.echo(format_report(report))
        if show_misses:
            typer.echo("misses:")
            typer.echo(format_misses(report))


def _settings(domains: list[str], rule_dirs: list[Path]) -> Settings:
    settings = Settings()
    updates: dict[str, object] = {}
    if domains:
        updates["organisation_domains"] = settings.organisation_domains | {
            d.lower() for d in domains
        }
    if rule_dirs:
        updates["yara_rule_dirs"] = (*settings.yara_rule_dirs, *rule_dirs)
    return settings.model_copy(update=updates) if updates else settings


def _with_progress(items: Iterator[T]) -> Iterator[T]:
    if not sys.stderr.isatty():
        yield from items
        return
    columns = (SpinnerColumn(), TextColumn("{task.completed} messages"), TimeElapsedColumn())
    with Progress(*columns, console=_stderr, transient=True) as bar:
        task = bar.add_task("Analysing", total=None)
        for item in items:
            yield item
            bar.advance(task)
