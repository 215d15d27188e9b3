"""Telemetry: ingest batches of each kind; message look-ups, email clusters, clicks, devices.

Served at ``/api/v1/telemetry``. Formats: ``docs/telemetry.md``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from autoir.api.body import read_json, require_object
from autoir.api.deps import ContainerDep, ManageAlerts, ReadData
from autoir.api.errors import BadRequest
from autoir.domain.alerts.enums import enum_values, parse_enum
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.clusters import ClusterKey
from autoir.domain.telemetry.endpoint import EndpointEventKind
from autoir.domain.telemetry.message_json import message_to_json
from autoir.domain.timestamps import parse_timestamp
from autoir.services.telemetry_ingest import parse_kind

router = APIRouter(tags=["telemetry"])

SinceQ = Annotated[str | None, Query(description="Start of the window (ISO 8601, inclusive).")]
UntilQ = Annotated[str | None, Query(description="End of the window (ISO 8601, exclusive).")]
LimitQ = Annotated[int, Query(ge=0, le=10_000, description="At most this many items.")]

INGEST_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["value"],
                    "properties": {
                        "value": {"type": "array", "maxItems": 5000, "items": {"type": "object"}}
                    },
                }
            }
        },
    },
}


def _time(name: str, raw: str | None) -> datetime | None:
    if raw is None or not raw.strip():
        return None
    value = parse_timestamp(raw.strip())
    if value is None:
        raise ValidationFailed([FieldError(name, f"not an ISO 8601 date-time: {raw!r}")])
    return value


def _messages_body(messages: list[EmailMessage]) -> dict[str, Any]:
    return {"value": [message_to_json(m) for m in messages]}


@router.post(
    "/{kind}",
    status_code=201,
    summary="Ingest a batch of telemetry: messages, urlClicks, endpointEvents or signIns",
    openapi_extra=INGEST_SCHEMA,
)
async def ingest(
    kind: str, request: Request, container: ContainerDep, _p: ManageAlerts
) -> dict[str, Any]:
    """All-or-nothing: an invalid record is a 400 naming `value[i].field`. Idempotent."""
    telemetry_kind = parse_kind(kind)
    body = require_object(
        await read_json(request, container.settings.max_body_bytes), '{"value": [records…]}'
    )
    payloads = body.get("value")
    if not isinstance(payloads, list):
        raise BadRequest('Send {"value": [records…]}: "value" must be a list.')
    result = await run_in_threadpool(container.telemetry_ingest.ingest, telemetry_kind, payloads)
    return {
        "kind": result.kind.value,
        "received": result.received,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


@router.get("/messages", summary="Message events by network or Internet message id")
def messages(
    container: ContainerDep,
    _p: ReadData,
    network_message_id: Annotated[
        list[str] | None, Query(alias="networkMessageId", description="Repeat for several.")
    ] = None,
    internet_message_id: Annotated[str | None, Query(alias="internetMessageId")] = None,
    limit: LimitQ = 100,
) -> dict[str, Any]:
    """Give `networkMessageId` (repeatable) or `internetMessageId`."""
    if bool(network_message_id) == bool(internet_message_id):
        raise ValidationFailed(
            [FieldError("networkMessageId", "give networkMessageId or internetMessageId")]
        )
    if network_message_id:
        return _messages_body(container.telemetry.messages(network_message_id[:limit]))
    assert internet_message_id is not None
    return _messages_body(container.telemetry.messages_by_internet_id(internet_message_id, limit))


@router.get("/messages/{network_message_id}", summary="One message event")
def message(network_message_id: str, container: ContainerDep, _p: ReadData) -> dict[str, Any]:
    """The stored event of one network message id."""
    return message_to_json(container.telemetry.message(network_message_id))


@router.get(
    "/clusters",
    summary="Email cluster: messages sharing a sender, content or entity value",
    description="`by`: "
    + enum_values(ClusterKey)
    + ". Combined keys take `value` as `first/second`, e.g. `bodyFingerprint/senderIp` with "
    "`9f0c…/203.0.113.7`. The window defaults to the retention period.",
)
def cluster(
    container: ContainerDep,
    _p: ReadData,
    by: Annotated[str, Query(description="The cluster key.")],
    value: Annotated[str, Query(description="The shared value.")],
    since: SinceQ = None,
    until: UntilQ = None,
    limit: Annotated[int, Query(ge=0, le=100_000, description="Member ids to list.")] = 1000,
) -> dict[str, Any]:
    """Counts every member; lists member ids newest first up to `limit`."""
    key = parse_enum(ClusterKey, by)
    if key is None:
        raise ValidationFailed(
            [FieldError("by", f"unknown key {by!r}; expected one of {enum_values(ClusterKey)}")]
        )
    result = container.telemetry.cluster(
        key, value, _time("since", since), _time("until", until), limit
    )
    return result.to_json()


@router.get("/senders/{address}", summary="Whether mail from this sender arrived before")
def sender(
    address: str,
    container: ContainerDep,
    _p: ReadData,
    before: Annotated[str | None, Query(description="Default: now.")] = None,
) -> dict[str, Any]:
    """First-contact check on the P2 sender (RFC 5322 From)."""
    moment = _time("before", before) or container.ctx.clock.now()
    return {
        "address": address.strip().lower(),
        "seenBefore": container.telemetry.sender_seen_before(address, moment),
    }


@router.get("/urlClicks", summary="URL clicks on a URL, by a user, or on a message's links")
def url_clicks(
    container: ContainerDep,
    _p: ReadData,
    url: str | None = None,
    user_id: Annotated[str | None, Query(alias="userId")] = None,
    network_message_id: Annotated[str | None, Query(alias="networkMessageId")] = None,
    since: SinceQ = None,
    until: UntilQ = None,
    limit: LimitQ = 1000,
) -> dict[str, Any]:
    """Give exactly one of `url`, `userId`, `networkMessageId`."""
    clicks = container.telemetry.clicks(
        url=url,
        user=user_id,
        network_message_id=network_message_id,
        since=_time("since", since),
        until=_time("until", until),
        limit=limit,
    )
    return {"value": [c.to_json() for c in clicks]}


@router.get("/endpointEvents", summary="A device's events, or every event about a file hash")
def endpoint_events(
    container: ContainerDep,
    _p: ReadData,
    device_id: Annotated[str | None, Query(alias="deviceId")] = None,
    sha256: str | None = None,
    kind: Annotated[list[str] | None, Query(description="process, file, network, logon")] = None,
    since: SinceQ = None,
    until: UntilQ = None,
    limit: LimitQ = 1000,
) -> dict[str, Any]:
    """Give `deviceId` or `sha256`; `kind` narrows the kinds (repeatable)."""
    if bool(device_id) == bool(sha256):
        raise ValidationFailed([FieldError("deviceId", "give deviceId or sha256")])
    kinds = []
    for raw in kind or []:
        parsed = parse_enum(EndpointEventKind, raw)
        if parsed is None:
            raise ValidationFailed(
                [FieldError("kind", f"expected one of {enum_values(EndpointEventKind)}")]
            )
        kinds.append(parsed)
    start, end = _time("since", since), _time("until", until)
    if device_id:
        events = container.telemetry.device_events(device_id, start, end, kinds, limit)
    else:
        assert sha256 is not None
        events = container.telemetry.events_by_sha256(sha256, start, end, limit)
        if kinds:
            events = [e for e in events if e.kind in kinds]
    return {"value": [e.to_json() for e in events]}


@router.get("/devices", summary="Devices that reported endpoint events, most recent first")
def devices(
    container: ContainerDep,
    _p: ReadData,
    limit: LimitQ = 100,
    skip: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Every device known from endpoint telemetry."""
    return {"value": [d.to_json() for d in container.telemetry.devices(limit, skip)]}


