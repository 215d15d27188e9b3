"""What the settings page shows about the mail server (no secrets) and its last scan.

The same facts as ``GET /api/v1/settings/mail``; the UI edge cannot import the API edge (they
are sibling layers), so the page reads them from the container here.
"""

from __future__ import annotations

from typing import Any

from autoir.bootstrap import Container


def mail_status(container: Container) -> dict[str, Any]:
    """The configured mail server (never a password) and what the last scan did."""
    mail = container.settings.mail
    if container.mail is None:
        return {"configured": False, "lastScan": None}
    ingest = container.mail.settings
    poller = container.automation.mail_poller
    return {
        "configured": True,
        "imapHost": mail.imap_host,
        "imapPort": mail.effective_imap_port(),
        "imapSecurity": mail.imap_security,
        "sieveHost": mail.sieve_host or mail.imap_host,
        "sievePort": mail.sieve_port,
        "sieveSecurity": mail.sieve_security,
        "masterUser": mail.master_user,
        "mailboxCount": len(ingest.all_mailboxes()),
        "reportMailbox": ingest.report_mailbox,
        "reportFolder": ingest.report_folder,
        "pollSeconds": mail.poll_seconds,
        "detect": ingest.detect,
        "pollerRunning": bool(poller is not None and poller.running),
        "lastScan": container.mail.last_scan(),
    }
