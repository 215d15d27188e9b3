"""Investigation pages: the list (filters, sorting, status breakdown), one investigation (graph,
tabs, cancel), the alert page's link and "Investigate" form, French; in Chromium and over HTTP.

Investigations are real: alerts are ingested, then the sweep and the runner run synchronously
(as in ``tests/api/test_investigations.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams

from autoir.bootstrap import Container
from autoir.cli.server import create_app
from autoir.ui.investigation_filters import InvestigationForm
from tests.support import alerts as A
from tests.support.pages import expect, open_page, serve

from .conftest import ANALYST, FRENCH, READER, csrf_of, login, sign_in

REPORTED = "Email reported by user as malware or phish"


def _message(network_id: str, recipient: str) -> dict[str, Any]:
    return {
        "@odata.type": A.ODATA + "analyzedMessageEvidence",
        "networkMessageId": network_id,
        "internetMessageId": f"<{network_id}@mail.example>",
        "subject": "Your mailbox is full - verify now",
        "recipientEmailAddress": recipient,
        "senderIp": "203.0.113.7",
        "p1Sender": {"emailAddress": "bounce@evil.example"},
        "p2Sender": {"emailAddress": "it-support@evil.example", "displayName": "IT Support"},
        "deliveryAction": "delivered",
        "deliveryLocation": "inbox",
        "receivedDateTime": "2025-03-03T09:15:00Z",
        "threats": ["Phish"],
        "urls": ["https://evil.example/login"],
    }


def _cluster() -> dict[str, Any]:
    return {
        "@odata.type": A.ODATA + "mailClusterEvidence",
        "clusterBy": "Subject;SenderIp",
        "clusterByValue": "Your mailbox is full - verify now;203.0.113.7",
        "emailCount": 4,
        "networkMessageIds": ["nmid-ui-1", "nmid-ui-2", "nmid-ui-3", "nmid-ui-4"],
        "countByDeliveryLocation": {"inbox": 3, "junkFolder": 1},
        "query": '(Subject:"Your mailbox is full - verify now") AND (SenderIp:"203.0.113.7")',
        "queryTime": "2025-03-03T10:00:00Z",
        "threats": ["Phish"],
        "verdict": "malicious",
    }


def _reported_phish() -> dict[str, Any]:
    return A.alert(
        title=REPORTED,
        serviceSource="microsoftDefenderForOffice365",
        detectionSource="microsoftDefenderForOffice365",
        category="InitialAccess",
        severity="high",
        evidence=[
            _message("nmid-ui-1", "bob@fabrikam.example"),
            {"@odata.type": A.ODATA + "urlEvidence", "url": "https://evil.example/login"},
            {
                "@odata.type": A.ODATA + "urlEvidence",
                "url": "https://evil.example/payload",
                "verdict": "malicious",
            },
            _cluster(),
            {
                "@odata.type": A.ODATA + "mailboxEvidence",
                "primaryAddress": "bob@fabrikam.example",
                "displayName": "Bob",
                "upn": "bob@fabrikam.example",
            },
            A.user("bob@fabrikam.example"),
        ],
    )


def _device_threat() -> dict[str, Any]:
    return A.alert(
        title="Malicious file executed on host-ui",
        category="Execution",
        severity="medium",
        evidence=[
            {**A.device("c" * 40, "host-ui.fabrikam.example"), "osPlatform": "Linux"},
            {**A.file("e" * 64, "dropper.elf"), "verdict": "malicious"},
        ],
    )


@dataclass(frozen=True)
class Seeded:
    phish: str
    phish_alert: str
    device: str
    device_alert: str
    manual: str


def _run_all(container: Container) -> list[str]:
    ids = container.automation.investigations.sweep()
    for investigation_id in ids:
        container.automation.runner.advance(investigation_id, "worker-ui")
    return ids


@pytest.fixture
def seeded(container: Container) -> Seeded:
    phish_alert, device_alert = container.ingest.ingest([_reported_phish(), _device_threat()]).ids
    _run_all(container)
    ids = container.automation.investigations.ids_for([phish_alert, device_alert])
    manual = _start_manual(container)
    return Seeded(ids[phish_alert], phish_alert, ids[device_alert], device_alert, manual)


def _start_manual(container: Container) -> str:
    from autoir.domain.access.permissions import BUILTIN_ROLES, Principal

    role = "Security operator"
    principal = Principal(ANALYST, "Ana Analyst", role, BUILTIN_ROLES[role][1])
    record = container.automation.investigations.start_manual(
        principal, {"entityType": "mailbox", "value": "carol@fabrikam.example"}
    )
    container.automation.runner.advance(record.id, "worker-ui")
    return record.id


# --- The filter form ---------------------------------------------------------------------------


def test_form_writes_the_api_filter() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
    form = InvestigationForm.from_params(
        QueryParams("status=pendingAction&status=bogus&type=manual&created=24h&q=phish")
    )
    assert form.odata_filter(now) == (
        "status eq 'pendingAction' and investigationType eq 'manual' and createdDateTime ge "
        "2025-03-02T12:00:00Z and contains(displayName, 'phish')"
    )
    assert form.url() == ("/investigations?status=pendingAction&type=manual&created=24h&q=phish")
    assert form.sort_url("threatCount").endswith("orderby=threatCount+desc")
    by_id = InvestigationForm.from_params(QueryParams("q=0192ABCD-0000&created=any"))
    assert by_id.odata_filter(now) == (
        "(id eq '0192abcd-0000' or contains(displayName, '0192ABCD-0000'))"
    )
    assert InvestigationForm.from_params(QueryParams("orderby=evil desc")).orderby == (
        "createdDateTime desc"
    )


# --- Over HTTP ---------------------------------------------------------------------------------


def test_list_shows_investigations_and_filters_by_status(
    analyst: TestClient, seeded: Seeded
) -> None:
    page = analyst.get("/investigations")
    assert page.status_code == 200
    for investigation_id in (seeded.phish, seeded.device, seeded.manual):
        assert f"/investigations/{investigation_id}" in page.text
    assert "3</strong> investigations" in page.text
    assert "Investigations by status" in page.text
    manual_only = analyst.get("/investigations?type=manual")
    assert f"/investigations/{seeded.manual}" in manual_only.text
    assert f"/investigations/{seeded.phish}" not in manual_only.text
    assert "investigationType eq &#39;manual&#39;" in manual_only.text


def test_investigation_page_has_every_tab_and_the_graph_data(
    analyst: TestClient, seeded: Seeded
) -> None:
    page = analyst.get(f"/investigations/{seeded.phish}")
    assert page.status_code == 200
    html = page.text
    for tab in ("alerts", "emails", "identities", "devices", "evidence", "entities", "log"):
        assert f'id="tab-{tab}"' in html
    assert 'id="graph-data"' in html
    assert "https://evil.example/payload" in html
    assert "Subject;SenderIp" in html
    assert "Block URL" in html
    assert "Cancel investigation" in html
    assert "No device in this investigation." in html


def test_reader_sees_no_cancel_button_and_cannot_cancel(client: TestClient, seeded: Seeded) -> None:
    assert login(client, READER).status_code == 303
    page = client.get(f"/investigations/{seeded.phish}")
    assert page.status_code == 200
    assert "Cancel investigation" not in page.text
    token = csrf_of(page.text)
    refused = client.post(f"/investigations/{seeded.phish}/cancel", data={"csrf_token": token})
    assert refused.status_code == 403


def test_cancel_needs_the_csrf_token_and_a_final_investigation_says_why(
    analyst: TestClient, csrf: str, seeded: Seeded
) -> None:
    assert analyst.post(f"/investigations/{seeded.phish}/cancel").status_code == 403
    done = analyst.post(f"/investigations/{seeded.phish}/cancel", data={"csrf_token": csrf})
    assert done.status_code == 303
    page = analyst.get(done.headers["location"])
    assert "Terminated by user" in page.text
    again = analyst.post(f"/investigations/{seeded.phish}/cancel", data={"csrf_token": csrf})
    assert again.status_code == 422
    assert "could not be cancelled" in again.text


def test_alert_page_links_to_its_investigation_and_starts_one(
    analyst: TestClient, csrf: str, seeded: Seeded, container: Container
) -> None:
    page = analyst.get(f"/alerts/{seeded.phish_alert}")
    assert f'href="/investigations/{seeded.phish}"' in page.text
    assert 'value="email:nmid-ui-1"' in page.text
    started = analyst.post(
        "/investigations", data={"csrf_token": csrf, "entity": "mailbox:bob@fabrikam.example"}
    )
    assert started.status_code == 303
    new_id = started.headers["location"].split("/")[-1].split("?")[0]
    record = container.automation.investigations.get(new_id).record
    assert record.investigation_type.value == "manual"
    assert record.created_by == ANALYST
    bad = analyst.post("/investigations", data={"csrf_token": csrf, "entity": "printer:x"})
    assert bad.status_code == 422


def test_unknown_investigation_is_a_404_page(analyst: TestClient) -> None:
    page = analyst.get("/investigations/no-such-id")
    assert page.status_code == 404
    assert "Not found" in page.text


# --- In Chromium -------------------------------------------------------------------------------


@pytest.fixture
def server_url(container: Container, seeded: Seeded) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


@pytest.fixture
def page(browser: Any, server_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    with open_page(browser, server_url, request.node.name) as tab:
        yield tab


def test_browser_list_filters_and_opens_with_the_keyboard(page: Any, seeded: Seeded) -> None:
    sign_in(page)
    page.goto("/investigations")
    rows = page.locator("table.grid tbody tr[data-href]")
    assert rows.count() == 3
    assert page.locator(".stacked-part").count() >= 2
    page.locator("summary", has_text="Type").click()
    page.check("input[name=type][value=deviceThreat]")
    page.wait_for_url(re.compile(r"type=deviceThreat"))
    expect(rows).to_have_count(1)
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(re.compile(f"/investigations/{seeded.device}"))
    assert "Malicious file executed" in page.locator("h1").inner_text()


def test_browser_graph_tabs_and_node_selection(page: Any, seeded: Seeded) -> None:
    sign_in(page)
    page.goto(f"/investigations/{seeded.phish}")
    page.wait_for_selector("#investigation-graph[data-drawn]")
    nodes = int(page.get_attribute("#investigation-graph", "data-node-count"))
    assert nodes >= 6
    assert page.locator("#investigation-graph canvas").count() >= 1
    # A click on the malicious URL's node selects its evidence row.
    key = "url:https://evil.example/payload"
    point = page.evaluate(
        "key => { const p = window.autoirGraph.getElementById(key).renderedPosition();"
        " return {x: p.x, y: p.y}; }",
        key,
    )
    box = page.locator("#investigation-graph").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    selected = page.locator("#tab-evidence tr.is-selected")
    selected.wait_for()
    assert selected.get_attribute("data-node") == key
    assert page.locator("#tab-evidence").is_visible()
    assert page.url.endswith("#tab-evidence")
    assert selected.locator(".reason-code").count() >= 1
    # Keyboard: arrows move between tabs; every tab shows its data.
    page.locator('[role=tab][aria-controls="tab-evidence"]').focus()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#tab-devices").is_visible()
    assert "No device in this investigation." in page.locator("#tab-devices").inner_text()
    page.keyboard.press("Home")
    assert page.locator("#tab-alerts").is_visible()
    assert REPORTED in page.locator("#tab-alerts").inner_text()
    page.keyboard.press("End")
    assert "Block URL" in page.locator("#tab-actions").inner_text()
    page.keyboard.press("ArrowLeft")
    log = page.locator("#tab-log").inner_text()
    assert "evidence" in log
    assert "analysis" in log
    page.keyboard.press("ArrowLeft")
    assert "Email message" in page.locator("#tab-entities").inner_text()
    page.goto(f"/investigations/{seeded.phish}#tab-emails")
    emails = page.locator("#tab-emails")
    assert emails.is_visible()
    assert "Subject;SenderIp" in emails.inner_text()
    assert "Junk folder" in emails.inner_text()
    page.goto(f"/investigations/{seeded.phish}#tab-identities")
    assert "bob@fabrikam.example" in page.locator("#tab-identities").inner_text()


def test_browser_cancel_and_alert_link(page: Any, seeded: Seeded) -> None:
    sign_in(page)
    page.goto(f"/alerts/{seeded.device_alert}")
    page.click("#alert-investigation-link")
    page.wait_for_url(re.compile(f"/investigations/{seeded.device}"))
    page.wait_for_selector("#investigation-graph[data-drawn]")
    page.goto(f"/investigations/{seeded.device}#tab-devices")
    assert "host-ui.fabrikam.example" in page.locator("#tab-devices").inner_text()
    page.click("#cancel-investigation")
    page.wait_for_url(re.compile(r"cancelled=1"))
    assert page.locator(".entity-title .inv-status").inner_text() == "Terminated by user"
    assert page.locator("#cancel-investigation").count() == 0


def test_browser_investigate_from_the_alert_page(page: Any, seeded: Seeded) -> None:
    sign_in(page)
    page.goto(f"/alerts/{seeded.phish_alert}")
    page.select_option("#investigate-entity", "mailbox:bob@fabrikam.example")
    page.click(".investigate-form button[type=submit]")
    page.wait_for_url(re.compile(r"/investigations/[^/?]+\?started=1"))
    assert "Started by an analyst" in page.locator(".entity-head").inner_text()
    assert page.locator("#tab-alerts .empty-tab").is_visible()


def test_browser_french(page: Any, seeded: Seeded) -> None:
    sign_in(page, FRENCH)
    page.goto("/investigations")
    assert page.locator("h1").inner_text() == "Investigations"
    assert "Action en attente" in page.locator("table.grid").inner_text()
    page.goto(f"/investigations/{seeded.phish}")
    page.wait_for_selector("#investigation-graph[data-drawn]")
    assert (
        page.locator('[role=tab][aria-controls="tab-evidence"]').inner_text().startswith("Preuves")
    )
    assert "Annuler l\u2019investigation" in page.locator("#cancel-investigation").inner_text()
