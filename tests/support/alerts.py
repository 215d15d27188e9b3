"""Alert payloads in the Graph shape, for tests."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
_counter = itertools.count(1)

ODATA = "#microsoft.graph.security."


def device(device_id: str = "a" * 40, name: str | None = None) -> dict[str, Any]:
    name = name or f"host-{device_id[:8]}.fabrikam.example"
    return {
        "@odata.type": ODATA + "deviceEvidence",
        "mdeDeviceId": device_id,
        "deviceDnsName": name,
        "roles": [],
        "verdict": "unknown",
        "remediationStatus": "none",
    }


def user(upn: str = "alice@fabrikam.example") -> dict[str, Any]:
    return {
        "@odata.type": ODATA + "userEvidence",
        "userAccount": {"accountName": upn.split("@", maxsplit=1)[0], "userPrincipalName": upn},
    }


def file(sha256: str = "f" * 64, name: str = "evil.exe") -> dict[str, Any]:
    return {
        "@odata.type": ODATA + "fileEvidence",
        "fileDetails": {"fileName": name, "sha256": sha256, "sha1": "1" * 40},
    }


def ip(address: str) -> dict[str, Any]:
    return {"@odata.type": ODATA + "ipEvidence", "ipAddress": address}


def alert(**overrides: Any) -> dict[str, Any]:
    """A valid endpoint alert with a unique providerAlertId unless overridden."""
    body: dict[str, Any] = {
        "providerAlertId": f"p-{next(_counter)}",
        "serviceSource": "microsoftDefenderForEndpoint",
        "detectionSource": "microsoftDefenderForEndpoint",
        "detectorId": "7f1c3609-a3ff-40e2-995b-c01770161d68",
        "title": "Suspicious PowerShell command line",
        "severity": "medium",
        "category": "Execution",
        "evidence": [device()],
    }
    body.update(overrides)
    return body


def sample(name: str) -> dict[str, Any]:
    """A real Graph alert from the shared datasets (skips the test when they are absent)."""
    import pytest

    path = DATASETS / "alerts" / "microsoft_graph_security" / name
    if not path.exists():
        pytest.skip(f"dataset {path} is not available")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
