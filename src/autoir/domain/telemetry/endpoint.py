"""Endpoint events: process, file, network and logon activity reported by devices.

Shaped after Defender's ``DeviceProcessEvents``/``DeviceFileEvents``/``DeviceNetworkEvents``/
``DeviceLogonEvents``: a header (device, time, kind, action type) and one detail object per
kind; file, network and logon events may also name the process that caused them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from autoir.domain.errors import FieldError
from autoir.domain.telemetry.kinds import TelemetryKind
from autoir.domain.telemetry.normalize import content_id
from autoir.domain.telemetry.reader import FieldReader
from autoir.domain.timestamps import format_timestamp

MAX_PID = 2**63 - 1


class EndpointEventKind(StrEnum):
    """Which detail object an event carries."""

    PROCESS = "process"
    FILE = "file"
    NETWORK = "network"
    LOGON = "logon"


class FileAction(StrEnum):
    """What happened to a file."""

    CREATED = "created"
    MODIFIED = "modified"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class ProcessDetails:
    """A process: the one created (process events) or the one acting (other kinds)."""

    file_name: str | None = None
    folder_path: str | None = None
    sha256: str | None = None
    command_line: str = ""
    process_id: int | None = None
    parent_process_id: int | None = None
    parent_file_name: str | None = None
    parent_command_line: str = ""
    account: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as camelCase JSON."""
        return {
            "fileName": self.file_name,
            "folderPath": self.folder_path,
            "sha256": self.sha256,
            "commandLine": self.command_line,
            "processId": self.process_id,
            "parentProcessId": self.parent_process_id,
            "parentFileName": self.parent_file_name,
            "parentCommandLine": self.parent_command_line,
            "accountName": self.account,
        }


@dataclass(frozen=True, slots=True)
class FileDetails:
    """A file that was created, modified or deleted."""

    action: FileAction
    file_name: str | None = None
    folder_path: str | None = None
    sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as camelCase JSON."""
        return {
            "action": self.action.value,
            "fileName": self.file_name,
            "folderPath": self.folder_path,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class NetworkDetails:
    """A connection."""

    remote_ip: str | None = None
    remote_port: int | None = None
    remote_url: str | None = None
    local_ip: str | None = None
    local_port: int | None = None
    protocol: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as camelCase JSON."""
        return {
            "localIp": self.local_ip,
            "localPort": self.local_port,
            "remoteIp": self.remote_ip,
            "remotePort": self.remote_port,
            "remoteUrl": self.remote_url,
            "protocol": self.protocol,
        }


