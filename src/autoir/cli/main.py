"""``autoir`` console script."""

from __future__ import annotations

import json
import secrets
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from autoir.bootstrap import Container, build, migrate
from autoir.cli.actions import actions_app
from autoir.cli.agents import agents_app, devices_app
from autoir.cli.analyze import analyze_app
from autoir.cli.analyze_evtx import analyze_evtx
from autoir.cli.ingest import ingest_app, telemetry_app
from autoir.cli.mail import mail_app
from autoir.cli.startup import DataDir, console, fail, open_container, settings_for
from autoir.domain.errors import AutoirError

app = typer.Typer(help="AutoIR: automated investigation and response.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
alerts_app = typer.Typer(help="Alerts.", no_args_is_help=True)
role_app = typer.Typer(help="Roles (built-in and custom).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")
app.add_typer(alerts_app, name="alerts")
app.add_typer(role_app, name="role")
analyze_app.command("evtx")(analyze_evtx)
app.add_typer(analyze_app, name="analyze")
app.add_typer(ingest_app, name="ingest")
app.add_typer(telemetry_app, name="telemetry")
app.add_typer(actions_app, name="actions")
app.add_typer(mail_app, name="mail")
app.add_typer(agents_app, name="agents")
app.add_typer(devices_app, name="devices")
DEMO_ADMIN = "admin"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (AUTOIR_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (AUTOIR_PORT).")] = None,
    data_dir: DataDir = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo tenant and print a login.")
    ] = False,
    no_worker: Annotated[
        bool,
        typer.Option(
            "--no-worker", help="Run no investigation workers here (use `autoir worker`)."
        ),
    ] = False,
) -> None:
    """Run the web UI and API (embedded SQLite by default, migrated on start)."""
    from autoir.cli.demo import has_alerts, load_demo  # noqa: PLC0415 - keeps `autoir --help` fast
    from autoir.cli.server import create_app  # noqa: PLC0415

    settings = settings_for(data_dir, host=host, port=port)
    if (settings.tls_cert_file is None) != (settings.tls_key_file is None):
        console.print(
            "[red]error:[/red] TLS needs both AUTOIR_TLS_CERT_FILE and AUTOIR_TLS_KEY_FILE; "
            "only one is set."
        )
        raise typer.Exit(code=2)
    tls = settings.tls_cert_file is not None and settings.tls_key_file is not None
    for tls_file in (settings.tls_cert_file, settings.tls_key_file) if tls else ():
        if tls_file is not None and not tls_file.is_file():
            console.print(f"[red]error:[/red] TLS file {tls_file} does not exist.")
            raise typer.Exit(code=2)
    try:
        container = build(settings)
    except AutoirError as exc:
        raise fail(exc) from None
    login = None
    if demo and not has_alerts(container):
        count = load_demo(container)
        console.print(f"Loaded {count} demo alerts.")
    else:
        _seed_demo_connectors(container)
    if demo:
        password = secrets.token_urlsafe(12)
        if any(u.username == DEMO_ADMIN for u in container.access.users()):
            container.access.set_password(DEMO_ADMIN, password)
        else:
            container.access.create_user(
                DEMO_ADMIN, password, "Global administrator", "Demo Administrator"
            )
        login = (DEMO_ADMIN, password)
    url = f"{'https' if tls else 'http'}://{settings.host}:{settings.port}/"

    def announce() -> None:
        console.print(f"[bold green]AutoIR is ready:[/bold green] {url}")
        if login:
            console.print(
                f"Log in as [bold]{login[0]}[/bold] with password [bold]{login[1]}[/bold]"
            )
        elif not container.access.has_users():
            console.print(
                "No users yet: create one with "
                '`autoir user create --username NAME --role "Global administrator"`.'
            )

    web = create_app(container, on_ready=announce)
    if not no_worker:
        container.automation.start_worker()
    try:
        uvicorn.run(
            web,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            access_log=False,
            ssl_certfile=str(settings.tls_cert_file) if tls else None,
            ssl_keyfile=str(settings.tls_key_file) if tls else None,
        )
    finally:
        container.close()


@app.command()
def worker(
    data_dir: DataDir = None,
    threads: Annotated[int, typer.Option(min=1, max=64, help="Worker threads.")] = 2,
) -> None:
    """Run investigation workers (same settings as serve; AUTOIR_TASK_BROKER=redis://… to scale)."""
    container = open_container(data_dir)
    _seed_demo_connectors(container)
    running = container.automation.start_worker(threads)
    stop = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    console.print(f"AutoIR worker running with {threads} threads; Ctrl+C stops it.")
    while not stop.wait(0.5):
        pass
    running.stop()
    container.close()


def _seed_demo_connectors(container: Container) -> None:
    """On a database with the demo tenant, fill the in-memory connectors (lost on restart)."""
    from autoir.cli.demo import seed_demo_connectors  # noqa: PLC0415

    seeded = seed_demo_connectors(container)
    if seeded is not None:
        console.print(
            f"Demo tenant: {seeded.messages + seeded.already_there} message copies in "
            f"{seeded.mailboxes} mailboxes, {seeded.devices} devices and {seeded.users} users "
            "put into the in-memory connectors (stand-ins until the IMAP connector and the "
            "endpoint agent)."
        )


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply database migrations (SQLite or PostgreSQL per AUTOIR_DATABASE_URL)."""
    migrate(settings_for(data_dir))
    console.print("Database is up to date.")


@app.command()
def demo(
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="Random seed of the demo tenant.")] = 7,
    days: Annotated[int, typer.Option(help="Days of alerts, ending now.")] = 30,
) -> None:
    """Load the seeded demo tenant (users, devices, 30 days of alerts, incidents)."""
    from autoir.cli.demo import load_demo  # noqa: PLC0415

    count = load_demo(open_container(data_dir), seed=seed, days=days)
    console.print(f"Loaded {count} demo alerts.")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="What the token is for.")],
    role: Annotated[str, typer.Option(help='Role, e.g. "Security operator".')],
    expires_in: Annotated[
        int | None, typer.Option("--expires-in", help="Days until it expires.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create an API token; the token is printed alone on the last line (shown once)."""
    try:
        issued = open_container(data_dir).access.issue_token(name, role, expires_in)
    except AutoirError as exc:
        raise fail(exc) from None
    expiry = issued.record.expires.isoformat() if issued.record.expires else "never"
    console.print(
        f"Token '{issued.record.name}' (id {issued.record.id}, role {issued.record.role.name}, "
        f"expires {expiry}). Store it now; it is not shown again."
    )
    typer.echo(issued.secret)


