"""The attack scenarios of the demo tenant and where they fall in the time window.

Each scenario raises several alerts that share strong entities (device, user, mailbox, file
hash, URL, message id) so that a correlator joins them into one incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from autoir.demo.alerts import Outcome
from autoir.demo.primitives import hours
from autoir.demo.scenarios_endpoint import ransomware, red_team_exercise, web_server_compromise
from autoir.demo.scenarios_identity import departing_insider, kerberoasting, password_spray
from autoir.demo.scenarios_mailbox import business_email_compromise, oauth_consent_phishing
from autoir.demo.scenarios_phishing import malicious_attachment, phishing_to_compromise
from autoir.demo.storyline import Cast, Scenario, Story

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from random import Random

    from autoir.demo.alerts import Triage
    from autoir.demo.evidence import EvidenceKit


@dataclass(frozen=True, slots=True)
class Plot:
    """A scenario builder, how long the scenario lasts, and its verdict once resolved."""

    name: str
    build: Callable[[Story, Cast], None]
    span: timedelta
    determination: str
    classification: str = "truePositive"
    office_hours: bool = True


PLOTS: tuple[Plot, ...] = (
    Plot("phishing-to-compromise", phishing_to_compromise, hours(22), "multiStagedAttack"),
    Plot("malicious-attachment", malicious_attachment, hours(1), "malware"),
    Plot("business-email-compromise", business_email_compromise, hours(28), "compromisedAccount"),
    Plot("oauth-consent-phishing", oauth_consent_phishing, hours(9), "phishing"),
    Plot(
        "web-server-compromise",
        web_server_compromise,
        hours(3.5),
        "multiStagedAttack",
        office_hours=False,
    ),
    Plot("ransomware", ransomware, hours(1), "multiStagedAttack", office_hours=False),
    Plot(
        "red-team-exercise",
        red_team_exercise,
        hours(2),
        "securityTesting",
        "informationalExpectedActivity",
    ),
    Plot("password-spray", password_spray, hours(4.5), "compromisedAccount", office_hours=False),
    Plot("departing-insider", departing_insider, hours(74), "maliciousUserActivity"),
    Plot("kerberoasting", kerberoasting, hours(3.5), "multiStagedAttack"),
)

# When each scenario ends, in days before now, for a 30-day window (scaled for others).
END_AGES = (0.08, 0.45, 1.2, 2.3, 4.5, 7.5, 11.5, 16.0, 21.0, 26.0)


def _place(
    rng: Random, plot: Plot, end: datetime, start: datetime, now: datetime
) -> tuple[datetime, float]:
    """Where the scenario starts and how much its clock is compressed to fit the window.

    Scenarios driven by employees (opening mail, copying files) start in working hours.
    """
    origin = max(end - plot.span, start + (end - start) * 0.02)
    scale = (end - origin) / plot.span
    if plot.office_hours and not 8 <= origin.hour < 16:
        moved = origin.replace(hour=rng.randint(8, 15), minute=rng.randint(0, 59))
        if start <= moved and moved + plot.span * scale <= now - timedelta(minutes=10):
            origin = moved
    return origin, scale


def _outcome(rng: Random, plot: Plot, age_days: float, end: datetime, triage: Triage) -> Outcome:
    if age_days < 1:
        mode = "open"
    elif age_days < 3:
        mode = "open" if rng.random() < 0.75 else "investigating"
    else:
        mode = "resolved" if rng.random() < 0.7 else "investigating"
    analyst = rng.choice(triage.analysts) if mode != "open" or rng.random() < 0.5 else None
    resolve_at = min(end + hours(rng.uniform(2, 48)), triage.now - timedelta(minutes=5))
    return Outcome(mode, analyst, plot.classification, plot.determination, resolve_at)


def build_scenarios(
    rng: Random, kit: EvidenceKit, triage: Triage, start: datetime
) -> list[Scenario]:
    """Run every scenario once, each ending at its own slot in ``[start, now]``.

    Args:
        rng: the seeded source of randomness for the scenarios.
        kit: evidence builders bound to the directory and to now.
        triage: decides status, assignment and classification.
        start: the beginning of the time window.

    Returns:
        The scenarios with their alerts, in no particular order.
    """
    now = kit.now
    window_days = (now - start) / timedelta(days=1)
    cast = Cast(rng, kit.directory)
    plots = list(PLOTS)
    rng.shuffle(plots)
    scenarios = []
    for plot, slot in zip(plots, END_AGES, strict=True):
        age_days = slot * window_days / 30 * rng.uniform(0.85, 1.15)
        origin, scale = _place(rng, plot, now - timedelta(days=age_days), start, now)
        end = origin + plot.span * scale
        age_days = (now - end) / timedelta(days=1)
        story = Story(
            plot.name, rng, kit, triage, _outcome(rng, plot, age_days, end, triage), origin, scale
        )
        plot.build(story, cast)
        scenarios.append(Scenario(plot.name, tuple(story.alerts)))
    return scenarios