@router.get("/devices/{device_id}/processTree", summary="A device's process tree around a time")
def process_tree(
    device_id: str,
    container: ContainerDep,
    _p: ReadData,
    at: Annotated[str | None, Query(description="Centre of the window; default: now.")] = None,
    window_minutes: Annotated[int, Query(alias="windowMinutes", ge=1, le=7 * 24 * 60)] = 30,
) -> dict[str, Any]:
    """Process events within `windowMinutes` of `at`, as a forest."""
    moment = _time("at", at) or container.ctx.clock.now()
    roots = container.telemetry.process_tree(device_id, moment, timedelta(minutes=window_minutes))
    return {"value": [node.to_json() for node in roots]}


@router.get("/files/{sha256}/prevalence", summary="Devices that saw a file hash, of the fleet")
def file_prevalence(
    sha256: str,
    container: ContainerDep,
    _p: ReadData,
    since: SinceQ = None,
    until: UntilQ = None,
    limit: LimitQ = 100,
) -> dict[str, Any]:
    """How many devices, of all reporting, saw the hash, and which."""
    return container.telemetry.file_prevalence(
        sha256, _time("since", since), _time("until", until), limit
    ).to_json()


@router.get("/signIns", summary="A user's sign-ins")
def sign_ins(
    container: ContainerDep,
    _p: ReadData,
    user_principal_name: Annotated[str, Query(alias="userPrincipalName")],
    since: SinceQ = None,
    until: UntilQ = None,
    limit: LimitQ = 1000,
) -> dict[str, Any]:
    """Newest first."""
    found = container.telemetry.sign_ins(
        user_principal_name, _time("since", since), _time("until", until), limit
    )
    return {"value": [s.to_json() for s in found]}
