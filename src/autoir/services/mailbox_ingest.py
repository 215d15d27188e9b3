"""Reading the organisation's mailboxes: message telemetry, detections, user reports.

One :meth:`MailboxIngestService.scan` asks the :class:`~autoir.ports.mailboxes.MailboxSource`
for every message it has not handed yet and, batch by batch (one folder of one mailbox):

1. parses each copy (with the :class:`~autoir.ports.mailboxes.MessageReader`; received time =
   the server's), its delivery location from its folder, its recipient = the mailbox it is in;
2. for copies not in telemetry yet, runs the message analyzers; copies judged malicious become
   a **detection** alert, one per message per scan (its evidence grows with each mailbox the
   scan finds another copy in: the alert is re-sent with the same provider id);
3. stores the copies (keyed by network message id — mailbox and bytes — so a re-delivered batch
   stores nothing new);
4. turns every message of the **report mailbox** (a report a user sent, the reported message
   attached) and of the **report folder** of any mailbox (a message a user filed there) into a
   "user reported phish" alert, which starts the investigation.

Alerts are sent before the batch's messages are stored: a crash in between re-delivers the batch
(the source's cursor had not moved), so nothing is missed — at worst an alert is re-sent, and
the alert ingest folds it into the first by provider id. Report mail itself is not telemetry.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.domain.mailflow.alerts import (
    Detection,
    detection_alert,
    group_detections,
    report_alert,
)
from autoir.domain.mailflow.folders import delivery_location, same_folder
from autoir.domain.messages.enums import DeliveryAction, DeliveryLocation
from autoir.domain.messages.message import EmailMessage
from autoir.domain.timestamps import format_timestamp
from autoir.ports.analyzer import AnalysisContext
from autoir.ports.mailboxes import (
    MailboxDirectory,
    MailboxSource,
    MessageReader,
    ScannedMessage,
    ScanProgress,
    ScanReport,
)
from autoir.services.alert_ingest import AlertIngestService
from autoir.services.context import ServiceContext
from autoir.services.message_analysis import MessageAnalysisService
from autoir.services.telemetry_ingest import TelemetryIngestService

log = logging.getLogger("autoir.mail")
ALERTING_VERDICTS = frozenset({EvidenceVerdict.MALICIOUS})
LOOKUP_LIMIT = 50
LAST_SCAN_KEY = "mail.last_scan"


@dataclass(frozen=True, slots=True)
class MailIngestSettings:
    """Which mailboxes are read, and where users report phish."""

    mailboxes: tuple[str, ...]
    report_mailbox: str | None = None
    """Where users send reports (``phish@…``); read with the others, its mail is never telemetry."""
    report_folder: str | None = None
    """A folder (AutoIR name) users file suspicious mail into, in any mailbox."""
    organisation_domains: frozenset[str] = frozenset()
    detect: bool = True
    """Run the analyzers on new copies and raise detection alerts."""

    def all_mailboxes(self) -> tuple[str, ...]:
        """The mailboxes a full scan reads: the configured ones, the report mailbox last."""
        boxes = [m.lower() for m in self.mailboxes]
        report = self.report_mailbox.lower() if self.report_mailbox else None
        ordered = [m for m in dict.fromkeys(boxes) if m != report]
        return (*ordered, report) if report else tuple(ordered)


@dataclass(slots=True)
class MailScanResult:
    """What one scan did."""

    scan: ScanReport | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    analysed: int = 0
    detections: int = 0
    reports: int = 0
    alert_ids: list[str] = field(default_factory=list)
    directory_error: str | None = None
    """Why the mail server's user list could not be read (the configured mailboxes were)."""


@dataclass(slots=True)
class _Run:
    scan_id: str
    result: MailScanResult
    detections: dict[str, list[Detection]] = field(default_factory=dict)


