r"""Windows event log records (Sysmon and Security auditing) as AutoIR endpoint events.

Input: one event as the EVTX parser renders it to JSON — ``{"Event": {"System": {...},
"EventData": {...}}}``. Output: the ``endpointEvents`` ingest record (``docs/telemetry.md``), or
None for events that carry no endpoint activity AutoIR uses. Mapped:

| source | event | kind |
|---|---|---|
| Sysmon | 1 process create | ``process`` (image, command line, parent, user, ``Hashes``) |
| Sysmon | 3 network connection | ``network`` (remote = destination of an initiated connection) |
| Sysmon | 11 file create, 23/26 file delete | ``file`` |
| Security | 4688 process creation | ``process`` (ids are hexadecimal; parent name on Windows 10+) |
| Security | 4624 / 4625 logon success / failure | ``logon`` (machine accounts ``NAME$`` skipped) |

The device is the ``Computer`` name in lower case (event logs carry no agent id). Each record's
id is derived from computer, channel and ``EventRecordID``, so importing a file twice stores its
events once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

SYSMON = "microsoft-windows-sysmon"
SECURITY = "microsoft-windows-security-auditing"
_HASH = re.compile(r"(?:^|,)\s*SHA256=([0-9A-Fa-f]{64})")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("#text")
    text = str(value).strip() if value is not None else ""
    return text if text and text != "-" else None


def _number(value: object, base: int = 10) -> int | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return int(text, 16 if text.lower().startswith("0x") else base)
    except ValueError:
        return None


def split_path(path: str | None) -> tuple[str | None, str | None]:
    r"""``C:\Windows\System32\cmd.exe`` → (``cmd.exe``, ``C:\Windows\System32``)."""
    if not path:
        return None, None
    cut = max(path.rfind("\\"), path.rfind("/"))
    if cut < 0:
        return path, None
    return path[cut + 1 :] or None, path[:cut] or None


def _sha256(hashes: str | None) -> str | None:
    match = _HASH.search(hashes or "")
    return match.group(1).lower() if match else None


def _account(domain: str | None, user: str | None) -> str | None:
    if not user:
        return None
    return f"{domain}\\{user}" if domain else user


def _process(data: Mapping[str, Any], *, image_key: str, parent_key: str) -> dict[str, Any]:
    name, folder = split_path(_text(data.get(image_key)))
    parent_name, _ = split_path(_text(data.get(parent_key)))
    return {
        "fileName": name,
        "folderPath": folder,
        "commandLine": _text(data.get("CommandLine")) or "",
        "parentFileName": parent_name,
        "parentCommandLine": _text(data.get("ParentCommandLine")) or "",
        "sha256": _sha256(_text(data.get("Hashes"))),
    }


def _sysmon_process(data: Mapping[str, Any]) -> dict[str, Any]:
    process = _process(data, image_key="Image", parent_key="ParentImage")
    process["processId"] = _number(data.get("ProcessId"))
    process["parentProcessId"] = _number(data.get("ParentProcessId"))
    process["accountName"] = _text(data.get("User"))
    return {"kind": "process", "process": process}


def _security_process(data: Mapping[str, Any]) -> dict[str, Any]:
    process = _process(data, image_key="NewProcessName", parent_key="ParentProcessName")
    process["processId"] = _number(data.get("NewProcessId"), 16)
    process["parentProcessId"] = _number(data.get("ProcessId"), 16)
    user = _text(data.get("TargetUserName"))
    if not user or user.endswith("$"):
        user = _text(data.get("SubjectUserName"))
    process["accountName"] = _account(_text(data.get("SubjectDomainName")), user)
    return {"kind": "process", "process": process}


def _acting(data: Mapping[str, Any]) -> dict[str, Any]:
    name, folder = split_path(_text(data.get("Image")))
    return {"fileName": name, "folderPath": folder, "processId": _number(data.get("ProcessId"))}


def _network(data: Mapping[str, Any]) -> dict[str, Any] | None:
    initiated = str(_text(data.get("Initiated")) or "true").lower() == "true"
    remote, local = ("Destination", "Source") if initiated else ("Source", "Destination")
    remote_ip = _text(data.get(f"{remote}Ip"))
    if remote_ip is None:
        return None
    return {
        "kind": "network",
        "actionType": "ConnectionSuccess" if initiated else "InboundConnectionAccepted",
        "network": {
            "remoteIp": remote_ip,
            "remotePort": _number(data.get(f"{remote}Port")),
            "remoteUrl": _text(data.get(f"{remote}Hostname")),
            "localIp": _text(data.get(f"{local}Ip")),
            "localPort": _number(data.get(f"{local}Port")),
            "protocol": _text(data.get("Protocol")),
        },
        "process": _acting(data),
    }


def _file(action: str) -> Callable[[Mapping[str, Any]], dict[str, Any] | None]:
    def convert(data: Mapping[str, Any]) -> dict[str, Any] | None:
        name, folder = split_path(_text(data.get("TargetFilename")))
        if name is None and folder is None:
            return None
        return {
            "kind": "file",
            "file": {
                "action": action,
                "fileName": name,
                "folderPath": folder,
                "sha256": _sha256(_text(data.get("Hashes"))),
            },
            "process": _acting(data),
        }

    return convert


def _logon(*, success: bool) -> Callable[[Mapping[str, Any]], dict[str, Any] | None]:
    def convert(data: Mapping[str, Any]) -> dict[str, Any] | None:
        user = _text(data.get("TargetUserName"))
        if user is None or user.endswith("$"):
            return None
        return {
            "kind": "logon",
            "logon": {
                "accountName": _account(_text(data.get("TargetDomainName")), user),
                "success": success,
                "logonType": _text(data.get("LogonType")),
                "remoteIp": _ip(_text(data.get("IpAddress"))),
            },
        }

    return convert


def _ip(value: str | None) -> str | None:
    return None if value in {None, "::1", "127.0.0.1", "0.0.0.0"} else value  # noqa: S104 - compared, not bound


_Converter = Callable[[Mapping[str, Any]], dict[str, Any] | None]
_CONVERTERS: dict[tuple[str, int], _Converter] = {
    (SYSMON, 1): _sysmon_process,
    (SYSMON, 3): _network,
    (SYSMON, 11): _file("created"),
    (SYSMON, 23): _file("deleted"),
    (SYSMON, 26): _file("deleted"),
    (SECURITY, 4688): _security_process,
    (SECURITY, 4624): _logon(success=True),
    (SECURITY, 4625): _logon(success=False),
}
SUPPORTED = frozenset(_CONVERTERS)


def endpoint_record(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``endpointEvents`` ingest record of one Windows event, or None when not mapped."""
    body = event.get("Event") if isinstance(event.get("Event"), Mapping) else event
    if not isinstance(body, Mapping):
        return None
    system = body.get("System")
    data = body.get("EventData")
    if not isinstance(system, Mapping) or not isinstance(data, Mapping):
        return None
    provider = system.get("Provider") or {}
    attributes = provider.get("#attributes") if isinstance(provider, Mapping) else None
    name = str((attributes or {}).get("Name") or "").lower()
    event_id = _number(system.get("EventID"))
    converter = _CONVERTERS.get((name, event_id or 0))
    computer = (_text(system.get("Computer")) or "").lower()
    created = system.get("TimeCreated") or {}
    when = (
        (created.get("#attributes") or {}).get("SystemTime")
        if isinstance(created, Mapping)
        else None
    )
    if converter is None or not computer or not when:
        return None
    record = converter(data)
    if record is None:
        return None
    channel = _text(system.get("Channel")) or name
    record_id = _text(system.get("EventRecordID")) or ""
    record.update(
        {
            "id": f"evtx:{computer}:{channel.lower()}:{record_id}",
            "deviceId": computer,
            "deviceName": computer,
            "timestamp": str(when),
        }
    )
    return record
