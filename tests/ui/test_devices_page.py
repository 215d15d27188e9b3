"""The Devices page (``/devices``): the read-only inventory of enrolled agents.

Over HTTP: the empty state (how to enrol a host), two hosts enrolled through ``container.agents``
listed with their names, IP addresses, users and health, the counts by health, inactive after
three missed heartbeats, paging, French, and a user without the read permission refused.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from autoir.bootstrap import Container, build
from autoir.domain.access.permissions import BUILTIN_ROLES, Principal
from autoir.settings import Settings
from autoir.ui.routes.devices_page import PAGE_SIZE
from tests.support.clock import FakeClock

from .conftest import FRENCH, PASSWORD, READER, login

ADMIN = "Security administrator"
NO_READ = "nobody@fabrikam.example"


@pytest.fixture
def container(tmp_path: Path, seeded_data_dir: Path, clock: FakeClock) -> Iterator[Container]:
    """The UI tests' seeded data directory, on the fake clock."""
    data_dir = tmp_path / "data"
    shutil.copytree(seeded_data_dir, data_dir)
    built = build(Settings(data_dir=data_dir), clock=clock)
    yield built
    built.close()


@pytest.fixture
def reader(client: TestClient) -> TestClient:
    assert login(client, READER).status_code == 303
    return client


def admin() -> Principal:
    return Principal("ada@fabrikam.example", "Ada Admin", ADMIN, BUILTIN_ROLES[ADMIN][1])


def enroll(container: Container, hostname: str, machine_id: str, **beat: Any) -> dict[str, Any]:
    """Enrol a host with a fresh token, then send one heartbeat with ``beat``'s facts."""
    _, secret = container.agents.issue_token(admin())
    enrolled = container.agents.enroll(
        {
            "token": secret,
            "hostname": hostname,
            "osPlatform": "Linux",
            "osVersion": "Debian GNU/Linux 12 (bookworm)",
            "agentVersion": "1.0.0",
            "machineId": machine_id,
        }
    )
    if beat:
        container.agents.heartbeat(
            enrolled["credential"], {"deviceId": enrolled["deviceId"], **beat}
        )
    return enrolled


@pytest.fixture
def two_hosts(container: Container, clock: FakeClock) -> list[dict[str, Any]]:
    web = enroll(
        container,
        "web-01.fabrikam.example",
        "a" * 32,
        osBuild="6.1.0-27-amd64",
        agentVersion="1.0.1",
        ipInterfaces=["10.231.0.10", "fe80::1"],
        loggedOnUsers=["alice", "FABRIKAM\\bob"],
    )
    clock.advance(seconds=30)
    db = enroll(container, "db-01.fabrikam.example", "b" * 32, ipInterfaces=["10.231.0.20"])
    return [web, db]


def node(html: str, selector: str) -> Node:
    found = HTMLParser(html).css_first(selector)
    assert found is not None, f"nothing matches {selector}"
    return found


def rows(html: str) -> list[Node]:
    return list(HTMLParser(html).css("#device-table tbody tr"))


def row_of(html: str, device_id: str) -> Node:
    return node(html, f'#device-table tr[data-device-id="{device_id}"]')


def test_no_device_says_how_to_enrol_a_host(reader: TestClient) -> None:
    page = reader.get("/devices")
    assert page.status_code == 200
    assert node(page.text, "h1").text() == "Devices"
    assert node(page.text, ".nav-link.is-active").attributes["href"] == "/devices"
    assert "Not available yet" not in page.text
    empty = node(page.text, ".device-empty").text()
    assert "No device is enrolled yet" in empty
    assert "autoir agents token create" in empty
    assert "autoir-agent enroll --server" in empty
    assert "--token" in empty
    assert "--ca-file" in empty
    assert "Enrolling a Linux host" in empty
    assert HTMLParser(page.text).css_first("#device-table") is None


