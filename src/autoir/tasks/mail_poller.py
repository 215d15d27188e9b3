"""The mail poller: a thread that reads the mailboxes every interval and watches for reports.

Every ``interval`` seconds it scans every mailbox (new mail → telemetry, detections, reports).
Between scans it waits on the report mailbox's inbox with IMAP IDLE, so a user's report starts
its investigation within seconds instead of at the next scan; without a report mailbox (or a
server that cannot IDLE) it sleeps. A failed scan (the server down) is logged and retried with
back-off up to the interval; the cursors make the next scan pick up where the last one stopped.
"""

from __future__ import annotations

import logging
import threading
import time

from autoir.services.mailbox_ingest import MailboxIngestService

log = logging.getLogger("autoir.mail")
IDLE_SLICE = 5.0
"""Seconds of one IDLE wait: how long :meth:`MailPoller.stop` may take to be obeyed."""
FIRST_RETRY = 2.0


class MailPoller:
    """Runs :meth:`MailboxIngestService.scan` periodically in a daemon thread."""

    def __init__(self, ingest: MailboxIngestService, interval: float) -> None:
        self._ingest = ingest
        self._interval = interval
        self._stop = threading.Event()
        self._now = threading.Event()
        self._thread: threading.Thread | None = None
        self.scans = 0
        """Scans finished (full or of the report mailbox) since start."""

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="autoir-mail", daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the thread is reading mail in this process."""
        return self._thread is not None and self._thread.is_alive()

    def request_scan(self) -> None:
        """Scan every mailbox at the end of the current wait (within ``IDLE_SLICE`` seconds)."""
        self._now.set()

    def stop(self, timeout: float = IDLE_SLICE * 3) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        retry = FIRST_RETRY
        due = time.monotonic()
        while not self._stop.is_set():
            if self._now.is_set():
                self._now.clear()
                due = time.monotonic()
            if time.monotonic() >= due:
                try:
                    result = self._ingest.scan()
                except Exception:
                    log.exception("mail scan failed; retrying in %.0f s", retry)
                    due = time.monotonic() + retry
                    retry = min(retry * 2, self._interval)
                    continue
                retry = FIRST_RETRY
                self.scans += 1
                due = time.monotonic() + self._interval
                log.info(
                    "mail scan: %d new, %d updated, %d detections, %d reports",
                    result.created,
                    result.updated,
                    result.detections,
                    result.reports,
                )
            wait = max(0.0, min(due - time.monotonic(), IDLE_SLICE))
            started = time.monotonic()
            if self._ingest.settings.report_mailbox:
                try:
                    if self._ingest.watch_reports(wait) is not None:
                        self.scans += 1
                        continue
                except Exception:
                    log.warning("watching the report mailbox failed", exc_info=True)
            # No IDLE (or it failed at once): sleep what is left of the slice.
            self._stop.wait(max(0.0, wait - (time.monotonic() - started)))
