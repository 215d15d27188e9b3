"""``autoir agents`` (enrolment tokens) and ``autoir devices`` (the enrolled-device inventory).

Whoever runs ``autoir`` against the database administers it, like ``autoir token create``; the
tokens it creates are recorded as created by ``cli``.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from autoir.cli.startup import DataDir, console, fail, open_container
from autoir.domain.access.permissions import Permission, Principal
from autoir.domain.errors import AutoirError

agents_app = typer.Typer(help="Endpoint agents: enrolment tokens.", no_args_is_help=True)
agent_token_app = typer.Typer(help="One-time enrolment tokens.", no_args_is_help=True)
agents_app.add_typer(agent_token_app, name="token")
devices_app = typer.Typer(help="Enrolled devices (the endpoint inventory).", no_args_is_help=True)
out = Console()
CLI_PRINCIPAL = Principal("cli", "Command line", "local administrator", frozenset(Permission))


def _when(value: str | None) -> str:
    return value or "-"


@agent_token_app.command("create")
def token_create(
    expires_in_hours: Annotated[
        float, typer.Option("--expires-in-hours", help="Hours until it expires (at most 720).")
    ] = 24,
    uses: Annotated[int, typer.Option(help="How many hosts it may enrol.")] = 1,
    data_dir: DataDir = None,
) -> None:
    """Create an enrolment token; the token is printed alone on the last line (shown once)."""
    container = open_container(data_dir)
    try:
        record, secret = container.agents.issue_token(CLI_PRINCIPAL, expires_in_hours, uses)
    except AutoirError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    console.print(
        f"Enrolment token {record.id} (enrols {record.uses} host(s), expires "
        f"{record.expires.isoformat(timespec='seconds')}). Store it now; it is not shown again."
    )
    typer.echo(secret)


@agent_token_app.command("list")
def token_list(data_dir: DataDir = None) -> None:
    """List enrolment tokens (never their secrets)."""
    container = open_container(data_dir)
    try:
        table = Table("id", "prefix", "state", "used", "created by", "created", "expires")
        for token in container.agents.tokens():
            shown = container.agents.token_json(token)
            table.add_row(
                token.id,
                token.prefix + "…",
                shown["state"],
                f"{token.used}/{token.uses}",
                token.created_by,
                _when(shown["createdDateTime"]),
                _when(shown["expirationDateTime"]),
            )
        out.print(table)
    finally:
        container.close()


@agent_token_app.command("revoke")
def token_revoke(token_id: str, data_dir: DataDir = None) -> None:
    """Revoke an enrolment token by id."""
    container = open_container(data_dir)
    try:
        container.agents.revoke_token(token_id)
    except AutoirError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    console.print(f"Enrolment token {token_id} revoked.")


@devices_app.command("list")
def devices_list(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    data_dir: DataDir = None,
) -> None:
    """List enrolled devices, most recently seen first."""
    container = open_container(data_dir)
    try:
        devices, total = container.agents.devices(limit, 0)
        table = Table("device id", "host", "OS", "agent", "IPs", "health", "last seen")
        for d in devices:
            table.add_row(
                d["mdeDeviceId"],
                d["deviceDnsName"],
                " ".join(filter(None, (d["osPlatform"], d["version"]))),
                d["agentVersion"] or "-",
                ", ".join(d["ipInterfaces"]),
                d["healthStatus"],
                _when(d["lastSeenDateTime"]),
            )
        out.print(table)
        console.print(f"{len(devices)} of {total} devices.")
    finally:
        container.close()
