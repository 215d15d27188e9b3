"""``analyzer.email``: one message judged from its headers and content.

Links are judged by ``analyzer.url`` and attachments by ``analyzer.attachments``; this analyzer
reads the sender, the authentication results, the text and the HTML. Its findings pool into one
verdict (:mod:`autoir.domain.verdicts.scoring`); the message analysis service pools them again
with the other analyzers' findings.
"""

from __future__ import annotations

from datetime import timedelta

from autoir.analyzers.email.content import html_findings, text_findings
from autoir.analyzers.email.language import language_findings
from autoir.analyzers.email.manifest import MANIFEST, EmailSettings
from autoir.analyzers.email.sender import (
    authentication_findings,
    first_contact_findings,
    freemail_brand_findings,
    impersonation_findings,
    reply_to_findings,
)
from autoir.analyzers.email.structure import disguise_findings, header_findings
from autoir.analyzers.manifested import ManifestedAnalyzer
from autoir.analyzers.reporting import build_report
from autoir.domain.verdicts.observables import EmailSubject, Observable, ObservableKind, Subject
from autoir.domain.verdicts.report import AnalyzerReport, Reason
from autoir.ports.analyzer import AnalysisContext


class EmailAnalyzer(ManifestedAnalyzer):
    """``analyzer.email``."""

    MANIFEST = MANIFEST

    def __init__(self, settings: EmailSettings = EmailSettings()) -> None:
        """Build with validated settings."""
        self._settings = settings

    def analyze(self, subject: Subject, context: AnalysisContext) -> AnalyzerReport:
        """Judge one message."""
        if not isinstance(subject, EmailSubject):
            return build_report(self.id, (), examined=False)
        message = subject.message
        settings = self._settings
        reasons: list[Reason] = []
        reasons += authentication_findings(message)
        reasons += impersonation_findings(message, context, check_brands=settings.check_brands)
        reasons += reply_to_findings(message)
        reasons += header_findings(message)
        reasons += disguise_findings(message)
        reasons += freemail_brand_findings(message)
        reasons += first_contact_findings(message, context)
        reasons += html_findings(message)
        reasons += text_findings(
            message, future_tolerance=timedelta(hours=settings.future_date_tolerance_hours)
        )
        if settings.check_language:
            reasons += language_findings(message.subject, message.body_text)
        observables = [
            Observable(ObservableKind.EMAIL_ADDRESS, address)
            for address in (message.sender_from_address, *message.reply_to)
            if address
        ]
        if message.sender_domain:
            observables.append(Observable(ObservableKind.DOMAIN, message.sender_domain))
        if message.sender_ip:
            observables.append(Observable(ObservableKind.IP, message.sender_ip))
        examined = bool(message.sender_from_address or message.body_text or message.subject)
        return build_report(self.id, reasons, observables, examined=examined)
