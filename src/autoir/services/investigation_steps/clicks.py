"""Step ``url_clicks``: who clicked the investigation's URLs, and did they get through?

For every URL item judged a threat (or named by an alert), the stored clicks on it within the
window: each clicking user becomes ``userEvidence`` linked to the URL, and the URL item records
its click count, the users who reached the site and those a warning page stopped.
"""

from __future__ import annotations

from datetime import timedelta

from autoir.domain.alerts.evidence import EntityKind
from autoir.domain.investigations.evidence import EvidenceOrigin
from autoir.domain.investigations.graph_evidence import user_properties
from autoir.domain.telemetry.normalize import normalize_url
from autoir.services.investigation_steps.contract import StepInput, StepOutput
from autoir.services.investigation_steps.findings import Findings, value_of

MAX_CLICKS = 1000
MAX_USERS = 200
WINDOW_DAYS = 30


def url_clicks(step: StepInput) -> StepOutput:
    """Clicks on threat URLs (params: ``days``, ``all_urls`` to include every URL)."""
    since = step.now - timedelta(days=float(step.step.params.get("days", WINDOW_DAYS)))
    every = bool(step.step.params.get("all_urls", False))
    findings = Findings(step.evidence, step.step.id)
    clicks_total = 0
    through: set[str] = set()
    for item in findings.of_kind("url"):
        if not (every or item.is_threat or item.origin is EvidenceOrigin.ALERT):
            continue
        url = normalize_url(str(item.properties.get("url") or value_of(item)))
        if not url:
            continue
        clicks = step.uow.telemetry.clicks_by_url(url, since, None, MAX_CLICKS)
        if not clicks:
            continue
        clicks_total += len(clicks)
        reached = sorted({c.user for c in clicks if c.action.reached_site})
        stopped = sorted({c.user for c in clicks if not c.action.reached_site} - set(reached))
        through.update(reached)
        findings.add(
            "url",
            value_of(item),
            item.name,
            {
                "clickCount": len(clicks),
                "clickedThrough": reached[:MAX_USERS],
                "clickBlocked": stopped[:MAX_USERS],
                "lastClickDateTime": max(c.clicked_at for c in clicks).isoformat(),
            },
        )
        for user in (reached + stopped)[:MAX_USERS]:
            clicker = findings.add(
                "user", user, user, user_properties(user), entity=EntityKind.USER
            )
            findings.link(item.key, clicker.key)
    return findings.output(
        f"{clicks_total} clicks on the investigation's URLs; {len(through)} users reached a site"
    )