def test_enrolled_devices_are_listed_with_their_facts_and_health(
    reader: TestClient, two_hosts: list[dict[str, Any]]
) -> None:
    page = reader.get("/devices")
    assert page.status_code == 200
    web_id, db_id = (h["deviceId"] for h in two_hosts)
    # Most recently seen first.
    assert [r.attributes["data-device-id"] for r in rows(page.text)] == [db_id, web_id]
    web = row_of(page.text, web_id)
    assert "web-01.fabrikam.example" in web.text()
    assert [li.text() for li in web.css("td.device-list li")] == [
        "10.231.0.10",
        "fe80::1",
        "alice",
        "FABRIKAM\\bob",
    ]
    assert node(web.html or "", ".health").text().strip() == "Active"
    assert "health-active" in (node(web.html or "", ".health").attributes["class"] or "")
    assert "Debian GNU/Linux 12 (bookworm)" in web.text()
    assert "6.1.0-27-amd64" in web.text()
    assert "1.0.1" in web.text()
    assert "30 s ago" in web.text()
    db = row_of(page.text, db_id)
    assert "db-01.fabrikam.example" in db.text()
    assert "10.231.0.20" in db.text()
    assert "Active" in db.text()
    assert node(page.text, "#count-active").text() == "2"
    assert node(page.text, "#count-inactive").text() == "0"
    assert HTMLParser(page.text).css_first(".device-empty") is None


def test_a_device_is_inactive_after_three_missed_heartbeats(
    reader: TestClient, container: Container, clock: FakeClock, two_hosts: list[dict[str, Any]]
) -> None:
    interval = container.agents.heartbeat_seconds
    web, db = two_hosts
    # The web host's last heartbeat is 30 s older than the db host's.
    clock.advance(seconds=3 * interval - 15)
    page = reader.get("/devices")
    assert "health-inactive" in (
        node(row_of(page.text, web["deviceId"]).html or "", ".health").attributes["class"] or ""
    )
    assert "Inactive" in row_of(page.text, web["deviceId"]).text()
    assert "Active" in row_of(page.text, db["deviceId"]).text()
    assert node(page.text, "#count-active").text() == "1"
    assert node(page.text, "#count-inactive").text() == "1"

    clock.advance(seconds=30)
    page = reader.get("/devices")
    assert node(page.text, "#count-active").text() == "0"
    assert node(page.text, "#count-inactive").text() == "2"


def test_the_inventory_pages_with_page(reader: TestClient, container: Container) -> None:
    for n in range(PAGE_SIZE + 2):
        enroll(container, f"host-{n:03d}.fabrikam.example", f"{n:032x}")
    first = reader.get("/devices")
    assert len(rows(first.text)) == PAGE_SIZE
    assert node(first.text, ".pager a[rel=next]").attributes["href"] == "/devices?page=2"
    assert HTMLParser(first.text).css_first(".pager a[rel=prev]") is None
    second = reader.get("/devices?page=2")
    assert len(rows(second.text)) == 2
    assert node(second.text, ".pager a[rel=prev]").attributes["href"] == "/devices?page=1"
    assert "51\u201352 of 52" in node(second.text, ".pager-count").text()
    assert node(second.text, "#count-active").text() == str(PAGE_SIZE + 2)
    # Past the end or not a number: the last page or the first.
    assert len(rows(reader.get("/devices?page=9").text)) == 2
    assert len(rows(reader.get("/devices?page=x").text)) == PAGE_SIZE


def test_the_page_is_in_french(
    client: TestClient, clock: FakeClock, two_hosts: list[dict[str, Any]]
) -> None:
    assert login(client, FRENCH).status_code == 303
    clock.advance(seconds=3600)
    page = client.get("/devices")
    assert page.status_code == 200
    assert node(page.text, "h1").text() == "Appareils"
    assert "Vu pour la dernière fois" in page.text
    assert "Utilisateurs connectés" in page.text
    assert "Inactif" in page.text
    assert "il y a 1 h 00 min" in page.text


def test_the_empty_state_is_in_french(client: TestClient) -> None:
    assert login(client, FRENCH).status_code == 303
    page = client.get("/devices")
    empty = node(page.text, ".device-empty").text()
    assert "Aucun appareil n\u2019est encore inscrit" in empty
    assert "autoir agents token create" in empty


def test_a_user_without_the_read_permission_is_refused(
    client: TestClient, container: Container
) -> None:
    container.access.create_role("Mail flow only", ["settings"], "No security data.")
    container.access.create_user(NO_READ, PASSWORD, "Mail flow only", "Nina Noread")
    assert login(client, NO_READ).status_code == 303
    assert client.get("/devices").status_code == 403


def test_a_visitor_without_a_session_is_sent_to_log_in(client: TestClient) -> None:
    page = client.get("/devices")
    assert page.status_code in (302, 303, 307)
    assert page.headers["location"].startswith("/login")