@token_app.command("list")
def token_list(data_dir: DataDir = None) -> None:
    """List tokens (never their secrets)."""
    table = Table("id", "name", "prefix", "role", "created", "expires", "revoked", "last used")
    for t in open_container(data_dir).access.tokens():
        table.add_row(
            str(t.id),
            t.name,
            t.prefix + "…",
            t.role.name,
            t.created.isoformat(timespec="seconds"),
            t.expires.isoformat(timespec="seconds") if t.expires else "-",
            t.revoked.isoformat(timespec="seconds") if t.revoked else "-",
            t.last_used.isoformat(timespec="seconds") if t.last_used else "-",
        )
    Console().print(table)


@token_app.command("revoke")
def token_revoke(token_id: int, data_dir: DataDir = None) -> None:
    """Revoke a token by id."""
    try:
        open_container(data_dir).access.revoke_token(token_id)
    except AutoirError as exc:
        raise fail(exc) from None
    console.print(f"Token {token_id} revoked.")


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option(help="Login name, e.g. alice@example.org.")],
    role: Annotated[str, typer.Option(help='Role, e.g. "Security operator".')],
    display_name: Annotated[str | None, typer.Option(help="Name shown in the UI.")] = None,
    locale: Annotated[str, typer.Option(help="UI language: en or fr.")] = "en",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Create a user. Without --password-stdin a strong password is generated and printed last."""
    generated = not password_stdin
    password = secrets.token_urlsafe(12) if generated else sys.stdin.readline().rstrip("\n")
    try:
        user = open_container(data_dir).access.create_user(
            username, password, role, display_name, locale
        )
    except AutoirError as exc:
        raise fail(exc) from None
    console.print(f"User '{user.username}' created with role {user.role.name}.")
    if generated:
        typer.echo(password)


@user_app.command("list")
def user_list(data_dir: DataDir = None) -> None:
    """List users."""
    table = Table("username", "display name", "role", "locale", "active")
    for u in open_container(data_dir).access.users():
        table.add_row(
            u.username, u.display_name, u.role.name, u.locale, "yes" if u.is_active else "no"
        )
    Console().print(table)


@user_app.command("set-password")
def user_set_password(username: str, data_dir: DataDir = None) -> None:
    """Reset a password; reads it from standard input."""
    try:
        open_container(data_dir).access.set_password(username, sys.stdin.readline().rstrip("\n"))
    except AutoirError as exc:
        raise fail(exc) from None
    console.print(f"Password of '{username}' changed.")


@role_app.command("list")
def role_list(data_dir: DataDir = None) -> None:
    """List roles and their permissions."""
    table = Table("role", "built-in", "permissions")
    for role in open_container(data_dir).access.roles():
        table.add_row(
            role.name,
            "yes" if role.builtin else "no",
            ", ".join(sorted(p.value for p in role.permissions)),
        )
    Console().print(table)


@role_app.command("create")
def role_create(
    name: Annotated[str, typer.Option(help="Role name.")],
    permission: Annotated[
        list[str],
        typer.Option("--permission", help="Repeat for each permission, e.g. manage_alerts."),
    ],
    description: Annotated[str, typer.Option(help="What the role is for.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Create or update a custom role composed of permissions."""
    try:
        role = open_container(data_dir).access.create_role(name, permission, description)
    except AutoirError as exc:
        raise fail(exc) from None
    console.print(f"Role '{role.name}': {', '.join(sorted(p.value for p in role.permissions))}")


@alerts_app.command("ingest")
def alerts_ingest(
    path: Annotated[
        Path,
        typer.Argument(
            help='JSON file: one alert, {"value": [...]}, a list, or NDJSON.',
            exists=True,
            dir_okay=False,
        ),
    ],
    batch: Annotated[int, typer.Option(help="Alerts per transaction.")] = 1000,
    data_dir: DataDir = None,
) -> None:
    """Ingest alerts from a file, in batches, with a progress bar."""
    text = path.read_text(encoding="utf-8")
    try:
        loaded = json.loads(text)
        alerts = loaded.get("value", [loaded]) if isinstance(loaded, dict) else loaded
    except json.JSONDecodeError:
        try:
            alerts = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            console.print(f"[red]error:[/red] {path} is neither JSON nor NDJSON: {exc}")
            raise typer.Exit(code=2) from None
    container = open_container(data_dir)
    created = 0
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("Ingesting", total=len(alerts))
        for start in range(0, len(alerts), batch):
            chunk = alerts[start : start + batch]
            try:
                created += container.ingest.ingest(chunk).created
            except AutoirError as exc:
                console.print(
                    f"Batch starting at alert {start} was rejected; nothing from it was written."
                )
                raise fail(exc) from None
            bar.advance(task, len(chunk))
    console.print(f"{len(alerts)} alerts processed, {created} new.")


if __name__ == "__main__":
    app()