class MailboxIngestService:
    """Mailboxes in, telemetry and alerts out (see the module docstring)."""

    def __init__(
        self,
        ctx: ServiceContext,
        source: MailboxSource,
        reader: MessageReader,
        settings: MailIngestSettings,
        *,
        telemetry: TelemetryIngestService,
        alerts: AlertIngestService,
        analysis: MessageAnalysisService | None = None,
        analysis_context: Callable[[], AnalysisContext] | None = None,
        directory: MailboxDirectory | None = None,
    ) -> None:
        self._ctx = ctx
        self._source = source
        self._reader = reader
        self.settings = settings
        self._telemetry = telemetry
        self._alerts = alerts
        self._analysis = analysis if settings.detect else None
        self._analysis_context = analysis_context
        self._directory = directory
        self._lock = threading.Lock()
        self._batch_lock = threading.Lock()
        """The source may call the sink from several threads (parallel mailboxes)."""

    def scan(
        self,
        mailboxes: Sequence[str] | None = None,
        *,
        progress: Callable[[ScanProgress], None] | None = None,
    ) -> MailScanResult:
        """Read what is new in ``mailboxes`` (default: all of them); one scan at a time."""
        with self._lock:
            started = self._ctx.clock.now()
            run = _Run(self._ctx.ids.guid(), MailScanResult())
            boxes = [m.lower() for m in mailboxes] if mailboxes else self._every_mailbox(run)
            run.result.scan = self._source.scan(
                boxes, lambda batch: self._accept_one(run, batch), progress=progress
            )
            for mailbox, why in run.result.scan.failed.items():
                log.warning("mailbox %s could not be fully read: %s", mailbox, why)
            self._remember(run.result, started, len(boxes))
            return run.result

    def _every_mailbox(self, run: _Run) -> tuple[str, ...]:
        """The configured mailboxes and, with a directory, every mailbox the server has."""
        if self._directory is None:
            return self.settings.all_mailboxes()
        try:
            found = self._directory.mailboxes()
        except (ConnectorUnavailable, ConnectorRejected) as exc:
            log.warning("the mail server's user list could not be read: %s", exc)
            run.result.directory_error = str(exc)
            return self.settings.all_mailboxes()
        every = replace(self.settings, mailboxes=(*self.settings.mailboxes, *found))
        return every.all_mailboxes()

    def last_scan(self) -> dict[str, object] | None:
        """What the last scan did (any process), as :meth:`scan` recorded it; None before one."""
        with self._ctx.read_uow() as uow:
            stored = uow.system.get(LAST_SCAN_KEY)
        return json.loads(stored) if stored else None

    def _remember(self, result: MailScanResult, started: datetime, asked: int) -> None:
        scan = result.scan
        record = {
            "startedDateTime": format_timestamp(started),
            "finishedDateTime": format_timestamp(self._ctx.clock.now()),
            "mailboxes": asked,
            "folders": scan.folders if scan else 0,
            "messages": scan.messages if scan else 0,
            "created": result.created,
            "updated": result.updated,
            "analysed": result.analysed,
            "detections": result.detections,
            "reports": result.reports,
            "alertIds": result.alert_ids[:100],
            "failed": dict(list((scan.failed if scan else {}).items())[:100]),
            "directoryError": result.directory_error,
        }
        with self._ctx.uow() as uow:
            uow.system.put(LAST_SCAN_KEY, json.dumps(record, separators=(",", ":")))
            uow.commit()

    def watch_reports(self, timeout: float) -> MailScanResult | None:
        """Wait for mail in the report mailbox's inbox (IDLE) and read it when it comes.

        Returns None when nothing arrived within ``timeout`` seconds (or no report mailbox is
        configured, or the server cannot IDLE: then the periodic scan reads reports).
        """
        report = self.settings.report_mailbox
        if not report or not self._source.wait_for_change(report.lower(), "Inbox", timeout):
            return None
        return self.scan([report])

    # --- one batch ------------------------------------------------------------------------

    def _accept_one(self, run: _Run, batch: Sequence[ScannedMessage]) -> None:
        with self._batch_lock:
            self._accept(run, batch)

    def _accept(self, run: _Run, batch: Sequence[ScannedMessage]) -> None:
        if not batch:
            return
        report_box = (self.settings.report_mailbox or "").lower()
        if batch[0].mailbox == report_box:
            for scanned in batch:
                self._report_from_mailbox(run, scanned)
            return
        copies = [self._record(scanned) for scanned in batch]
        ids = [c.network_message_id for c in copies]
        with self._ctx.read_uow() as uow:
            stored = {m.network_message_id for m in uow.telemetry.messages_by_network_ids(ids)}
        new = [c for c in copies if c.network_message_id not in stored]
        self._detect(run, new)
        counts = self._telemetry.ingest_messages(copies)
        run.result.created += counts.created
        run.result.updated += counts.updated
        run.result.unchanged += counts.unchanged
        folder = self.settings.report_folder
        if folder:
            for scanned, copy in zip(batch, copies, strict=True):
                if same_folder(scanned.folder, folder):
                    self._raise_report(
                        run, copy.network_message_id, scanned.mailbox, [copy], [], copy.received_at
                    )

    def _record(self, scanned: ScannedMessage) -> EmailMessage:
        parsed = self._reader.parse(
            scanned.raw,
            received_at=scanned.internal_date,
            organisation_domains=self.settings.organisation_domains,
            mailbox=scanned.mailbox,
        )
        location = delivery_location(scanned.folder)
        action = (
            DeliveryAction.JUNKED
            if location is DeliveryLocation.JUNK_FOLDER
            else DeliveryAction.DELIVERED
        )
        return replace(
            parsed,
            recipients=(scanned.mailbox,),
            delivery_location=location,
            delivery_action=action,
            folder=scanned.folder,
        )

    def _detect(self, run: _Run, new: Sequence[EmailMessage]) -> None:
        if self._analysis is None or not new:
            return
        context = self._context()
        found: list[Detection] = []
        for message in new:
            assessment = self._analysis.analyze(message, context)
            run.result.analysed += 1
            if assessment.verdict in ALERTING_VERDICTS:
                found.append(Detection(message, assessment.verdict, assessment.reasons))
        if not found:
            return
        run.result.detections += len(found)
        payloads = []
        for group in group_detections(found):
            first = group[0].message
            key = first.internet_message_id or f"nmid:{first.network_message_id}"
            copies = run.detections.setdefault(key, [])
            copies.extend(group)
            payloads.append(detection_alert(run.scan_id, copies, self._ctx.clock.now()))
        self._send(run, payloads)

    def _context(self) -> AnalysisContext:
        if self._analysis_context is not None:
            return self._analysis_context()
        return AnalysisContext(
            now=self._ctx.clock.now(), organisation_domains=self.settings.organisation_domains
        )

    # --- reports --------------------------------------------------------------------------

    def _report_from_mailbox(self, run: _Run, scanned: ScannedMessage) -> None:
        report = self._reader.read_report(scanned.raw)
        report_id = self._record(scanned).network_message_id
        reporter = report.reporter or scanned.mailbox
        reported: list[EmailMessage] = []
        for raw in report.attached:
            attached = self._reader.parse(
                raw, received_at=None, organisation_domains=self.settings.organisation_domains
            )
            reported.append(self._reporters_copy(reporter, attached))
        self._raise_report(
            run, report_id, reporter, reported, list(report.referenced_ids), scanned.internal_date
        )

    def _reporters_copy(self, reporter: str, attached: EmailMessage) -> EmailMessage:
        """The reporter's own copy from telemetry, else the attachment without a network id.

        The attached bytes are not the copy in the mailbox (the mail system added trace
        headers), so their derived id would locate nothing; the investigation then finds the
        copy by Internet message id.
        """
        if attached.internet_message_id:
            with self._ctx.read_uow() as uow:
                copies = uow.telemetry.messages_by_internet_id(
                    attached.internet_message_id, LOOKUP_LIMIT
                )
            for copy in copies:
                if reporter in copy.recipients:
                    return copy
        return replace(attached, network_message_id="", recipients=(reporter,))

    def _raise_report(
        self,
        run: _Run,
        report_id: str,
        reporter: str,
        reported: Sequence[EmailMessage],
        referenced: Sequence[str],
        reported_at: datetime | None,
    ) -> None:
        now = self._ctx.clock.now()
        payload = report_alert(report_id, reporter, reported, referenced, reported_at or now, now)
        run.result.reports += 1
        self._send(run, [payload])

    def _send(self, run: _Run, payloads: list[dict[str, object]]) -> None:
        result = self._alerts.ingest(list(payloads))
        run.result.alert_ids.extend(i for i in result.ids if i not in run.result.alert_ids)
