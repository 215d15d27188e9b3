"""Repository port for telemetry: message events, URL clicks, endpoint events, sign-ins.

Time windows are ``[since, until)``; ``None`` leaves that side open. Lists are newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from autoir.domain.messages.enums import DeliveryAction, DeliveryLocation
from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.clicks import UrlClick
from autoir.domain.telemetry.clusters import ClusterQuery
from autoir.domain.telemetry.endpoint import EndpointEvent, EndpointEventKind
from autoir.domain.telemetry.fleet import Device, DeviceSighting
from autoir.domain.telemetry.kinds import TelemetryKind
from autoir.domain.telemetry.signins import SignIn


@dataclass(frozen=True, slots=True)
class WriteCounts:
    """What a store call did: new records, replaced ones, and ones already stored as sent."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class ClusterCounts:
    """A cluster's members as stored: all counted, ids of the newest up to the query's limit."""

    email_count: int
    network_message_ids: list[str]
    by_location: dict[DeliveryLocation, int]
    by_action: dict[DeliveryAction, int]


class MessageTelemetryRepository(Protocol):
    """Email message events and their cluster index."""

    def store_messages(self, messages: Sequence[EmailMessage], now: datetime) -> WriteCounts:
        """Insert messages; one whose network message id is stored replaces the stored copy.

        ``messages`` holds each network message id once.
        """
        ...

    def messages_by_network_ids(self, network_message_ids: Sequence[str]) -> list[EmailMessage]:
        """Stored messages with these network message ids (in no particular order)."""
        ...

    def messages_by_internet_id(self, internet_message_id: str, limit: int) -> list[EmailMessage]:
        """Every stored copy of one Internet message id."""
        ...

    def cluster(self, query: ClusterQuery) -> ClusterCounts:
        """Count the messages matching ``query`` and list the newest ``query.limit`` ids."""
        ...

    def sender_seen_before(self, address: str, before: datetime) -> bool:
        """Whether a message from this P2 sender was received strictly before ``before``."""
        ...

    def set_delivery_location(
        self, network_message_ids: Sequence[str], location: DeliveryLocation
    ) -> int:
        """Record where messages are now (after remediation); returns how many were stored."""
        ...

    def purge_messages(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` messages received before ``before``; returns how many."""
        ...


class EventTelemetryRepository(Protocol):
    """URL clicks, endpoint events, the devices that sent them, and sign-ins."""

    def store_url_clicks(self, clicks: Sequence[UrlClick]) -> WriteCounts:
        """Insert clicks; ids already stored are left as they are (``unchanged``)."""
        ...

    def store_endpoint_events(self, events: Sequence[EndpointEvent]) -> WriteCounts:
        """Insert events and note their devices; ids already stored are left as they are."""
        ...

    def store_sign_ins(self, sign_ins: Sequence[SignIn]) -> WriteCounts:
        """Insert sign-ins; ids already stored are left as they are."""
        ...

    def clicks_by_url(
        self, url: str, since: datetime | None, until: datetime | None, limit: int
    ) -> list[UrlClick]:
        """Clicks on exactly this (normalised) URL."""
        ...

    def clicks_by_user(
        self, user: str, since: datetime | None, until: datetime | None, limit: int
    ) -> list[UrlClick]:
        """Clicks by one user."""
        ...

    def clicks_by_message(self, network_message_id: str, limit: int) -> list[UrlClick]:
        """Clicks on links of one message."""
        ...

    def device_events(
        self,
        device_id: str,
        since: datetime | None,
        until: datetime | None,
        kinds: Sequence[EndpointEventKind],
        limit: int,
    ) -> list[EndpointEvent]:
        """A device's events in a window, of the given kinds (all kinds when empty)."""
        ...

    def events_by_sha256(
        self, sha256: str, since: datetime | None, until: datetime | None, limit: int
    ) -> list[EndpointEvent]:
        """Events about this hash (the file, or the process image), on any device."""
        ...

    def file_sightings(
        self, sha256: str, since: datetime | None, until: datetime | None, limit: int
    ) -> tuple[int, list[DeviceSighting]]:
        """Devices with events about this hash: the number of them, and up to ``limit``."""
        ...

    def devices(self, limit: int, offset: int) -> list[Device]:
        """Devices that reported events, most recently seen first."""
        ...

    def device_count(self) -> int:
        """How many devices reported events (the fleet size for prevalence)."""
        ...

    def sign_ins(
        self, user: str, since: datetime | None, until: datetime | None, limit: int
    ) -> list[SignIn]:
        """One user's sign-ins."""
        ...

    def purge_events(self, kind: TelemetryKind, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` events of a kind older than ``before``; returns how many."""
        ...

    def purge_fleet(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` file sightings and devices not seen since ``before`` each."""
        ...


class TelemetryRepository(MessageTelemetryRepository, EventTelemetryRepository, Protocol):
    """All telemetry, in the unit of work's transaction."""
