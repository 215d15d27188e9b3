"""Who may decide and request which action: every built-in role against every decision route and
every manual action type, on both database backends.

The expected outcome of each call is derived from the catalogue and the roles (a route needs the
response permission, the action type its own), and the derivation itself is checked against a
few facts written out by hand, so that a wrong permission in the catalogue fails here too.
Manual actions that are allowed are then executed against seeded in-memory connectors and must
complete.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from autoir.bootstrap import Container
from autoir.connectors.memory import (
    InMemoryEmailSystem,
    InMemoryEndpointFleet,
    InMemoryIdentityProvider,
)
from autoir.domain.access.permissions import BUILTIN_ROLES, Permission
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.catalog import CATALOGUE, ActionType, TargetKind, spec_of
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.services.telemetry_ingest import parse_kind
from tests.conftest import ApiClient
from tests.support import telemetry as T

ROLES = sorted(BUILTIN_ROLES)
MANUAL_TYPES = sorted(t for t, spec in CATALOGUE.items() if spec.undoes is None)
MANUAL = [(t, k) for t in MANUAL_TYPES for k in sorted(spec_of(t).targets)]
"""Every (action type, target kind) an analyst can request."""
DECIDED = sorted({spec_of(t).permission: t for t in reversed(MANUAL_TYPES)}.values())
"""Approve, reject and cancel: one action type for each permission an action type can need."""
UNDONE = sorted(
    {
        spec_of(undo).permission: t
        for t in reversed(MANUAL_TYPES)
        if (undo := spec_of(t).undo) is not None
    }.values()
)
"""Undo: one reversible action type for each permission an undo can need."""

FILE_BYTES = b"\x7fELF stand-in payload for the permission matrix"
FILE_SHA = hashlib.sha256(FILE_BYTES).hexdigest()
FILE_PATH = "/opt/tools/payload"
PID = 4242
TASK = "nightly-updater"
DECISION_STATUS = {"approve": 200, "reject": 200, "cancel": 200, "undo": 201, "request": 201}

# Written out by hand (not derived from the catalogue): what each role may request.
LIVE_RESPONSE_TYPES = {
    "requestSample",
    "liveResponseDeleteFile",
    "liveResponseStopProcess",
    "liveResponseRemoveScheduledTask",
}
EMAIL_TYPES = {
    "softDeleteEmail",
    "hardDeleteEmail",
    "moveToJunk",
    "moveToInbox",
    "quarantineEmail",
    "quarantineAttachment",
    "blockUrl",
    "turnOffExternalForwarding",
}
DEVICE_AND_USER_TYPES = {
    "collectInvestigationPackage",
    "isolateDevice",
    "offboardMachine",
    "restrictCodeExecution",
    "runAntivirusScan",
    "stopAndQuarantineFile",
    "disableUser",
    "resetPassword",
    "revokeSessions",
    "confirmUserCompromised",
}
EVERYTHING = LIVE_RESPONSE_TYPES | EMAIL_TYPES | DEVICE_AND_USER_TYPES
HAND_WRITTEN_REQUESTS = {
    "Global administrator": EVERYTHING,
    "Security administrator": EVERYTHING,
    "Security operator": EVERYTHING,
    "Organization management": EMAIL_TYPES | DEVICE_AND_USER_TYPES,
    "Security reader": set(),
    "Global reader": set(),
    "Compliance administrator": set(),
}


def allowed(role: str, action_type: ActionType) -> bool:
    """Whether ``role`` passes both checks for a call on ``action_type``."""
    permissions = BUILTIN_ROLES[role][1]
    return (
        Permission.RESPONSE_ACTIONS in permissions
        and spec_of(action_type).permission in permissions
    )


# --- targets and seeding ----------------------------------------------------------------------


def _mailbox(n: int) -> str:
    return f"mbx{n}@fabrikam.example"


def _target(kind: TargetKind, n: int) -> dict[str, Any]:
    """A valid target of ``kind`` on entities of its own (number ``n``)."""
    device = f"dev-{n}"
    targets: dict[TargetKind, dict[str, Any]] = {
        TargetKind.DEVICE: {"deviceId": device},
        TargetKind.FILE: {"deviceId": device, "sha256": FILE_SHA, "fileName": "payload"},
        TargetKind.PROCESS: {"deviceId": device, "processId": str(PID), "sha256": FILE_SHA},
        TargetKind.SCHEDULED_TASK: {"deviceId": device, "name": TASK},
        TargetKind.MESSAGE: {
            "networkMessageId": f"msg-{n}",
            "internetMessageId": f"<msg-{n}@evil.example>",
            "mailbox": _mailbox(n),
        },
        TargetKind.CLUSTER: {"networkMessageIds": [f"clu-{n}-a", f"clu-{n}-b"]},
        TargetKind.URL: {"url": f"https://evil{n}.example/landing"},
        TargetKind.MAILBOX: {"mailbox": _mailbox(n)},
        TargetKind.USER: {"userPrincipalName": f"user{n}@fabrikam.example"},
    }
    return {"kind": kind.value, **targets[kind]}


def _seed(container: Container, kind: TargetKind, n: int) -> None:
    """Put what the target of number ``n`` names into the in-memory connectors."""
    connectors = container.automation.remediation.connectors
    email, fleet, identity = connectors.email, connectors.endpoints, connectors.identity
    assert isinstance(email, InMemoryEmailSystem)
    assert isinstance(fleet, InMemoryEndpointFleet)
    assert isinstance(identity, InMemoryIdentityProvider)
    mailbox = _mailbox(n)
    if kind in {TargetKind.DEVICE, TargetKind.FILE, TargetKind.PROCESS, TargetKind.SCHEDULED_TASK}:
        fleet.enroll(
            f"dev-{n}",
            files={FILE_PATH: FILE_BYTES},
            processes={PID: FILE_PATH},
            scheduled_tasks={TASK: "0 3 * * * /opt/tools/payload"},
        )
    elif kind is TargetKind.MESSAGE:
        email.deliver(
            mailbox, "Inbox", f"msg-{n}", f"<msg-{n}@evil.example>", b"Subject: a\r\n\r\n"
        )
    elif kind is TargetKind.CLUSTER:
        records = []
        for suffix in ("a", "b"):
            network_id = f"clu-{n}-{suffix}"
            email.deliver(mailbox, "Inbox", network_id, f"<{network_id}@evil.example>", b"\r\n")
            records.append(
                T.message(
                    networkMessageId=network_id,
                    internetMessageId=f"<{network_id}@evil.example>",
                    recipientEmailAddress=mailbox,
                )
            )
        container.telemetry_ingest.ingest(parse_kind("messages"), list(records))
    elif kind is TargetKind.MAILBOX:
        email.deliver(mailbox, "Inbox", f"fwd-{n}", f"<fwd-{n}@fabrikam.example>", b"\r\n")
        email.set_rules(mailbox, {"fwd": 'redirect "drop@exfil.example";'})
    elif kind is TargetKind.USER:
        identity.add_user(f"user{n}@fabrikam.example")


def _stored(
    container: Container, action_type: ActionType, status: ActionStatus, n: int
) -> RemediationAction:
    """An action put straight into the store (pending, approved, or completed)."""
    kind = min(spec_of(action_type).targets)
    now = container.ctx.clock.now()
    action = RemediationAction(
        id=container.ctx.ids.guid(),
        investigation_id=None,
        action_type=action_type,
        target_key=f"{kind.value}:stored-{n}",
        target_name=f"stored target {n}",
        status=status,
        requires_approval=status is ActionStatus.PENDING,
        reason="permission matrix",
        created_at=now,
        properties={k: v for k, v in _target(kind, n).items() if k != "kind"},
        target_kind=kind.value,
        decided_by=None if status is ActionStatus.PENDING else "Automation",
        decided_at=None if status is ActionStatus.PENDING else now,
        updated_at=now,
        completed_at=now if status is ActionStatus.COMPLETED else None,
        result={"summary": "done"} if status is ActionStatus.COMPLETED else {},
    )
    with container.ctx.uow() as uow:
        uow.actions.add([action])
        uow.commit()
    return action


# --- the calls --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """One request of the matrix and the action type whose permission it needs."""

    operation: str
    action_type: ActionType
    kind: TargetKind | None
    send: Callable[[dict[str, str]], Any]


def _calls(api: ApiClient, container: Container) -> list[Call]:
    """Every call of the matrix, with its targets seeded and its actions stored."""
    calls: list[Call] = []
    numbers = iter(range(1, 10_000))

    def post(path: str, body: dict[str, Any]) -> Callable[[dict[str, str]], Any]:
        return lambda headers: api.post(path, json=body, headers=headers)

    for action_type in DECIDED:
        for operation, status in (
            ("approve", ActionStatus.PENDING),
            ("reject", ActionStatus.PENDING),
            ("cancel", ActionStatus.APPROVED),
        ):
            action = _stored(container, action_type, status, next(numbers))
            path = (
                f"/api/v1/actions/{action.id}/cancel"
                if operation == "cancel"
                else f"/api/v1/actions/{operation}"
            )
            body: dict[str, Any] = {} if operation == "cancel" else {"ids": [action.id]}
            calls.append(Call(operation, action_type, None, post(path, body)))
    for action_type in UNDONE:
        action = _stored(container, action_type, ActionStatus.COMPLETED, next(numbers))
        undo_type = spec_of(action_type).undo
        assert undo_type is not None
        path = f"/api/v1/actions/{action.id}/undo"
        calls.append(Call("undo", undo_type, None, post(path, {})))
    for action_type, kind in MANUAL:
        n = next(numbers)
        _seed(container, kind, n)
        body = {"actionType": action_type.value, "target": _target(kind, n)}
        calls.append(Call("request", action_type, kind, post("/api/v1/actions", body)))
    return calls


def _execute(container: Container, action_id: str) -> ActionStatus:
    container.automation.remediation.executor.execute(action_id, "worker-1")
    return container.automation.remediation.center.get(action_id).status


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_403_exactly_where_a_permission_is_missing(
    api: ApiClient, container: Container, role: str
) -> None:
    headers = {"Authorization": f"Bearer {container.access.issue_token(role, role, None).secret}"}
    mismatches: list[str] = []
    requested: dict[str, tuple[ActionType, TargetKind | None]] = {}
    for call in _calls(api, container):
        expected = DECISION_STATUS[call.operation] if allowed(role, call.action_type) else 403
        response = call.send(headers)
        where = f"{call.operation} {call.action_type.value}" + (
            f" on {call.kind.value}" if call.kind else ""
        )
        if response.status_code != expected:
            mismatches.append(f"{where}: {response.status_code}, expected {expected}")
        elif expected == 403:
            assert response.json()["error"]["code"] == "forbidden", response.text
        elif call.operation == "request":
            requested[response.json()["id"]] = (call.action_type, call.kind)
    assert mismatches == [], f"{role}:\n" + "\n".join(mismatches)

    # What the role was allowed to request runs to completion on the seeded connectors.
    for action_id in requested:
        _execute(container, action_id)
    for action in container.automation.remediation.center.get_many(list(requested)):
        action_type, kind = requested[action.id]
        where = f"{action_type.value} on {kind.value if kind else '?'}"
        assert action.status is ActionStatus.COMPLETED, (where, action.error, action.result)
        if kind is not None and kind.is_email:
            assert action.result["counts"]["done"] >= 1, (where, action.result)


# --- facts written by hand ------------------------------------------------------------------


def test_the_derived_table_matches_the_hand_written_facts() -> None:
    assert {t.value for t in MANUAL_TYPES} == EVERYTHING, "a manual action type was added"
    for role, expected in HAND_WRITTEN_REQUESTS.items():
        derived = {t.value for t in MANUAL_TYPES if allowed(role, t)}
        assert derived == expected, role
    # Undoing needs the undo's own permission: email undo is an email action, releasing a
    # device a response action; nothing is open to readers.
    assert allowed("Organization management", ActionType.MOVE_BACK_EMAIL)
    assert allowed("Organization management", ActionType.RELEASE_FROM_ISOLATION)
    assert spec_of(ActionType.MOVE_BACK_EMAIL).permission is Permission.EMAIL_ADVANCED_ACTIONS
    assert spec_of(ActionType.RELEASE_EMAIL).permission is Permission.EMAIL_QUARANTINE
    for reader in ("Security reader", "Global reader", "Compliance administrator"):
        assert not any(allowed(reader, t) for t in ActionType), reader


def test_concrete_facts_over_http(api: ApiClient, container: Container) -> None:
    def token(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {container.access.issue_token(role, role, None).secret}"}

    reader, org, operator = (
        token("Security reader"),
        token("Organization management"),
        token("Security operator"),
    )
    # A Security reader can approve nothing, not even a pending email action.
    pending = _stored(container, ActionType.SOFT_DELETE_EMAIL, ActionStatus.PENDING, 1)
    approve = {"ids": [pending.id]}
    assert api.post("/api/v1/actions/approve", json=approve, headers=reader).status_code == 403
    assert container.automation.remediation.center.get(pending.id).status is ActionStatus.PENDING
    # Organization management can soft delete email…
    _seed(container, TargetKind.MESSAGE, 2)
    soft_delete = {"actionType": "softDeleteEmail", "target": _target(TargetKind.MESSAGE, 2)}
    response = api.post("/api/v1/actions", json=soft_delete, headers=org)
    assert response.status_code == 201, response.text
    assert _execute(container, response.json()["id"]) is ActionStatus.COMPLETED
    assert api.post("/api/v1/actions/approve", json=approve, headers=org).status_code == 200
    # …but not run live response, which a Security operator can.
    _seed(container, TargetKind.PROCESS, 3)
    live = {"actionType": "liveResponseStopProcess", "target": _target(TargetKind.PROCESS, 3)}
    assert api.post("/api/v1/actions", json=live, headers=org).status_code == 403
    response = api.post("/api/v1/actions", json=live, headers=operator)
    assert response.status_code == 201, response.text
    assert _execute(container, response.json()["id"]) is ActionStatus.COMPLETED
    fleet = container.automation.remediation.connectors.endpoints
    assert isinstance(fleet, InMemoryEndpointFleet)
    assert PID not in fleet.processes("dev-3")
