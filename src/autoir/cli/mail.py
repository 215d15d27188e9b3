"""``autoir mail``: the organisation's mail server from the command line (scan, status)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from autoir.bootstrap import Container
from autoir.cli.startup import DataDir, console, open_container
from autoir.ports.mailboxes import ScanProgress
from autoir.services.mailbox_ingest import MailboxIngestService, MailScanResult

mail_app = typer.Typer(help="The mail server: read mailboxes, see the last scan.")
out = Console()
NOT_CONFIGURED = (
    "no mail server is configured: set AUTOIR_MAIL__IMAP_HOST, AUTOIR_MAIL__MASTER_USER, "
    "AUTOIR_MAIL__MASTER_PASSWORD and AUTOIR_MAIL__MAILBOXES (see the README)"
)


def _mail(container: Container) -> MailboxIngestService:
    if container.mail is None:
        container.close()
        console.print(f"[red]error:[/red] {NOT_CONFIGURED}")
        raise typer.Exit(code=2)
    return container.mail


@mail_app.command("scan")
def scan(
    mailbox: Annotated[
        list[str] | None,
        typer.Option("--mailbox", help="Only this mailbox (repeatable); default: all."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Read what is new in the mailboxes now: telemetry, detections, user reports."""
    container = open_container(data_dir)
    try:
        mail = _mail(container)
        result = _scan_with_progress(mail, mailbox or None)
        if json_output:
            out.print_json(json.dumps(_as_json(result)))
        else:
            _summary(result)
        failed = result.scan.failed if result.scan else {}
        if failed:
            raise typer.Exit(code=1)
    finally:
        container.close()


@mail_app.command("status")
def status(data_dir: DataDir = None) -> None:
    """The configured server and what the last scan did."""
    container = open_container(data_dir)
    try:
        mail = _mail(container)
        settings = container.settings.mail
        out.print(
            f"IMAP {settings.imap_host}:{settings.effective_imap_port()} ({settings.imap_security})"
            f", {len(mail.settings.all_mailboxes())} mailboxes, report mailbox "
            f"{mail.settings.report_mailbox or '-'}, report folder "
            f"{mail.settings.report_folder or '-'}"
        )
        last = mail.last_scan()
        out.print_json(json.dumps(last) if last else "null")
    finally:
        container.close()


def _scan_with_progress(mail: MailboxIngestService, mailboxes: list[str] | None) -> MailScanResult:
    if not sys.stderr.isatty():
        return mail.scan(mailboxes)
    columns = (
        TextColumn("Reading mailboxes"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[messages]} messages"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("scan", total=None, messages=0)

        def advance(progress: ScanProgress) -> None:
            bar.update(
                task,
                completed=progress.mailboxes_done,
                total=progress.mailboxes_total,
                messages=progress.messages,
            )

        return mail.scan(mailboxes, progress=advance)


def _as_json(result: MailScanResult) -> dict[str, object]:
    scan = result.scan
    return {
        "mailboxes": scan.mailboxes if scan else 0,
        "folders": scan.folders if scan else 0,
        "messages": scan.messages if scan else 0,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "analysed": result.analysed,
        "detections": result.detections,
        "reports": result.reports,
        "alertIds": result.alert_ids,
        "failed": scan.failed if scan else {},
    }


def _summary(result: MailScanResult) -> None:
    scan = result.scan
    if scan is None:
        return
    out.print(
        f"{scan.mailboxes} mailboxes, {scan.folders} folders, {scan.messages} messages read: "
        f"{result.created} new, {result.updated} moved or changed; {result.analysed} analysed, "
        f"{result.detections} malicious, {result.reports} user reports"
    )
    for alert_id in result.alert_ids:
        out.print(f"  alert {alert_id}")
    for mailbox, why in scan.failed.items():
        console.print(f"[red]failed:[/red] {mailbox}: {why}")
