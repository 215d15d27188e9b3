"""``autoir actions``: the Action Center from the command line (list, approve, reject, undo)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from autoir.cli.startup import DataDir, console, fail, open_container
from autoir.domain.errors import AutoirError
from autoir.domain.queries.filters import ListQuery
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.domain.timestamps import format_timestamp
from autoir.ports.actions import ActionSearch

actions_app = typer.Typer(help="Remediation actions (the Action Center).", no_args_is_help=True)
out = Console()

Actor = Annotated[str, typer.Option("--as", help="The user who decides (their role applies).")]
Comment = Annotated[str | None, typer.Option(help="A comment recorded with the decision.")]
RANGES = {"day": 1, "week": 7, "month": 30, "6months": 182}


def _table(actions: list[RemediationAction]) -> Table:
    table = Table("ID", "Type", "Entity", "Status", "Source", "Decided by", "Updated")
    for a in actions:
        table.add_row(
            a.id,
            a.action_type.value,
            a.target_name[:60],
            a.status.value,
            a.source.value,
            a.decided_by or "",
            format_timestamp(a.updated_at or a.created_at),
        )
    return table


@actions_app.command("list")
def list_actions(
    tab: Annotated[str, typer.Option(help="pending or history.")] = "pending",
    time_range: Annotated[
        str, typer.Option("--range", help="day, week, month or 6months (by last update).")
    ] = "month",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    data_dir: DataDir = None,
) -> None:
    """List pending actions, or the history."""
    if tab not in {"pending", "history"} or time_range not in RANGES:
        console.print(
            "[red]error:[/red] --tab is pending|history; --range is day|week|month|6months"
        )
        raise typer.Exit(code=2)
    container = open_container(data_dir)
    try:
        statuses = (
            frozenset({ActionStatus.PENDING})
            if tab == "pending"
            else frozenset(s for s in ActionStatus if s.is_history)
        )
        since = container.ctx.clock.now() - timedelta(days=RANGES[time_range])
        page = container.automation.remediation.center.search(
            ActionSearch(ListQuery(top=limit), statuses, since)
        )
        out.print(_table(page.items))
    finally:
        container.close()


def _decide(
    verb: str, ids: list[str], actor: str, comment: str | None, data_dir: Path | None
) -> None:
    container = open_container(data_dir)
    try:
        principal = container.access.local_principal(actor)
        center = container.automation.remediation.center
        decide = center.approve if verb == "approve" else center.reject
        out.print(_table(decide(principal, ids, comment)))
    except AutoirError as exc:
        raise fail(exc) from None
    finally:
        container.close()


@actions_app.command("approve")
def approve(
    ids: Annotated[list[str], typer.Argument(help="Pending actions of one type.")],
    actor: Actor,
    comment: Comment = None,
    data_dir: DataDir = None,
) -> None:
    """Approve pending actions (the workers of `autoir serve` / `autoir worker` run them)."""
    _decide("approve", ids, actor, comment, data_dir)


@actions_app.command("reject")
def reject(
    ids: Annotated[list[str], typer.Argument(help="Pending actions of one type.")],
    actor: Actor,
    comment: Comment = None,
    data_dir: DataDir = None,
) -> None:
    """Reject pending actions."""
    _decide("reject", ids, actor, comment, data_dir)


@actions_app.command("undo")
def undo(
    action_id: Annotated[str, typer.Argument(help="A completed reversible action.")],
    actor: Actor,
    comment: Comment = None,
    data_dir: DataDir = None,
) -> None:
    """Undo a completed action (starts its undo action)."""
    container = open_container(data_dir)
    try:
        principal = container.access.local_principal(actor)
        undone = container.automation.remediation.center.undo(principal, action_id, comment)
        out.print(_table([undone]))
    except AutoirError as exc:
        raise fail(exc) from None
    finally:
        container.close()
