"""Sign-ins: every user's everyday history, and the sign-ins alerts are about.

Users sign in on workdays from their office or their home connection in their own country (the
baseline an investigation compares against), mistype a password now and then, and a few travel
to another country for some days, with a flight's worth of time between the two places.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from autoir.demo import content
from autoir.demo.places import city, home_ip, office_ip, utc_offset
from autoir.demo.primitives import iso
from autoir.demo.records import FAILURE_REASONS, SignInEvent

if TYPE_CHECKING:
    from collections.abc import Iterable
    from random import Random

    from autoir.demo.directory import DemoUser, Directory

Record = dict[str, object]

APPS = (
    "Office 365",
    "Microsoft Teams",
    "Office 365 Exchange Online",
    "Office 365 SharePoint Online",
    "Microsoft Azure Portal",
)
AGENTS = {
    "Windows": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Edg/131.0",
    "macOS": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Safari/605.1",
}
TRAVEL_RATE = 0.03
TYPO_RATE = 0.04


def sign_in_record(event: SignInEvent) -> Record:
    """A sign-in in the ``signIns`` ingest format (the Graph ``signIn`` resource)."""
    record: Record = {
        "userPrincipalName": event.user,
        "createdDateTime": iso(event.at),
        "ipAddress": event.ip,
        "appDisplayName": event.app,
        "clientAppUsed": event.client,
        "userAgent": event.user_agent,
        "status": {"errorCode": event.error, "failureReason": FAILURE_REASONS.get(event.error)}
        if event.error
        else {"errorCode": 0},
        "location": event.place.as_graph(),
    }
    if event.device is not None:
        device_id, name, system = event.device
        record["deviceDetail"] = {
            "deviceId": device_id,
            "displayName": name,
            "operatingSystem": system,
        }
    return record


class SignInHistory:
    """Everyday sign-ins of every user over the window."""

    def __init__(self, rng: Random, directory: Directory, start: datetime, now: datetime) -> None:
        """Bind to the random stream, the directory and the window."""
        self.rng = rng
        self.directory = directory
        self.start = start
        self.now = now
        self.events: list[SignInEvent] = []

    def generate(self) -> list[SignInEvent]:
        """Every user's sign-ins, oldest first."""
        days = []
        day = datetime.combine(self.start.date(), time(), tzinfo=UTC)
        while day <= self.now:
            days.append(day)
            day += timedelta(days=1)
        for user in self.directory.users:
            trip = self._trip(user, len(days))
            for index, day in enumerate(days):
                if trip and index in (trip[0], trip[0] + 4):
                    continue  # a day on planes and in airports
                abroad = trip[1] if trip and trip[0] < index < trip[0] + 4 else None
                self._day(user, day, abroad)
        self.events.sort(key=lambda e: e.at)
        return self.events

    def _trip(self, user: DemoUser, days: int) -> tuple[int, str] | None:
        """A few users fly abroad for three days, at least ten days ago."""
        rng = self.rng
        if rng.random() >= TRAVEL_RATE or days < 15:
            return None
        countries = [c for c in content.SIGN_IN_COUNTRIES if c != user.country]
        return rng.randint(1, days - 13), rng.choice(countries)

    def _device(self, user: DemoUser) -> tuple[tuple[str, str, str] | None, str]:
        for device in self.directory.devices_of(user):
            system = "macOS" if device.os_platform == "macOS" else "Windows"
            return (device.device_id, device.host_name, system), AGENTS[system]
        return None, AGENTS["Windows"]

    def _day(self, user: DemoUser, day: datetime, abroad: str | None) -> None:
        rng = self.rng
        weekday = day.weekday() < 5
        if rng.random() > (0.95 if weekday else 0.2):
            return
        device, agent = self._device(user)
        if abroad:
            place, ip = city(abroad, "travel"), home_ip(f"hotel/{abroad}/{user.upn}")
        elif weekday and rng.random() < 0.6:
            place, ip = city(user.country, "office"), office_ip(user.country)
        else:
            place, ip = city(user.country, user.upn), home_ip(user.upn)
        at = day + timedelta(hours=rng.uniform(7.5, 9.5) - utc_offset(place.country))
        count = 1 + (rng.random() < 0.5) + (rng.random() < 0.2)
        for _ in range(count):
            if rng.random() < TYPO_RATE:
                self._add(
                    SignInEvent(
                        user.upn, at, ip, place, error=50126, user_agent=agent, device=device
                    )
                )
                at += timedelta(seconds=rng.uniform(10, 90))
            app = rng.choice(APPS[:4]) if not user.is_admin else rng.choice(APPS)
            self._add(
                SignInEvent(user.upn, at, ip, place, app=app, user_agent=agent, device=device)
            )
            at += timedelta(hours=rng.uniform(1.5, 4))

    def _add(self, event: SignInEvent) -> None:
        if self.start <= event.at <= self.now:
            self.events.append(event)


def sign_in_records(events: Iterable[SignInEvent]) -> list[Record]:
    """Records of ``events``, oldest first."""
    return [sign_in_record(e) for e in sorted(events, key=lambda e: e.at)]
