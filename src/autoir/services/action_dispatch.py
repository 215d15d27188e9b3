"""One action → one connector call: the request each action type makes and what it records.

Email actions act on the copies still in mailboxes, found in telemetry (a cluster's query is run
again, up to the action's creation, as the reference's pending investigations do); their undo
puts each copy back where the original action found it. Effects on AutoIR's own records (where a
message now is) are returned, not written, and applied with the action's completion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from autoir.domain.errors import ConnectorRejected
from autoir.domain.messages.enums import DeliveryLocation
from autoir.domain.messages.message import EmailMessage
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.catalog import ActionType, Connector
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.domain.telemetry.clusters import ClusterKey, ClusterQuery
from autoir.ports.remediation import (
    CommandState,
    DeviceCommand,
    DeviceOperation,
    EmailOperation,
    EmailSystem,
    EndpointFleet,
    ForwardingChange,
    IdentityOperation,
    IdentityProvider,
    MailboxInspector,
    MessageOutcome,
    MessageRef,
    MessageStatus,
    ProgressCallback,
    UrlBlocker,
)
from autoir.ports.unit_of_work import UnitOfWork

T = ActionType


@dataclass(frozen=True, slots=True)
class Connectors:
    """The adapters behind each connector port."""

    email: EmailSystem
    endpoints: EndpointFleet
    urls: UrlBlocker
    identity: IdentityProvider
    internal_domains: tuple[str, ...] = ()
    mailboxes: MailboxInspector | None = None
    """Reads mailboxes' forwarding and out-of-office (enrichment); None without a mail server."""


@dataclass(frozen=True, slots=True)
class Dispatch:
    """Everything one execution needs."""

    action: RemediationAction
    original: RemediationAction | None
    connectors: Connectors
    read_uow: Callable[[], UnitOfWork]
    cluster_limit: int = 10_000
    progress: ProgressCallback | None = None
    """Told (done, total) as a bulk action goes (renews the executor's lease)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The action's new status, its result document, and where messages now are."""

    status: ActionStatus
    result: Mapping[str, Any]
    error: str | None = None
    locations: Sequence[tuple[str, DeliveryLocation]] = field(default_factory=tuple)

    def apply_effects(self, uow: UnitOfWork, now: datetime) -> None:  # noqa: ARG002 - effects are timeless now
        """Record where remediated messages are now."""
        by_location: dict[DeliveryLocation, list[str]] = {}
        for network_id, location in self.locations:
            by_location.setdefault(location, []).append(network_id)
        for location, ids in by_location.items():
            uow.telemetry.set_delivery_location(ids, location)


_EMAIL_OPERATIONS = {
    T.SOFT_DELETE_EMAIL: (EmailOperation.SOFT_DELETE, DeliveryLocation.DELETED_FOLDER),
    T.HARD_DELETE_EMAIL: (EmailOperation.HARD_DELETE, DeliveryLocation.DROPPED),
    T.MOVE_TO_JUNK: (EmailOperation.MOVE_TO_JUNK, DeliveryLocation.JUNK_FOLDER),
    T.MOVE_TO_INBOX: (EmailOperation.MOVE_TO_INBOX, DeliveryLocation.INBOX),
    T.QUARANTINE_EMAIL: (EmailOperation.QUARANTINE, DeliveryLocation.QUARANTINE),
    T.QUARANTINE_ATTACHMENT: (EmailOperation.QUARANTINE_ATTACHMENT, None),
}
_EMAIL_UNDO = {
    T.MOVE_BACK_EMAIL: EmailOperation.MOVE_BACK,
    T.RELEASE_EMAIL: EmailOperation.RELEASE,
    T.RESTORE_ATTACHMENT: EmailOperation.RESTORE_ATTACHMENT,
}
_DEVICE_OPERATIONS = {
    T.COLLECT_INVESTIGATION_PACKAGE: DeviceOperation.COLLECT_INVESTIGATION_PACKAGE,
    T.ISOLATE_DEVICE: DeviceOperation.ISOLATE,
    T.RELEASE_FROM_ISOLATION: DeviceOperation.UNISOLATE,
    T.OFFBOARD_MACHINE: DeviceOperation.OFFBOARD,
    T.RESTRICT_CODE_EXECUTION: DeviceOperation.RESTRICT_CODE_EXECUTION,
    T.RELEASE_CODE_EXECUTION: DeviceOperation.UNRESTRICT_CODE_EXECUTION,
    T.RUN_ANTIVIRUS_SCAN: DeviceOperation.RUN_ANTIVIRUS_SCAN,
    T.STOP_AND_QUARANTINE_FILE: DeviceOperation.STOP_AND_QUARANTINE_FILE,
    T.RELEASE_FROM_QUARANTINE: DeviceOperation.RELEASE_FROM_QUARANTINE,
    T.REQUEST_SAMPLE: DeviceOperation.REQUEST_SAMPLE,
    T.LIVE_RESPONSE_DELETE_FILE: DeviceOperation.DELETE_FILE,
    T.LIVE_RESPONSE_STOP_PROCESS: DeviceOperation.STOP_PROCESS,
    T.LIVE_RESPONSE_REMOVE_SCHEDULED_TASK: DeviceOperation.REMOVE_SCHEDULED_TASK,
}
_IDENTITY_OPERATIONS = {
    T.DISABLE_USER: IdentityOperation.DISABLE,
    T.ENABLE_USER: IdentityOperation.ENABLE,
    T.RESET_PASSWORD: IdentityOperation.RESET_PASSWORD,
    T.REVOKE_SESSIONS: IdentityOperation.REVOKE_SESSIONS,
    T.CONFIRM_USER_COMPROMISED: IdentityOperation.CONFIRM_COMPROMISED,
    T.DISMISS_USER_COMPROMISED: IdentityOperation.DISMISS_COMPROMISED,
}
_DEVICE_STATES = {
    CommandState.SUCCEEDED: ActionStatus.COMPLETED,
    CommandState.FAILED: ActionStatus.FAILED,
    CommandState.PENDING_RESOURCE: ActionStatus.PENDING_RESOURCE,
    CommandState.IN_PROGRESS: ActionStatus.RUNNING,
    CommandState.CANCELLED: ActionStatus.CANCELLED,
}


