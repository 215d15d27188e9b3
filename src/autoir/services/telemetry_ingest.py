"""Ingesting telemetry and keeping it within its retention.

``POST /api/v1/telemetry/{kind}`` batches are all-or-nothing: any invalid record and nothing is
written. Re-sending is idempotent: a message event replaces the stored copy of its network
message id (unchanged copies are counted as such); an event whose id is stored is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.messages.enums import DeliveryLocation
from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.clicks import UrlClick, parse_url_click
from autoir.domain.telemetry.endpoint import EndpointEvent, parse_endpoint_event
from autoir.domain.telemetry.kinds import TelemetryKind
from autoir.domain.telemetry.message_json import parse_message_event
from autoir.domain.telemetry.signins import SignIn, parse_sign_in
from autoir.domain.telemetry.storable import storable_message
from autoir.ports.telemetry import WriteCounts
from autoir.ports.unit_of_work import UnitOfWork
from autoir.services.context import ServiceContext

Record = EmailMessage | UrlClick | EndpointEvent | SignIn
PARSERS: dict[TelemetryKind, Callable[[object, str, list[FieldError]], Record | None]] = {
    TelemetryKind.MESSAGES: parse_message_event,
    TelemetryKind.URL_CLICKS: parse_url_click,
    TelemetryKind.ENDPOINT_EVENTS: parse_endpoint_event,
    TelemetryKind.SIGN_INS: parse_sign_in,
}
DEFAULT_RETENTION = timedelta(days=30)
PURGE_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class TelemetryIngestResult:
    """Counts of one batch. ``rejected`` lists the records left out with ``skip_invalid``."""

    kind: TelemetryKind
    received: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: tuple[FieldError, ...] = ()


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a retention pass deleted, per kind, for records older than ``cutoff``."""

    cutoff: datetime
    deleted: dict[TelemetryKind, int] = field(default_factory=dict)


def parse_kind(raw: str) -> TelemetryKind:
    """The kind named in a path or a JSON line (case-insensitive), or ValidationFailed."""
    for kind in TelemetryKind:
        if kind.value.lower() == raw.lower():
            return kind
    choices = ", ".join(k.value for k in TelemetryKind)
    raise ValidationFailed([FieldError("kind", f"unknown kind {raw!r}; expected one of {choices}")])


