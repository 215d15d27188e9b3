"""Windows events (Sysmon, Security auditing) mapped to endpoint events."""

from __future__ import annotations

from typing import Any

import pytest

from autoir.domain.errors import FieldError
from autoir.domain.telemetry.endpoint import EndpointEventKind, parse_endpoint_event
from autoir.domain.telemetry.windows_events import endpoint_record, split_path

SYSMON = "Microsoft-Windows-Sysmon"
SECURITY = "Microsoft-Windows-Security-Auditing"


def event(provider: str, event_id: int, data: dict[str, Any], **system: Any) -> dict[str, Any]:
    body = {
        "Provider": {"#attributes": {"Name": provider}},
        "EventID": event_id,
        "TimeCreated": {"#attributes": {"SystemTime": "2026-11-20T10:00:00.123456Z"}},
        "EventRecordID": 42,
        "Channel": "Microsoft-Windows-Sysmon/Operational" if provider == SYSMON else "Security",
        "Computer": "WS-01.fabrikam.example",
        **system,
    }
    return {"Event": {"System": body, "EventData": data}}


def parsed(record: dict[str, Any] | None) -> Any:
    assert record is not None
    errors: list[FieldError] = []
    result = parse_endpoint_event(record, "event", errors)
    assert errors == []
    return result


def test_sysmon_process_creation_keeps_image_parent_user_and_sha256() -> None:
    record = endpoint_record(
        event(
            SYSMON,
            1,
            {
                "ProcessId": 4242,
                "Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                "CommandLine": "powershell -enc AAAA",
                "User": "FABRIKAM\\alice",
                "Hashes": "SHA1=AA,MD5=BB,SHA256=" + "C" * 64 + ",IMPHASH=DD",
                "ParentProcessId": 4100,
                "ParentImage": "C:\\Program Files\\Microsoft Office\\WINWORD.EXE",
                "ParentCommandLine": '"WINWORD.EXE" /n doc.docm',
            },
        )
    )
    result = parsed(record)
    assert result.kind is EndpointEventKind.PROCESS
    assert result.device_id == "ws-01.fabrikam.example"
    assert result.id == "evtx:ws-01.fabrikam.example:microsoft-windows-sysmon/operational:42"
    process = result.process
    assert (process.file_name, process.folder_path) == (
        "powershell.exe",
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
    )
    assert process.sha256 == "c" * 64
    assert (process.process_id, process.parent_process_id) == (4242, 4100)
    assert process.parent_file_name == "WINWORD.EXE"
    assert process.account == "FABRIKAM\\alice"


def test_security_4688_reads_hexadecimal_ids_and_the_creator() -> None:
    result = parsed(
        endpoint_record(
            event(
                SECURITY,
                4688,
                {
                    "SubjectUserName": "alice",
                    "SubjectDomainName": "FABRIKAM",
                    "NewProcessId": "0x1fc",
                    "NewProcessName": "C:\\Windows\\System32\\cmd.exe",
                    "ProcessId": "0x278",
                    "ParentProcessName": "C:\\Windows\\explorer.exe",
                    "CommandLine": "cmd.exe /c whoami",
                },
            )
        )
    )
    assert (result.process.process_id, result.process.parent_process_id) == (0x1FC, 0x278)
    assert result.process.parent_file_name == "explorer.exe"
    assert result.process.account == "FABRIKAM\\alice"


def test_network_file_and_logon_events() -> None:
    network = parsed(
        endpoint_record(
            event(
                SYSMON,
                3,
                {
                    "Image": "C:\\x\\beacon.exe",
                    "ProcessId": 7,
                    "Initiated": "true",
                    "SourceIp": "10.0.0.5",
                    "SourcePort": 50000,
                    "DestinationIp": "203.0.113.9",
                    "DestinationPort": 443,
                    "Protocol": "tcp",
                },
            )
        )
    )
    assert network.network.remote_ip == "203.0.113.9"
    assert network.network.remote_port == 443
    assert network.process.file_name == "beacon.exe"
    created = parsed(
        endpoint_record(
            event(SYSMON, 11, {"TargetFilename": "C:\\Users\\a\\x.ps1", "Image": "C:\\w\\cmd.exe"})
        )
    )
    assert (created.file.action.value, created.file.file_name) == ("created", "x.ps1")
    failed = parsed(
        endpoint_record(
            event(
                SECURITY,
                4625,
                {
                    "TargetUserName": "admin",
                    "TargetDomainName": "FABRIKAM",
                    "LogonType": 3,
                    "IpAddress": "198.51.100.4",
                },
            )
        )
    )
    assert (failed.logon.account, failed.logon.success, failed.logon.remote_ip) == (
        "FABRIKAM\\admin",
        False,
        "198.51.100.4",
    )


@pytest.mark.parametrize(
    "raw",
    [
        event(SECURITY, 4624, {"TargetUserName": "WS-01$", "LogonType": 3}),  # machine account
        event(SYSMON, 7, {"ImageLoaded": "C:\\x.dll"}),  # not mapped
        event(SYSMON, 1, {"Image": "C:\\a.exe"}, Computer=None),  # no device
        event(SYSMON, 3, {"Image": "C:\\a.exe"}),  # no address
        {"Event": {"System": "garbage"}},
        {},
    ],
)
def test_unmapped_or_incomplete_events_are_left_out(raw: dict[str, Any]) -> None:
    assert endpoint_record(raw) is None


def test_split_path() -> None:
    assert split_path("C:\\Windows\\cmd.exe") == ("cmd.exe", "C:\\Windows")
    assert split_path("/usr/bin/curl") == ("curl", "/usr/bin")
    assert split_path("notepad.exe") == ("notepad.exe", None)
    assert split_path(None) == (None, None)