def perform(dispatch: Dispatch) -> Outcome:
    """Make the connector call for ``dispatch.action``; raises the connector's errors."""
    action = dispatch.action
    connector = action.spec.connector
    if connector is Connector.ENDPOINT:
        return _device(dispatch)
    if connector is Connector.URL_BLOCKER:
        return _url(dispatch)
    if connector is Connector.IDENTITY:
        return _identity(dispatch)
    if action.action_type in {T.TURN_OFF_EXTERNAL_FORWARDING, T.RESTORE_FORWARDING}:
        return _forwarding(dispatch)
    if action.action_type in _EMAIL_UNDO:
        return _email_undo(dispatch)
    return _email(dispatch)


def withdraw(connectors: Connectors, action: RemediationAction) -> bool:
    """Take back a command handed to an offline device; False when the device already ran it.

    Only device actions waiting for their device (``pendingResource``) were handed out.
    """
    if action.status is not ActionStatus.PENDING_RESOURCE:
        return True
    outcome = connectors.endpoints.cancel(action.id)
    return outcome is None or outcome.state is CommandState.CANCELLED


# --- email ----------------------------------------------------------------------------------


def _email(dispatch: Dispatch) -> Outcome:
    action = dispatch.action
    operation, location = _EMAIL_OPERATIONS[action.action_type]
    messages = _target_messages(dispatch)
    acting_on_mailbox = operation is not EmailOperation.MOVE_TO_INBOX
    refs: list[MessageRef] = []
    before: dict[tuple[str, str | None], str] = {}
    skipped = 0
    for message in messages:
        if (
            acting_on_mailbox
            and not message.delivery_location.in_mailbox
            and message.delivery_location is not DeliveryLocation.UNKNOWN
        ):
            skipped += 1
            continue
        for mailbox in _mailboxes(action, message):
            ref = MessageRef(mailbox, message.network_message_id, message.internet_message_id)
            refs.append(ref)
            before[(mailbox, message.network_message_id)] = message.delivery_location.value
    refs.extend(_refs_without_telemetry(action, messages))
    outcomes = (
        dispatch.connectors.email.apply(action.id, operation, refs, dispatch.progress)
        if refs
        else []
    )
    done = [o for o in outcomes if o.status is MessageStatus.DONE]
    failed = [o for o in outcomes if o.status is MessageStatus.FAILED]
    result = {
        "summary": f"{len(done)} of {len(refs)} copies done, "
        f"{sum(1 for o in outcomes if o.status is MessageStatus.NOT_FOUND)} not found, "
        f"{len(failed)} failed; {skipped} messages were no longer in a mailbox",
        "counts": {
            "targeted": len(refs),
            "done": len(done),
            "notFound": sum(1 for o in outcomes if o.status is MessageStatus.NOT_FOUND),
            "failed": len(failed),
            "notInMailbox": skipped,
        },
        "messages": [
            {**o.to_json(), "locationBefore": before.get((o.ref.mailbox, o.ref.network_message_id))}
            for o in outcomes
        ],
    }
    status = ActionStatus.FAILED if failed and not done else ActionStatus.COMPLETED
    error = f"{len(failed)} copies failed: {failed[0].detail}" if failed else None
    locations = (
        [(o.ref.network_message_id, location) for o in done if o.ref.network_message_id]
        if location is not None
        else []
    )
    return Outcome(status, result, error, locations)


