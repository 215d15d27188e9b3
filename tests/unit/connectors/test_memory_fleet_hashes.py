"""The stand-in fleet's declared hashes: placeholder files found, quarantined and restored by
the SHA-256 telemetry gives them (the demo's hosts)."""

from __future__ import annotations

from autoir.connectors.memory import InMemoryEndpointFleet
from autoir.ports.remediation import CommandState, DeviceCommand, DeviceOperation

SHA = "ab" * 32
PATH = r"C:\Users\ana\AppData\Local\Temp\svcupd.exe"


def test_a_placeholder_file_is_quarantined_and_restored_by_its_declared_hash() -> None:
    fleet = InMemoryEndpointFleet()
    fleet.enroll("dev-1", files={PATH: b"placeholder"}, processes={42: PATH}, hashes={PATH: SHA})
    stop = fleet.dispatch(
        DeviceCommand("a1", "dev-1", DeviceOperation.STOP_AND_QUARANTINE_FILE, {"sha256": SHA})
    )
    assert stop.state is CommandState.SUCCEEDED
    assert stop.details["stoppedProcesses"] == [42]
    assert PATH not in fleet.files("dev-1")
    release = fleet.dispatch(
        DeviceCommand(
            "a2",
            "dev-1",
            DeviceOperation.RELEASE_FROM_QUARANTINE,
            {"quarantineIds": stop.details["quarantineIds"]},
        )
    )
    assert release.state is CommandState.SUCCEEDED
    assert fleet.files("dev-1")[PATH] == b"placeholder"
    again = fleet.dispatch(
        DeviceCommand("a3", "dev-1", DeviceOperation.STOP_AND_QUARANTINE_FILE, {"sha256": SHA})
    )
    assert again.details["quarantined"][0]["sha256"] == SHA, "the declared hash survives release"


def test_without_a_declared_hash_a_file_is_known_by_its_bytes_only() -> None:
    fleet = InMemoryEndpointFleet()
    fleet.enroll("dev-1", files={PATH: b"placeholder"}, processes={})
    stop = fleet.dispatch(
        DeviceCommand("a1", "dev-1", DeviceOperation.STOP_AND_QUARANTINE_FILE, {"sha256": SHA})
    )
    assert stop.details["quarantined"] == []
    assert PATH in fleet.files("dev-1")
