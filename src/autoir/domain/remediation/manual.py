"""An analyst's request for an action on an entity (``POST /api/v1/actions``), validated.

Body: ``{"actionType", "target": {"kind", ...}, "parameters": {...}, "comment",
"investigationId"}``. What each target kind needs:

============== ===============================================================
device         ``deviceId`` (``deviceName``)
file           ``deviceId`` and ``sha256`` (``filePath``, ``fileName``)
process        ``deviceId`` and ``processId`` or ``sha256``
scheduledTask  ``deviceId`` and ``name``
analyzedMessage ``networkMessageId``, or ``internetMessageId`` with ``mailbox``
mailCluster    ``clusterBy`` and ``clusterByValue``, or ``networkMessageIds``
url            ``url``
mailbox        ``mailbox``
user           ``userPrincipalName``
============== ===============================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.investigations.evidence import evidence_key
from autoir.domain.remediation.catalog import ActionType, TargetKind, spec_of

MAX_TEXT = 4096
MAX_MESSAGES = 10_000
_PARAMETERS = {
    ActionType.ISOLATE_DEVICE: {"isolationType": ("Full", "Selective")},
    ActionType.RUN_ANTIVIRUS_SCAN: {"scanType": ("Quick", "Full")},
}


@dataclass(frozen=True, slots=True)
class ManualRequest:
    """A valid manual action request."""

    action_type: ActionType
    target_kind: TargetKind
    target_key: str
    target_name: str
    properties: dict[str, Any]
    comment: str | None
    investigation_id: str | None


def _text(value: object, target: str, errors: list[FieldError], *, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            errors.append(FieldError(target, "is required"))
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        errors.append(FieldError(target, "must be a string"))
        return None
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        errors.append(FieldError(target, f"is longer than {MAX_TEXT} characters"))
        return None
    return text


class _Target:
    """Reads one target object, collecting field errors."""

    def __init__(self, raw: Mapping[str, Any], errors: list[FieldError]) -> None:
        self.raw = raw
        self.errors = errors

    def text(self, name: str, *, required: bool = True) -> str | None:
        return _text(self.raw.get(name), f"target.{name}", self.errors, required=required)

    def error(self, name: str, message: str) -> None:
        self.errors.append(FieldError(f"target.{name}", message))


_Read = tuple[str, str, dict[str, Any]]  # key, display name, properties


def _device_target(t: _Target, kind: TargetKind) -> _Read:
    device_id = (t.text("deviceId") or "").lower()
    device = t.text("deviceName", required=False) or device_id
    props: dict[str, Any] = {"deviceId": device_id, "deviceName": device}
    if kind is TargetKind.FILE:
        sha = (t.text("sha256") or "").lower()
        file_name = t.text("fileName", required=False)
        props.update(sha256=sha, filePath=t.text("filePath", required=False), fileName=file_name)
        return f"{evidence_key('file', sha)}@{device_id}", f"{file_name or sha} on {device}", props
    if kind is TargetKind.PROCESS:
        pid, image = t.text("processId", required=False), t.text("sha256", required=False)
        if pid is None and image is None:
            t.error("processId", "give processId or sha256")
        props.update(processId=pid, sha256=image.lower() if image else None)
        which = pid or image
        return f"process:{which}@{device_id}", f"process {which} on {device}", props
    if kind is TargetKind.SCHEDULED_TASK:
        task = t.text("name") or ""
        props.update(name=task)
        return f"scheduledTask:{task.lower()}@{device_id}", f"{task} on {device}", props
    return evidence_key("device", device_id), device, props


def _message_target(t: _Target, _kind: TargetKind) -> _Read:
    network_id = t.text("networkMessageId", required=False)
    internet_id = t.text("internetMessageId", required=False)
    mailbox = t.text("mailbox", required=False)
    if network_id is None and (internet_id is None or mailbox is None):
        t.error("networkMessageId", "give networkMessageId, or internetMessageId with mailbox")
    props = {
        "networkMessageIds": [network_id] if network_id else [],
        "internetMessageId": internet_id,
        "mailboxes": [mailbox.lower()] if mailbox else [],
    }
    key = evidence_key("analyzedMessage", network_id or f"{internet_id}/{mailbox}")
    return key, network_id or f"{internet_id} in {mailbox}", props


def _cluster_target(t: _Target, _kind: TargetKind) -> _Read:
    ids = t.raw.get("networkMessageIds")
    by = t.text("clusterBy", required=ids is None)
    value = t.text("clusterByValue", required=ids is None)
    if ids is not None and (
        not isinstance(ids, list)
        or not all(isinstance(i, str) and i for i in ids)
        or len(ids) > MAX_MESSAGES
    ):
        t.error("networkMessageIds", f"must be a list of up to {MAX_MESSAGES} ids")
        ids = None
    props = {"clusterBy": by, "clusterByValue": value, "networkMessageIds": list(ids or [])}
    if by:
        return evidence_key("mailCluster", f"{by}={value}"), f"{by} = {value}", props
    return (
        evidence_key("mailCluster", ",".join(sorted(ids or []))),
        f"{len(ids or [])} messages",
        props,
    )


def _single(name: str, kind: str, *, lower: bool) -> Callable[[_Target, TargetKind], _Read]:
    def read(t: _Target, _kind: TargetKind) -> _Read:
        value = t.text(name) or ""
        value = value.lower() if lower else value
        return evidence_key(kind, value), value, {name: value}

    return read


_READERS: dict[TargetKind, Callable[[_Target, TargetKind], _Read]] = {
    TargetKind.DEVICE: _device_target,
    TargetKind.FILE: _device_target,
    TargetKind.PROCESS: _device_target,
    TargetKind.SCHEDULED_TASK: _device_target,
    TargetKind.MESSAGE: _message_target,
    TargetKind.CLUSTER: _cluster_target,
    TargetKind.URL: _single("url", "url", lower=False),
    TargetKind.MAILBOX: _single("mailbox", "mailbox", lower=True),
    TargetKind.USER: _single("userPrincipalName", "user", lower=True),
}


def _action_type(body: Mapping[str, Any]) -> ActionType:
    raw_type = body.get("actionType")
    try:
        return ActionType(str(raw_type))
    except ValueError:
        allowed = ", ".join(sorted(t.value for t in ActionType))
        raise ValidationFailed(
            [FieldError("actionType", f"{raw_type!r} is not an action type ({allowed})")]
        ) from None


def _parameters(
    body: Mapping[str, Any], action_type: ActionType, errors: list[FieldError]
) -> dict[str, Any]:
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        errors.append(FieldError("parameters", "must be an object"))
        return {}
    chosen: dict[str, Any] = {}
    for parameter, allowed in _PARAMETERS.get(action_type, {}).items():
        value = parameters.get(parameter)
        if value is not None and value not in allowed:
            errors.append(
                FieldError(f"parameters.{parameter}", f"must be one of {', '.join(allowed)}")
            )
        elif value is not None:
            chosen[parameter] = value
    return chosen


def parse_manual_request(body: Mapping[str, Any]) -> ManualRequest:
    """Validate a request; every problem is reported at once, by field."""
    errors: list[FieldError] = []
    action_type = _action_type(body)
    spec = spec_of(action_type)
    if spec.undoes is not None:
        errors.append(
            FieldError(
                "actionType", f"{action_type.value} is an undo: use POST /actions/{{id}}/undo"
            )
        )
    kinds = ", ".join(sorted(k.value for k in spec.targets))
    target = body.get("target")
    if not isinstance(target, Mapping):
        raise ValidationFailed([*errors, FieldError("target", "must be an object with a kind")])
    try:
        kind = TargetKind(str(target.get("kind")))
    except ValueError:
        raise ValidationFailed(
            [*errors, FieldError("target.kind", f"must be one of {kinds}")]
        ) from None
    if kind not in spec.targets:
        errors.append(
            FieldError("target.kind", f"{action_type.value} acts on {kinds}, not {kind.value}")
        )
    key, name, props = _READERS[kind](_Target(target, errors), kind)
    props = {"kind": kind.value, **props, **_parameters(body, action_type, errors)}
    comment = _text(body.get("comment"), "comment", errors, required=False)
    investigation_id = _text(body.get("investigationId"), "investigationId", errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    return ManualRequest(action_type, kind, key, name, props, comment, investigation_id)