def copies_left(dispatch: Dispatch) -> int | None:
    """How many of a pending mailbox action's messages are still in a mailbox.

    None when the action does not act on copies in mailboxes, or AutoIR has no telemetry for
    its messages.
    """
    action = dispatch.action
    if action.action_type not in _EMAIL_OPERATIONS or action.action_type is T.MOVE_TO_INBOX:
        return None
    messages = _target_messages(dispatch)
    if not messages:
        return None
    return sum(
        1
        for m in messages
        if m.delivery_location.in_mailbox or m.delivery_location is DeliveryLocation.UNKNOWN
    )


def _email_undo(dispatch: Dispatch) -> Outcome:
    action, original = dispatch.action, dispatch.original
    if original is None:
        raise ConnectorRejected(f"{action.action_type.value} needs the action it undoes.")
    operation = _EMAIL_UNDO[action.action_type]
    refs: list[MessageRef] = []
    locations: list[tuple[str, DeliveryLocation]] = []
    for entry in original.result.get("messages", []):
        if entry.get("status") != MessageStatus.DONE.value:
            continue
        ref = MessageRef.from_json(entry["message"])
        refs.append(
            MessageRef(
                ref.mailbox,
                ref.network_message_id,
                ref.internet_message_id,
                entry.get("folderBefore"),
            )
        )
        if ref.network_message_id and entry.get("locationBefore"):
            locations.append((ref.network_message_id, DeliveryLocation(entry["locationBefore"])))
    outcomes = (
        dispatch.connectors.email.apply(action.id, operation, refs, dispatch.progress)
        if refs
        else []
    )
    done = sum(1 for o in outcomes if o.status is MessageStatus.DONE)
    failed = [o for o in outcomes if o.status is MessageStatus.FAILED]
    result = {
        "summary": f"{done} of {len(refs)} copies put back",
        "counts": {"targeted": len(refs), "done": done, "failed": len(failed)},
        "messages": [o.to_json() for o in outcomes],
    }
    status = ActionStatus.FAILED if failed and not done else ActionStatus.COMPLETED
    return Outcome(status, result, f"{len(failed)} copies failed" if failed else None, locations)


def _target_messages(dispatch: Dispatch) -> list[EmailMessage]:
    props = dispatch.action.properties
    ids = [str(i) for i in props.get("networkMessageIds") or []]
    with dispatch.read_uow() as uow:
        telemetry = uow.telemetry
        by = props.get("clusterBy")
        if by and props.get("clusterByValue") and len(ids) < int(props.get("emailCount") or 0):
            counts = telemetry.cluster(
                ClusterQuery(
                    ClusterKey(str(by)),
                    str(props["clusterByValue"]),
                    until=dispatch.action.created_at,
                    limit=dispatch.cluster_limit,
                )
            )
            ids = list(dict.fromkeys([*ids, *counts.network_message_ids]))
        if not ids and props.get("internetMessageId"):
            return telemetry.messages_by_internet_id(
                str(props["internetMessageId"]), dispatch.cluster_limit
            )
        return telemetry.messages_by_network_ids(ids) if ids else []


def _mailboxes(action: RemediationAction, message: EmailMessage) -> list[str]:
    named = [str(m).lower() for m in action.properties.get("mailboxes") or []]
    recipients = [r.lower() for r in message.recipients]
    if named:
        return [r for r in recipients if r in named] or named
    return recipients


def _refs_without_telemetry(
    action: RemediationAction, found: Sequence[EmailMessage]
) -> list[MessageRef]:
    """A manual action on a message AutoIR has no telemetry for: locate it by its ids."""
    if found:
        return []
    ids = [str(i) for i in action.properties.get("networkMessageIds") or []]
    internet_id = action.properties.get("internetMessageId")
    return [
        MessageRef(str(mailbox), ids[0] if ids else None, internet_id)
        for mailbox in action.properties.get("mailboxes") or []
    ]


