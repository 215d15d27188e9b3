"""``analyzer.url``: one URL, or every URL of a message with its anchor text.

For a message the findings of all its links are pooled (each code counted once, its strongest
instance), so a message with one shortened link is not suspicious while a look-alike domain
behind a link showing the real brand's address is.
"""

from __future__ import annotations

from autoir.analyzers.brands import BRANDS
from autoir.analyzers.hosts import split_host
from autoir.analyzers.manifested import ManifestedAnalyzer
from autoir.analyzers.reporting import build_report
from autoir.analyzers.urls.checks import Protected, UrlLists, check_url
from autoir.analyzers.urls.manifest import MANIFEST, UrlSettings
from autoir.domain.verdicts.observables import (
    EmailSubject,
    Observable,
    ObservableKind,
    Subject,
)
from autoir.domain.verdicts.report import AnalyzerReport, Reason
from autoir.ports.analyzer import AnalysisContext


class UrlAnalyzer(ManifestedAnalyzer):
    """``analyzer.url``."""

    MANIFEST = MANIFEST

    def __init__(self, settings: UrlSettings = UrlSettings()) -> None:
        """Build with validated settings."""
        self._settings = settings
        self._lists = UrlLists(
            risky_tlds=frozenset(t.lower().lstrip(".") for t in self._settings.risky_tlds),
            shorteners=frozenset(s.lower() for s in self._settings.shorteners),
            open_hosting=frozenset(h.lower() for h in self._settings.open_hosting),
        )

    def analyze(self, subject: Subject, context: AnalysisContext) -> AnalyzerReport:
        """Judge a URL observable, or the links of a message."""
        protected = Protected(
            domains=frozenset(
                d.lower().strip(".")
                for d in (
                    *context.organisation_domains,
                    *context.protected_domains,
                    *self._settings.protected_domains,
                )
            ),
            brands=BRANDS if self._settings.check_brands else (),
        )
        sender_site = None
        if isinstance(subject, EmailSubject):
            domain = subject.message.sender_domain
            sender_site = split_host(domain).registered_domain if domain else None
            links = [
                (u.url, u.display_text)
                for u in subject.message.urls[: self._settings.max_urls_per_message]
            ]
        elif isinstance(subject, Observable) and subject.kind is ObservableKind.URL:
            links = [(subject.value, None)]
        else:
            return build_report(self.id, (), examined=False)
        reasons: list[Reason] = []
        observables: list[Observable] = []
        for url, text in links:
            found, host = check_url(url, text, protected, self._lists, sender_site)
            reasons.extend(found)
            if not url.lower().startswith(("data:", "javascript:")):
                observables.append(Observable(ObservableKind.URL, url))
            if host is not None:
                kind = ObservableKind.IP if host.is_ip else ObservableKind.DOMAIN
                observables.append(Observable(kind, host.host))
        return build_report(self.id, reasons, observables, examined=bool(links))
