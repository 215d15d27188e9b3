"""Allow/block indicators (reference §4.2) applied to one subject.

Every identifier in the subject is looked up: for a message, the sender addresses, the sender
domain, the sender IP, each URL and its host, and each attachment hash. ``Allowed`` matches give
an authoritative ``noThreatsFound``, ``Block``/``BlockAndRemediate`` an authoritative
``malicious``; allow wins over block. ``Warn`` is a (non-authoritative) suspicious finding,
``Audit`` an informational one. No match (or no indicators in the context): ``unknown``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from autoir.analyzers.indicators.manifest import MANIFEST, IndicatorSettings
from autoir.analyzers.manifested import ManifestedAnalyzer
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.indicators.indicator import Indicator, IndicatorAction, IndicatorType
from autoir.domain.verdicts.observables import (
    EmailSubject,
    FileSubject,
    Observable,
    ObservableKind,
    ProcessSubject,
    Subject,
    UserActivitySubject,
)
from autoir.domain.verdicts.report import AnalyzerReport, Reason
from autoir.ports.analyzer import AnalysisContext

_TYPE_OF_KIND = {
    ObservableKind.URL: IndicatorType.URL,
    ObservableKind.DOMAIN: IndicatorType.DOMAIN_NAME,
    ObservableKind.IP: IndicatorType.IP_ADDRESS,
    ObservableKind.EMAIL_ADDRESS: IndicatorType.EMAIL_ADDRESS,
    ObservableKind.FILE_SHA256: IndicatorType.FILE_SHA256,
}


class IndicatorAnalyzer(ManifestedAnalyzer):
    """``analyzer.indicators``."""

    MANIFEST = MANIFEST

    def __init__(self, settings: IndicatorSettings = IndicatorSettings()) -> None:
        """Build with validated settings."""
        self._settings = settings

    def analyze(self, subject: Subject, context: AnalysisContext) -> AnalyzerReport:
        """Look every identifier of ``subject`` up in ``context.indicators``."""
        observables = identifiers_of(subject)
        if context.indicators is None or len(context.indicators) == 0:
            return AnalyzerReport(self.id, EvidenceVerdict.UNKNOWN, 0.0, (), observables)
        allowed: list[Reason] = []
        blocked: list[Reason] = []
        other: list[Reason] = []
        for observable in observables:
            indicator_type = _TYPE_OF_KIND.get(observable.kind)
            if indicator_type is None:
                continue
            for indicator in context.indicators.match(indicator_type, observable.value):
                reason = self._reason(indicator, observable)
                if indicator.action is IndicatorAction.ALLOWED:
                    allowed.append(reason)
                elif indicator.action.blocks:
                    blocked.append(reason)
                else:
                    other.append(reason)
        if allowed:
            return AnalyzerReport(
                self.id,
                EvidenceVerdict.NO_THREATS_FOUND,
                1.0,
                tuple(allowed),
                observables,
                authoritative=True,
            )
        if blocked:
            return AnalyzerReport(
                self.id,
                EvidenceVerdict.MALICIOUS,
                1.0,
                tuple(blocked),
                observables,
                authoritative=True,
            )
        if any(r.verdict is EvidenceVerdict.SUSPICIOUS for r in other):
            return AnalyzerReport(
                self.id, EvidenceVerdict.SUSPICIOUS, 0.6, tuple(other), observables
            )
        return AnalyzerReport(self.id, EvidenceVerdict.UNKNOWN, 0.0, tuple(other), observables)

    def _reason(self, indicator: Indicator, observable: Observable) -> Reason:
        action = indicator.action
        what = f"{observable.kind.value} {observable.value}"
        if action is IndicatorAction.ALLOWED:
            return Reason(
                "indicator.allowed",
                f"{what} is allowed by indicator '{indicator.title}'",
                EvidenceVerdict.NO_THREATS_FOUND,
                1.0,
            )
        if action.blocks:
            return Reason(
                "indicator.blocked",
                f"{what} is blocked by indicator '{indicator.title}'",
                EvidenceVerdict.MALICIOUS,
                1.0,
            )
        if action is IndicatorAction.WARN and self._settings.warn_is_suspicious:
            return Reason(
                "indicator.warn",
                f"{what} matches warning indicator '{indicator.title}'",
                EvidenceVerdict.SUSPICIOUS,
                0.6,
            )
        return Reason(
            "indicator.audit",
            f"{what} matches audit indicator '{indicator.title}'",
            EvidenceVerdict.UNKNOWN,
            0.0,
        )


def identifiers_of(subject: Subject) -> tuple[Observable, ...]:
    """The identifiers an indicator can name, for any subject (deduplicated, in order)."""
    if isinstance(subject, Observable):
        found = [subject]
        if subject.kind is ObservableKind.URL:
            found.extend(_url_host(subject.value))
        elif subject.kind is ObservableKind.EMAIL_ADDRESS and "@" in subject.value:
            found.append(Observable(ObservableKind.DOMAIN, subject.value.rsplit("@", 1)[1]))
        return tuple(dict.fromkeys(found))
    if isinstance(subject, FileSubject):
        return (subject.observable,)
    if isinstance(subject, ProcessSubject):
        sha = subject.sha256
        return (Observable(ObservableKind.FILE_SHA256, sha.lower()),) if sha else ()
    if isinstance(subject, UserActivitySubject):
        return (subject.observable,)
    return _message_identifiers(subject)


def _message_identifiers(subject: EmailSubject) -> tuple[Observable, ...]:
    message = subject.message
    found: list[Observable] = []
    for address in (message.sender_from_address, message.sender_mail_from_address):
        if address:
            found.append(Observable(ObservableKind.EMAIL_ADDRESS, address.lower()))
            if "@" in address:
                domain = address.rsplit("@", 1)[1].lower()
                found.append(Observable(ObservableKind.DOMAIN, domain))
    if message.sender_ip:
        found.append(Observable(ObservableKind.IP, message.sender_ip))
    for url in message.urls:
        found.append(Observable(ObservableKind.URL, url.url))
        found.extend(_url_host(url.url))
    found.extend(
        Observable(ObservableKind.FILE_SHA256, attachment.sha256.lower())
        for attachment in message.attachments
    )
    return tuple(dict.fromkeys(found))


def _url_host(url: str) -> list[Observable]:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return []
    if not host:
        return []
    kind = (
        ObservableKind.IP
        if host.replace(".", "").isdigit() or ":" in host
        else ObservableKind.DOMAIN
    )
    return [Observable(kind, host)]
