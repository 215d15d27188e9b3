"""The telemetry questions investigations (and analysts) ask.

Values are put in their normal forms here, so callers may pass ``Alice@Contoso.com`` or an IPv6
address in any spelling. Windows are ``[since, until)``; cluster queries default to the
retention window. Every read runs in a read-only transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from autoir.domain.errors import FieldError, NotFound, ValidationFailed
from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.clicks import UrlClick
from autoir.domain.telemetry.clusters import (
    ClusterKey,
    ClusterQuery,
    ClusterResult,
    normalize_cluster_value,
)
from autoir.domain.telemetry.endpoint import EndpointEvent, EndpointEventKind
from autoir.domain.telemetry.fleet import Device, FilePrevalence
from autoir.domain.telemetry.normalize import normalize_address, normalize_sha256, normalize_url
from autoir.domain.telemetry.process_tree import ProcessNode, build_process_tree
from autoir.domain.telemetry.signins import SignIn
from autoir.services.context import ServiceContext
from autoir.services.telemetry_ingest import DEFAULT_RETENTION

MAX_CLUSTER_IDS = 100_000
MAX_LIST = 10_000
PROCESS_TREE_EVENTS = 5000


def _check_limit(limit: int, maximum: int) -> None:
    if not 0 <= limit <= maximum:
        raise ValidationFailed([FieldError("limit", f"must be between 0 and {maximum}")])


def _check_window(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and since > until:
        raise ValidationFailed([FieldError("since", "is after 'until'")])


def _sha256(raw: str) -> str:
    value = normalize_sha256(raw)
    if value is None:
        raise ValidationFailed([FieldError("sha256", "must be 64 hexadecimal digits")])
    return value


class TelemetryQueryService:
    """Read-only questions over stored telemetry."""

    def __init__(self, ctx: ServiceContext, retention: timedelta = DEFAULT_RETENTION) -> None:
        self._ctx = ctx
        self._retention = retention

    def messages(self, network_message_ids: Sequence[str]) -> list[EmailMessage]:
        """Stored messages by network message id, in the order asked (missing ones left out)."""
        wanted = [i.strip() for i in network_message_ids if i.strip()]
        with self._ctx.read_uow() as uow:
            found = {m.network_message_id: m for m in uow.telemetry.messages_by_network_ids(wanted)}
        return [found[i] for i in dict.fromkeys(wanted) if i in found]

    def message(self, network_message_id: str) -> EmailMessage:
        """One stored message, or NotFound."""
        found = self.messages([network_message_id])
        if not found:
            raise NotFound("message", network_message_id)
        return found[0]

    def messages_by_internet_id(
        self, internet_message_id: str, limit: int = 100
    ) -> list[EmailMessage]:
        """Every stored copy of an Internet message id (``<…@…>``), newest first."""
        _check_limit(limit, MAX_LIST)
        with self._ctx.read_uow() as uow:
            return uow.telemetry.messages_by_internet_id(internet_message_id.strip(), limit)

    def cluster(
        self,
        by: ClusterKey,
        value: str,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> ClusterResult:
        """The messages sharing ``value`` of ``by`` (reference §2.5, §2.6).

        Args:
            by: the cluster key; combined keys take ``value`` as ``first/second``.
            value: the shared value, in any spelling of its kind.
            since: start of the window; default: the retention window before now.
            until: end of the window (exclusive); default: open.
            limit: how many member ids to list (newest first); all are counted.
        """
        normal = normalize_cluster_value(by, value)
        if normal is None:
            raise ValidationFailed([FieldError("value", f"{value!r} is not a valid {by.value}")])
        _check_limit(limit, MAX_CLUSTER_IDS)
        _check_window(since, until)
        now = self._ctx.clock.now()
        query = ClusterQuery(by, normal, since or now - self._retention, until, limit)
        with self._ctx.read_uow() as uow:
            counts = uow.telemetry.cluster(query)
        return ClusterResult(
            query=query,
            email_count=counts.email_count,
            network_message_ids=tuple(counts.network_message_ids),
            count_by_delivery_location=counts.by_location,
            count_by_delivery_action=counts.by_action,
            queried_at=now,
        )

    def sender_seen_before(self, address: str, before: datetime) -> bool:
        """Whether mail from this P2 sender arrived before ``before`` (first-contact check)."""
        normal = normalize_address(address)
        if normal is None:
            return False
        with self._ctx.read_uow() as uow:
            return uow.telemetry.sender_seen_before(normal, before)

    def clicks(
        self,
        *,
        url: str | None = None,
        user: str | None = None,
        network_message_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> list[UrlClick]:
        """Clicks on a URL, by a user, or on a message's links (exactly one of the three)."""
        given = [
            name
            for name, v in (("url", url), ("user", user), ("networkMessageId", network_message_id))
            if v
        ]
        if len(given) != 1:
            raise ValidationFailed(
                [FieldError("url", "give exactly one of url, user, networkMessageId")]
            )
        _check_limit(limit, MAX_LIST)
        _check_window(since, until)
        with self._ctx.read_uow() as uow:
            if url:
                return uow.telemetry.clicks_by_url(normalize_url(url), since, until, limit)
            if user:
                return uow.telemetry.clicks_by_user(user.strip().lower(), since, until, limit)
            assert network_message_id is not None
            return uow.telemetry.clicks_by_message(network_message_id.strip(), limit)

    def file_prevalence(
        self,
        sha256: str,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> FilePrevalence:
        """How many devices (of all reporting) saw a file hash, and which, most recent first."""
        value = _sha256(sha256)
        _check_limit(limit, MAX_LIST)
        _check_window(since, until)
        with self._ctx.read_uow() as uow:
            count, sightings = uow.telemetry.file_sightings(value, since, until, limit)
            fleet = uow.telemetry.device_count()
        return FilePrevalence(value, count, fleet, tuple(sightings))

    def events_by_sha256(
        self,
        sha256: str,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> list[EndpointEvent]:
        """Endpoint events about a file hash on any device, newest first."""
        value = _sha256(sha256)
        _check_limit(limit, MAX_LIST)
        _check_window(since, until)
        with self._ctx.read_uow() as uow:
            return uow.telemetry.events_by_sha256(value, since, until, limit)

    def devices(self, limit: int = 100, offset: int = 0) -> list[Device]:
        """Devices that reported endpoint events, most recently seen first."""
        _check_limit(limit, MAX_LIST)
        with self._ctx.read_uow() as uow:
            return uow.telemetry.devices(limit, max(offset, 0))

    def device_events(
        self,
        device_id: str,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Sequence[EndpointEventKind] = (),
        limit: int = 1000,
    ) -> list[EndpointEvent]:
        """A device's events in a window, newest first."""
        _check_limit(limit, MAX_LIST)
        _check_window(since, until)
        with self._ctx.read_uow() as uow:
            return uow.telemetry.device_events(
                device_id.strip().lower(), since, until, list(kinds), limit
            )

    def process_tree(
        self, device_id: str, at: datetime, window: timedelta = timedelta(minutes=30)
    ) -> list[ProcessNode]:
        """The device's process tree from its process events within ``window`` of ``at``."""
        events = self.device_events(
            device_id, at - window, at + window, [EndpointEventKind.PROCESS], PROCESS_TREE_EVENTS
        )
        return build_process_tree(events)

    def sign_ins(
        self,
        user: str,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> list[SignIn]:
        """A user's sign-ins (by user principal name), newest first."""
        _check_limit(limit, MAX_LIST)
        _check_window(since, until)
        with self._ctx.read_uow() as uow:
            return uow.telemetry.sign_ins(user.strip().lower(), since, until, limit)
