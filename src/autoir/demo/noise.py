"""Background alerts: the everyday queue with a daily and weekly rhythm."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from autoir.demo.alerts import build_alert
from autoir.demo.catalog import NOISE_KINDS
from autoir.demo.kinds import Shape
from autoir.demo.picker import Picker
from autoir.demo.primitives import iso
from autoir.demo.shapes_cloud import cloud_activity, dlp, identity, oauth, sign_in
from autoir.demo.shapes_device import (
    linux_process,
    win_file,
    win_network,
    win_process,
    win_registry,
)
from autoir.demo.shapes_mail import (
    mail_click,
    mail_cluster,
    mail_outbound,
    mail_reported,
    mailbox_rule,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from random import Random

    from autoir.demo.alerts import Alert, Triage
    from autoir.demo.evidence import EvidenceKit
    from autoir.demo.kinds import AlertKind
    from autoir.demo.picker import Built

SHAPES: dict[Shape, Callable[[Picker, AlertKind, datetime], Built]] = {
    Shape.MAIL_REPORTED: mail_reported,
    Shape.MAIL_CLICK: mail_click,
    Shape.MAIL_CLUSTER_URL: mail_cluster,
    Shape.MAIL_CLUSTER_FILE: mail_cluster,
    Shape.MAIL_OUTBOUND: mail_outbound,
    Shape.MAILBOX_RULE: mailbox_rule,
    Shape.WIN_PROCESS: win_process,
    Shape.WIN_FILE: win_file,
    Shape.WIN_REGISTRY: win_registry,
    Shape.WIN_NETWORK: win_network,
    Shape.LINUX_PROCESS: linux_process,
    Shape.IDENTITY: identity,
    Shape.SIGN_IN: sign_in,
    Shape.CLOUD_ACTIVITY: cloud_activity,
    Shape.DLP: dlp,
    Shape.OAUTH: oauth,
}

# Relative alert volume per UTC hour (the tenant works in Europe and the Americas).
HOUR_WEIGHTS = (
    2.0,
    1.5,
    1.2,
    1.0,
    1.0,
    1.2,
    2.0,
    3.5,
    5.0,
    6.0,
    6.5,
    6.5,
    6.0,
    6.5,
    7.0,
    7.0,
    6.5,
    5.5,
    4.5,
    4.0,
    3.5,
    3.0,
    2.5,
    2.0,
)
# Monday .. Sunday.
WEEKDAY_FACTORS = (1.05, 1.1, 1.05, 1.0, 0.95, 0.55, 0.5)
DAILY_RANGE = (44, 84)
NO_PROVIDER_ID_RATE = 0.1
REPEAT_RATE = 0.15  # share of id-less new alerts that arrive again within hours


class Background:
    """Generates the background queue between ``start`` and ``now``."""

    def __init__(self, rng: Random, kit: EvidenceKit, triage: Triage) -> None:
        """Bind the generator to its random source, evidence builders and triage policy."""
        self.rng = rng
        self.kit = kit
        self.triage = triage
        self.picker = Picker(rng, kit)
        self._kind_weights = list(itertools.accumulate(k.noise_weight for k in NOISE_KINDS))
        self._hour_weights = list(itertools.accumulate(HOUR_WEIGHTS))
        self.start = datetime.min.replace(tzinfo=UTC)

    def moments(self, start: datetime, now: datetime) -> list[datetime]:
        """Creation times of background alerts, denser on weekday working hours."""
        rng = self.rng
        out: list[datetime] = []
        day = start.date()
        while day <= now.date():
            midnight = datetime.combine(day, time(), tzinfo=UTC)
            count = round(rng.randint(*DAILY_RANGE) * WEEKDAY_FACTORS[day.weekday()])
            hours = rng.choices(range(24), cum_weights=self._hour_weights, k=count)
            for hour in hours:
                moment = midnight + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
                if start <= moment <= now:
                    out.append(moment)
            day += timedelta(days=1)
        out.sort()
        return out

    def alert(self, kind: AlertKind, created: datetime) -> Alert:
        """One background alert of ``kind``."""
        rng = self.rng
        built = SHAPES[kind.shape](self.picker, kind, created)
        first = max(created - built.lead, created - timedelta(days=2), self.start)
        last = first + (created - first) * rng.uniform(0.6, 1.0)
        return build_alert(
            rng,
            kind,
            created=created,
            first=first,
            last=last,
            evidence=built.evidence,
            lifecycle=self.triage.background(rng, kind, created, built.tp_rate),
            threat=built.threat,
            detail=built.detail,
            with_provider_id=rng.random() >= NO_PROVIDER_ID_RATE,
        )

    def alerts(self, start: datetime, now: datetime) -> list[Alert]:
        """All background alerts in ``[start, now]``, including a few exact repeats."""
        rng = self.rng
        self.start = start
        out = []
        for created in self.moments(start, now):
            kind = rng.choices(NOISE_KINDS, cum_weights=self._kind_weights)[0]
            out.append(self.alert(kind, created))
        repeats = []
        for alert in out:
            if "providerAlertId" in alert or alert["status"] != "new":
                continue
            if rng.random() < REPEAT_RATE:
                repeat = repeat_of(alert, timedelta(minutes=rng.uniform(5, 240)), now)
                if repeat is not None:
                    repeats.append(repeat)
        return out + repeats


def repeat_of(alert: Alert, delay: timedelta, now: datetime) -> Alert | None:
    """The same alert sent again ``delay`` later, or None if that would be after ``now``.

    The evidence is unchanged; the alert's own timestamps move by ``delay``.
    """
    created = datetime.fromisoformat(str(alert["createdDateTime"]))
    if created + delay > now:
        return None
    repeat = copy.deepcopy(alert)
    for key in _SHIFTED:
        repeat[key] = iso(datetime.fromisoformat(str(alert[key])) + delay)
    return repeat


_SHIFTED = (
    "createdDateTime",
    "lastUpdateDateTime",
    "firstActivityDateTime",
    "lastActivityDateTime",
)