def _forwarding(dispatch: Dispatch) -> Outcome:
    action = dispatch.action
    email = dispatch.connectors.email
    if action.action_type is T.TURN_OFF_EXTERNAL_FORWARDING:
        mailbox = str(action.properties.get("mailbox") or action.target_name)
        change = email.turn_off_external_forwarding(
            action.id, mailbox, dispatch.connectors.internal_domains
        )
        summary = (
            f"Removed forwarding to {', '.join(change.removed)}"
            if change.removed
            else "No external forwarding was configured."
        )
        return Outcome(ActionStatus.COMPLETED, {"summary": summary, "forwarding": change.to_json()})
    original = dispatch.original
    if original is None or "forwarding" not in original.result:
        raise ConnectorRejected("restoreForwarding needs the rules its original action removed.")
    change = ForwardingChange.from_json(original.result["forwarding"])
    email.restore_forwarding(action.id, change)
    return Outcome(ActionStatus.COMPLETED, {"summary": f"Restored the rules of {change.mailbox}"})


# --- devices, URLs, users ---------------------------------------------------------------------


def _device(dispatch: Dispatch) -> Outcome:
    action = dispatch.action
    props = action.properties
    device_id = str(props.get("deviceId") or "")
    if not device_id:
        raise ConnectorRejected(f"{action.target_name}: no device is known for this target.")
    parameters: dict[str, Any] = {}
    for key, parameter in (
        ("isolationType", "isolationType"),
        ("scanType", "scanType"),
        ("sha256", "sha256"),
        ("processId", "pid"),
        ("name", "name"),
    ):
        if props.get(key) is not None:
            parameters[parameter] = props[key]
    # Stop and quarantine takes every instance of the hash (reference §3.3: by Sha1 alone);
    # deleting a file or fetching a sample acts on the one file the evidence names.
    path = _file_path(props)
    if path is not None and action.action_type in _ONE_FILE:
        parameters["path"] = path
    if action.action_type is T.ISOLATE_DEVICE:
        parameters.setdefault("isolationType", "Full")
    if action.action_type is T.RUN_ANTIVIRUS_SCAN:
        parameters.setdefault("scanType", "Quick")
    if dispatch.original is not None:
        details = dispatch.original.result.get("details") or {}
        if "quarantineIds" in details:
            parameters["quarantineIds"] = details["quarantineIds"]
    command = DeviceCommand(
        action.id, device_id, _DEVICE_OPERATIONS[action.action_type], parameters
    )
    outcome = dispatch.connectors.endpoints.dispatch(command)
    status = _DEVICE_STATES[outcome.state]
    return Outcome(
        status,
        {"machineActionStatus": outcome.state.value, "details": dict(outcome.details)},
        outcome.error,
    )


_ONE_FILE = frozenset({T.LIVE_RESPONSE_DELETE_FILE, T.REQUEST_SAMPLE})


def _file_path(props: Mapping[str, Any]) -> str | None:
    """The file's full path: Graph's ``filePath`` is its folder, ``fileName`` its name."""
    folder, name = props.get("filePath"), props.get("fileName")
    if not folder:
        return None
    folder = str(folder).rstrip("/\\")
    if not name or folder.lower().endswith(str(name).lower()):
        return folder
    separator = "\\" if "\\" in folder or folder[1:2] == ":" else "/"
    return folder + separator + str(name)


def _url(dispatch: Dispatch) -> Outcome:
    action = dispatch.action
    url = str(action.properties.get("url") or action.target_name)
    if action.action_type is T.BLOCK_URL:
        dispatch.connectors.urls.block(action.id, url, action.reason)
        return Outcome(ActionStatus.COMPLETED, {"summary": f"Clicks on {url} are blocked."})
    dispatch.connectors.urls.unblock(action.id, url)
    return Outcome(ActionStatus.COMPLETED, {"summary": f"Clicks on {url} are allowed again."})


def _identity(dispatch: Dispatch) -> Outcome:
    action = dispatch.action
    operation = _IDENTITY_OPERATIONS[action.action_type]
    identity = dispatch.connectors.identity
    if not identity.supports(operation):
        raise ConnectorRejected(f"The directory connector cannot {operation.value}.")
    user = str(action.properties.get("userPrincipalName") or action.target_name)
    details = identity.apply(action.id, operation, user)
    return Outcome(
        ActionStatus.COMPLETED, {"summary": f"{operation.value}: {user}", "details": dict(details)}
    )


__all__ = [
    "Connectors",
    "Dispatch",
    "MessageOutcome",
    "Outcome",
    "copies_left",
    "perform",
    "withdraw",
]