@dataclass(frozen=True, slots=True)
class LogonDetails:
    """A logon attempt on the device."""

    account: str
    success: bool
    logon_type: str | None = None
    remote_ip: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as camelCase JSON."""
        return {
            "accountName": self.account,
            "logonType": self.logon_type,
            "remoteIp": self.remote_ip,
            "success": self.success,
        }


@dataclass(frozen=True, slots=True)
class EndpointEvent:
    """One event on one device. ``device_id`` is lower case."""

    id: str
    device_id: str
    time: datetime
    kind: EndpointEventKind
    action_type: str
    device_name: str | None = None
    process: ProcessDetails | None = None
    file: FileDetails | None = None
    network: NetworkDetails | None = None
    logon: LogonDetails | None = None

    @property
    def sha256(self) -> str | None:
        """The hash the event is about: the file for file events, else the process image."""
        if self.file is not None and self.file.sha256:
            return self.file.sha256
        return self.process.sha256 if self.process is not None else None

    def to_json(self) -> dict[str, Any]:
        """The event in its ingest format."""
        body: dict[str, Any] = {
            "id": self.id,
            "deviceId": self.device_id,
            "deviceName": self.device_name,
            "timestamp": format_timestamp(self.time),
            "kind": self.kind.value,
            "actionType": self.action_type,
        }
        for name, detail in (
            ("process", self.process),
            ("file", self.file),
            ("network", self.network),
            ("logon", self.logon),
        ):
            if detail is not None:
                body[name] = detail.to_json()
        return body


def _process(r: FieldReader | None) -> ProcessDetails | None:
    if r is None:
        return None
    return ProcessDetails(
        file_name=r.string("fileName", max_length=1024),
        folder_path=r.string("folderPath"),
        sha256=r.sha256("sha256"),
        command_line=r.text("commandLine", max_length=32 * 1024),
        process_id=r.integer("processId", maximum=MAX_PID),
        parent_process_id=r.integer("parentProcessId", maximum=MAX_PID),
        parent_file_name=r.string("parentFileName", max_length=1024),
        parent_command_line=r.text("parentCommandLine", max_length=32 * 1024),
        account=r.string("accountName", max_length=512),
    )


def _file(r: FieldReader | None) -> FileDetails | None:
    if r is None:
        return None
    action = r.enum("action", FileAction)
    r.require("action", action)
    name = r.string("fileName", max_length=1024)
    path = r.string("folderPath")
    if name is None and path is None:
        r.fail("fileName", "a file needs fileName or folderPath")
    return FileDetails(
        action=action or FileAction.CREATED,
        file_name=name,
        folder_path=path,
        sha256=r.sha256("sha256"),
    )


def _network(r: FieldReader | None) -> NetworkDetails | None:
    if r is None:
        return None
    details = NetworkDetails(
        remote_ip=r.ip("remoteIp"),
        remote_port=r.integer("remotePort", maximum=65535),
        remote_url=r.string("remoteUrl", max_length=8192),
        local_ip=r.ip("localIp"),
        local_port=r.integer("localPort", maximum=65535),
        protocol=r.string("protocol", max_length=32),
    )
    if details.remote_ip is None and details.remote_url is None and r.ok:
        r.fail("remoteIp", "a connection needs remoteIp or remoteUrl")
    return details


def _logon(r: FieldReader | None) -> LogonDetails | None:
    if r is None:
        return None
    account = r.string("accountName", max_length=512)
    r.require("accountName", account)
    success = r.boolean("success")
    r.require("success", success)
    return LogonDetails(
        account=account or "",
        success=bool(success),
        logon_type=r.string("logonType", max_length=64),
        remote_ip=r.ip("remoteIp"),
    )


def _default_action(
    event_kind: EndpointEventKind, file: FileDetails | None, logon: LogonDetails | None
) -> str:
    if event_kind is EndpointEventKind.FILE and file is not None:
        return "File" + file.action.value.capitalize()
    if event_kind is EndpointEventKind.LOGON and logon is not None:
        return "LogonSuccess" if logon.success else "LogonFailed"
    if event_kind is EndpointEventKind.NETWORK:
        return "ConnectionSuccess"
    return "ProcessCreated"


def parse_endpoint_event(
    payload: object, target: str, errors: list[FieldError]
) -> EndpointEvent | None:
    """Check one endpoint event; return the record, or None after appending its field errors."""
    if not isinstance(payload, dict):
        errors.append(FieldError(target, "must be a JSON object"))
        return None
    r = FieldReader(payload, target, errors)
    event_id = r.string("id", max_length=128)
    device_id = r.string("deviceId", max_length=128)
    r.require("deviceId", device_id)
    time = r.time("timestamp")
    r.require("timestamp", time)
    event_kind = r.enum("kind", EndpointEventKind)
    r.require("kind", event_kind)
    action_type = r.string("actionType", max_length=64)
    device_name = r.string("deviceName", max_length=256)
    process = _process(r.child("process"))
    file = _file(r.child("file"))
    network = _network(r.child("network"))
    logon = _logon(r.child("logon"))
    details = {
        EndpointEventKind.PROCESS: process,
        EndpointEventKind.FILE: file,
        EndpointEventKind.NETWORK: network,
        EndpointEventKind.LOGON: logon,
    }
    if (
        event_kind is not None
        and details[event_kind] is None
        and r.payload.get(event_kind.value) is None
    ):
        r.fail(event_kind.value, f"is required for a {event_kind.value} event")
    if not r.ok or device_id is None or time is None or event_kind is None:
        return None
    device = device_id.strip().lower()
    event = EndpointEvent(
        id=event_id.strip() if event_id else "",
        device_id=device,
        time=time,
        kind=event_kind,
        action_type=action_type or _default_action(event_kind, file, logon),
        device_name=device_name,
        process=process,
        file=file,
        network=network,
        logon=logon,
    )
    if event.id:
        return event
    body = event.to_json()
    parts = tuple(str(body[k]) for k in sorted(body))
    return replace(event, id=content_id(TelemetryKind.ENDPOINT_EVENTS, parts))