class TelemetryIngestService:
    """Batches of telemetry in, expired telemetry out."""

    def __init__(self, ctx: ServiceContext, retention: timedelta = DEFAULT_RETENTION) -> None:
        self._ctx = ctx
        self.retention = retention

    def ingest(
        self, kind: TelemetryKind, payloads: list[object], *, skip_invalid: bool = False
    ) -> TelemetryIngestResult:
        """Validate and store a batch of JSON records of one kind.

        Args:
            kind: what the records are.
            payloads: decoded JSON objects; errors name them ``value[i]``.
            skip_invalid: store the valid records and report the others in ``rejected``
                (the CLI's bulk loads) instead of rejecting the whole batch (the API).

        Raises:
            ValidationFailed: the batch is empty or too large, or (without ``skip_invalid``)
                a record is invalid; nothing was written.
        """
        max_batch = self._ctx.policy.max_batch
        if len(payloads) > max_batch:
            raise ValidationFailed(
                [
                    FieldError(
                        "value",
                        f"a batch holds at most {max_batch} records; this one has {len(payloads)}",
                    )
                ]
            )
        if not payloads:
            raise ValidationFailed([FieldError("value", "the batch is empty")])
        parse = PARSERS[kind]
        errors: list[FieldError] = []
        records = [parse(payload, f"value[{i}]", errors) for i, payload in enumerate(payloads)]
        if errors and not skip_invalid:
            raise ValidationFailed(errors)
        valid = [r for r in records if r is not None]
        counts = self._store(kind, valid) if valid else WriteCounts()
        return TelemetryIngestResult(
            kind=kind,
            received=len(payloads),
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            rejected=tuple(errors),
        )

    def ingest_messages(self, messages: Sequence[EmailMessage]) -> TelemetryIngestResult:
        """Store parsed messages (the MIME path); a repeated network message id: the last wins."""
        if not messages:
            return TelemetryIngestResult(TelemetryKind.MESSAGES, 0)
        counts = self._store(TelemetryKind.MESSAGES, list(messages))
        return TelemetryIngestResult(
            TelemetryKind.MESSAGES,
            received=len(messages),
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
        )

    def _store(self, kind: TelemetryKind, records: Sequence[Record]) -> WriteCounts:
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            counts = _STORE[kind](uow, records, now)
            uow.commit()
        received = len(records)
        if kind is TelemetryKind.MESSAGES:
            # Copies of one network message id in a batch: the later replaced the earlier.
            repeated = received - (counts.created + counts.updated + counts.unchanged)
            counts = WriteCounts(counts.created, counts.updated + repeated, counts.unchanged)
        return counts

    def set_delivery_location(
        self, network_message_ids: Sequence[str], location: DeliveryLocation
    ) -> int:
        """Record where messages are now (remediation moved them); returns how many are stored."""
        with self._ctx.uow() as uow:
            count = uow.telemetry.set_delivery_location(list(network_message_ids), location)
            uow.commit()
        return count

    def purge_expired(
        self, now: datetime | None = None, *, chunk: int = PURGE_CHUNK
    ) -> PurgeResult:
        """Delete telemetry older than the retention, ``chunk`` records per transaction.

        Each chunk commits on its own, so writers (ingest) are never held up for long.
        Messages go by received time, events by their own time.
        """
        cutoff = (now or self._ctx.clock.now()) - self.retention
        result = PurgeResult(cutoff)
        for kind in TelemetryKind:
            result.deleted[kind] = self._in_chunks(partial(_purge_step, kind, cutoff, chunk), chunk)
        self._in_chunks(lambda uow: uow.telemetry.purge_fleet(cutoff, chunk), chunk)
        return result

    def _in_chunks(self, step: Callable[[UnitOfWork], int], chunk: int) -> int:
        """Run a bounded delete in its own transaction until it deletes less than a chunk."""
        total = 0
        while True:
            with self._ctx.uow() as uow:
                deleted = step(uow)
                uow.commit()
            total += deleted
            if deleted < chunk:
                return total


def _purge_step(kind: TelemetryKind, cutoff: datetime, chunk: int, uow: UnitOfWork) -> int:
    if kind is TelemetryKind.MESSAGES:
        return uow.telemetry.purge_messages(cutoff, chunk)
    return uow.telemetry.purge_events(kind, cutoff, chunk)


def _store_messages(uow: UnitOfWork, records: Sequence[Record], now: datetime) -> WriteCounts:
    latest: dict[str, EmailMessage] = {}
    for record in records:
        assert isinstance(record, EmailMessage)
        latest[record.network_message_id] = storable_message(record)
    return uow.telemetry.store_messages(list(latest.values()), now)


def _store_clicks(uow: UnitOfWork, records: Sequence[Record], _now: datetime) -> WriteCounts:
    return uow.telemetry.store_url_clicks([r for r in records if isinstance(r, UrlClick)])


def _store_events(uow: UnitOfWork, records: Sequence[Record], _now: datetime) -> WriteCounts:
    return uow.telemetry.store_endpoint_events([r for r in records if isinstance(r, EndpointEvent)])


def _store_sign_ins(uow: UnitOfWork, records: Sequence[Record], _now: datetime) -> WriteCounts:
    return uow.telemetry.store_sign_ins([r for r in records if isinstance(r, SignIn)])


_STORE: dict[TelemetryKind, Callable[[UnitOfWork, Sequence[Record], datetime], WriteCounts]] = {
    TelemetryKind.MESSAGES: _store_messages,
    TelemetryKind.URL_CLICKS: _store_clicks,
    TelemetryKind.ENDPOINT_EVENTS: _store_events,
    TelemetryKind.SIGN_INS: _store_sign_ins,
}
