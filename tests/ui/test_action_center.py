"""The Action Center in the web UI: Pending and History, approve/reject with a comment, undo,
cancel, one action's page, the investigation page's Actions tab, the "Take action" menus, French,
the reader's read-only view and the shortcuts; in Chromium against the real server and over HTTP.

Actions are real: a phishing campaign is ingested as telemetry and delivered to in-memory
mailboxes, a user report starts an investigation (sweep + runner, as in
``tests/api/test_action_center.py``), and the test runs the executor where workers would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams

from autoir.bootstrap import Container
from autoir.cli.server import create_app
from autoir.connectors.memory import InMemoryEmailSystem, InMemoryEndpointFleet
from autoir.domain.access.permissions import Permission, Principal
from autoir.domain.remediation.catalog import ActionType
from autoir.domain.remediation.lifecycle import ActionSource, ActionStatus
from autoir.services.telemetry_ingest import parse_kind
from autoir.ui.action_filters import ActionForm
from autoir.ui.labels import ACTION_SOURCE, ACTION_STATUS, ACTION_TYPE
from tests.support import alerts as A
from tests.support import telemetry as T
from tests.support.pages import SCREENSHOTS, expect, open_page, serve

from .conftest import ANALYST, FRENCH, READER, csrf_of, login, sign_in

ANALYST_PRINCIPAL = Principal("analyst", "Analyst", "Security administrator", frozenset(Permission))

REPORTED = "Email reported by user as malware or phish"
PAYLOAD_URL = "https://files.evil.example/d/payload"
COPIES = 4
DEVICE_ID = "d" * 40


@dataclass(frozen=True)
class Seeded:
    investigation: str
    alert: str
    delete: str
    """The pending soft delete of the URL cluster (every copy)."""
    block: str
    """The pending URL block."""
    device_alert: str


def _campaign(container: Container, now: datetime) -> None:
    """Phishing copies in several inboxes (telemetry and the in-memory mailboxes)."""
    email = container.automation.remediation.connectors.email
    assert isinstance(email, InMemoryEmailSystem)
    records = []
    for i in range(COPIES):
        mailbox = f"user{i}@fabrikam.example"
        records.append(
            T.message(
                networkMessageId=f"phish-{i}",
                internetMessageId=f"<c{i}@evil.example>",
                receivedDateTime=(now - timedelta(hours=i + 1)).isoformat(),
                subject=f"Invoice {1000 + i} overdue",
                senderFromAddress="billing@evil.example",
                senderMailFromAddress="bounce@evil.example",
                senderIPv4="203.0.113.7",
                recipientEmailAddress=mailbox,
                bodyFingerprint="body1",
                urls=[{"url": PAYLOAD_URL}],
            )
        )
        email.deliver(
            mailbox, "Inbox", f"phish-{i}", f"<c{i}@evil.example>", b"Subject: x\r\n\r\nx"
        )
        email.deliver(
            mailbox, "Inbox", f"ham-{i}", f"<h{i}@fabrikam.example>", b"Subject: y\r\n\r\ny"
        )
    container.telemetry_ingest.ingest(parse_kind("messages"), list(records))


def _reported() -> dict[str, Any]:
    return A.alert(
        title=REPORTED,
        serviceSource="microsoftDefenderForOffice365",
        detectionSource="microsoftDefenderForOffice365",
        category="InitialAccess",
        evidence=[
            {
                "@odata.type": A.ODATA + "analyzedMessageEvidence",
                "networkMessageId": "copy-in-reporting-mailbox",
                "internetMessageId": "<c2@evil.example>",
                "subject": "Invoice 1002 overdue",
            },
            {"@odata.type": A.ODATA + "urlEvidence", "url": PAYLOAD_URL, "verdict": "malicious"},
            {
                "@odata.type": A.ODATA + "mailboxEvidence",
                "primaryAddress": "user2@fabrikam.example",
            },
        ],
    )


def _device_alert() -> dict[str, Any]:
    return A.alert(
        title="Suspicious binary on host-ac",
        evidence=[
            {
                "@odata.type": A.ODATA + "deviceEvidence",
                "mdeDeviceId": DEVICE_ID,
                "deviceDnsName": "host-ac.fabrikam.example",
                "osPlatform": "Linux",
            }
        ],
    )


def run_actions(container: Container) -> None:
    """What the workers do: execute every action that is due."""
    executor = container.automation.remediation.executor
    for action_id in executor.sweep():
        executor.execute(action_id, "worker-ui")


@pytest.fixture
def seeded(container: Container) -> Seeded:
    now = container.ctx.clock.now()
    _campaign(container, now)
    fleet = container.automation.remediation.connectors.endpoints
    assert isinstance(fleet, InMemoryEndpointFleet)
    fleet.enroll(DEVICE_ID, files={}, processes={})
    alert_id, device_alert = container.ingest.ingest([_reported(), _device_alert()]).ids
    for investigation_id in container.automation.investigations.sweep():
        container.automation.runner.advance(investigation_id, "worker-ui")
    investigation = container.automation.investigations.ids_for([alert_id])[alert_id]
    actions = container.automation.investigations.get(investigation).actions
    assert {a.status for a in actions} == {ActionStatus.PENDING}, actions
    deletes = [
        a
        for a in actions
        if a.action_type is ActionType.SOFT_DELETE_EMAIL and a.properties.get("clusterBy") == "url"
    ]
    blocks = [a for a in actions if a.action_type is ActionType.BLOCK_URL]
    assert len(deletes) == 1, actions
    assert blocks, actions
    return Seeded(investigation, alert_id, deletes[0].id, blocks[0].id, device_alert)


# --- Labels and the filter form ----------------------------------------------------------------


def test_every_status_type_and_source_has_a_label() -> None:
    assert set(ACTION_STATUS) == {s.value for s in ActionStatus}
    assert set(ACTION_TYPE) == {t.value for t in ActionType}
    assert set(ACTION_SOURCE) == {s.value for s in ActionSource}


def test_form_writes_the_api_options() -> None:
    form = ActionForm.from_params(
        QueryParams(
            "tab=history&type=softDeleteEmail&type=blockUrl&status=completed&status=pending"
            "&source=manualEmailAction&range=week&orderby=bogus"
        )
    )
    assert form.odata_filter() == (
        "actionType in ('softDeleteEmail', 'blockUrl') and status eq 'completed' and "
        "actionSource eq 'manualEmailAction'"
    )
    assert form.orderby == "lastUpdateDateTime desc"
    assert form.export_url().startswith("/api/v1/actions/export.csv?tab=history&timeRange=week")
    pending = ActionForm.from_params(QueryParams("status=completed&range=forever"))
    assert (pending.tab, pending.statuses, pending.time_range) == ("pending", (), "month")
    now = datetime(2026, 3, 3, tzinfo=UTC)
    assert form.search(now, 100).since == now - timedelta(days=7)


# --- Over HTTP ---------------------------------------------------------------------------------


def test_reader_sees_the_lists_read_only_and_cannot_decide(
    client: TestClient, seeded: Seeded
) -> None:
    assert login(client, READER).status_code == 303
    page = client.get("/action-center")
    assert page.status_code == 200
    assert "Soft delete email" in page.text
    assert 'id="approve-selected"' not in page.text
    assert 'name="ids"' not in page.text
    detail = client.get(f"/action-center/{seeded.delete}")
    assert 'id="approve-action"' not in detail.text
    investigation = client.get(f"/investigations/{seeded.investigation}")
    assert "data-approve-group" not in investigation.text
    assert "Take action" not in investigation.text
    token = csrf_of(page.text)
    refused = client.post(
        "/action-center/approve", data={"csrf_token": token, "ids": [seeded.delete]}
    )
    assert refused.status_code == 403


def test_decisions_need_the_csrf_token_and_refuse_mixed_types(
    analyst: TestClient, csrf: str, seeded: Seeded, container: Container
) -> None:
    assert analyst.post("/action-center/approve", data={"ids": [seeded.delete]}).status_code == 403
    mixed = analyst.post(
        "/action-center/approve",
        data={
            "csrf_token": csrf,
            "ids": [seeded.delete, seeded.block],
            "return_to": "/action-center",
        },
    )
    assert mixed.status_code == 422
    assert "one type at a time" in mixed.text
    assert (
        "Soft delete email, Block URL" in mixed.text or "Block URL, Soft delete email" in mixed.text
    )
    nothing = analyst.post("/action-center/reject", data={"csrf_token": csrf})
    assert nothing.status_code == 422
    assert "Select at least one action." in nothing.text
    center = container.automation.remediation.center
    assert center.get(seeded.delete).status is ActionStatus.PENDING
    done = analyst.post(
        "/action-center/reject",
        data={
            "csrf_token": csrf,
            "ids": [seeded.block],
            "comment": "allowed site",
            "return_to": f"/investigations/{seeded.investigation}#tab-actions",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == (
        f"/investigations/{seeded.investigation}?decided=rejected&n=1#tab-actions"
    )
    rejected = center.get(seeded.block)
    assert (rejected.status, rejected.decided_by, rejected.decision_comment) == (
        ActionStatus.REJECTED,
        ANALYST,
        "allowed site",
    )
    again = analyst.post(
        "/action-center/approve",
        data={
            "csrf_token": csrf,
            "ids": [seeded.block],
            "return_to": f"/investigations/{seeded.investigation}",
        },
    )
    assert again.status_code == 422
    assert "not pending" in again.text


def test_cancel_an_approved_action_and_comment_on_it(
    analyst: TestClient, csrf: str, seeded: Seeded, container: Container
) -> None:
    approved = analyst.post(
        "/action-center/approve", data={"csrf_token": csrf, "ids": [seeded.delete]}
    )
    assert approved.headers["location"] == "/action-center?decided=approved&n=1"
    history = analyst.get("/action-center?tab=history")
    assert f'data-cancel="{seeded.delete}"' in history.text
    cancelled = analyst.post(
        f"/action-center/{seeded.delete}/cancel",
        data={"csrf_token": csrf, "return_to": "/action-center?tab=history"},
    )
    assert cancelled.headers["location"] == "/action-center?tab=history&decided=cancelled"
    center = container.automation.remediation.center
    assert center.get(seeded.delete).status is ActionStatus.CANCELLED
    again = analyst.post(
        f"/action-center/{seeded.delete}/cancel",
        data={"csrf_token": csrf, "return_to": f"/action-center/{seeded.delete}"},
    )
    assert again.status_code == 422
    assert "cannot be cancelled" in again.text
    empty = analyst.post(f"/action-center/{seeded.delete}/comments", data={"csrf_token": csrf})
    assert empty.status_code == 422
    noted = analyst.post(
        f"/action-center/{seeded.delete}/comments",
        data={"csrf_token": csrf, "comment": "sent by the CFO's assistant"},
    )
    assert noted.status_code == 303
    page = analyst.get(noted.headers["location"])
    assert "sent by the CFO&#39;s assistant" in page.text
    assert "Comment added." in page.text


def test_take_action_requests_a_manual_action_and_links_to_it(
    analyst: TestClient, csrf: str, seeded: Seeded, container: Container
) -> None:
    page = analyst.get(f"/alerts/{seeded.device_alert}")
    assert "Take action" in page.text
    assert 'value="isolateDevice"' in page.text
    assert 'value="releaseFromIsolation"' not in page.text, "undo types come from the action"
    sent = analyst.post(
        "/action-center",
        data={
            "csrf_token": csrf,
            "return_to": f"/alerts/{seeded.device_alert}#tab-evidence",
            "action_type": "isolateDevice",
            "target.kind": "device",
            "target.deviceId": DEVICE_ID,
            "target.deviceName": "host-ac.fabrikam.example",
            "isolationType": "Selective",
            "scanType": "Full",
            "comment": "contain it",
        },
    )
    assert sent.status_code == 303
    location = sent.headers["location"]
    assert location.startswith(f"/alerts/{seeded.device_alert}?requested=")
    action_id = location.split("requested=")[1].split("#")[0]
    action = container.automation.remediation.center.get(action_id)
    assert action.action_type is ActionType.ISOLATE_DEVICE
    assert action.properties["isolationType"] == "Selective"
    assert "scanType" not in action.properties
    assert (action.source, action.requested_by) == (ActionSource.MANUAL_DEVICE, ANALYST)
    shown = analyst.get(location)
    assert f'href="/action-center/{action_id}"' in shown.text
    bad = analyst.post(
        "/action-center",
        data={"csrf_token": csrf, "action_type": "isolateDevice", "target.kind": "url"},
    )
    assert bad.status_code == 422
    assert "target.kind" in bad.text


def test_a_running_bulk_action_shows_its_progress(
    analyst: TestClient, container: Container, seeded: Seeded
) -> None:
    center = container.automation.remediation.center
    principal = ANALYST_PRINCIPAL
    center.approve(principal, [seeded.delete], None)
    now = container.ctx.clock.now()
    with container.ctx.uow() as uow:
        assert uow.actions.claim(seeded.delete, "worker-ui", now, timedelta(minutes=2))
        assert uow.actions.heartbeat(
            seeded.delete, "worker-ui", now, timedelta(minutes=2), {"done": 1200, "total": 5000}
        )
        uow.commit()
    page = analyst.get(f"/action-center/{seeded.delete}")
    assert '<progress max="5000" value="1200">' in page.text
    assert "1,200 of 5,000 done so far" in page.text
    # The investigation's Actions tab shows it in the action's row.
    investigation = analyst.get(f"/investigations/{seeded.investigation}")
    assert "1,200 of 5,000 done so far" in investigation.text


def test_csv_export_works_with_the_ui_session(analyst: TestClient, seeded: Seeded) -> None:
    page = analyst.get("/action-center?tab=pending")
    href = re.search(r'href="(/api/v1/actions/export\.csv[^"]*)"', page.text)
    assert href
    export = analyst.get(href.group(1).replace("&amp;", "&"))
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert seeded.delete in export.text


# --- In Chromium -------------------------------------------------------------------------------


@pytest.fixture
def server_url(container: Container, seeded: Seeded) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


@pytest.fixture
def page(browser: Any, server_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    # A refused decision answers 422 with the page and its reason; Chromium logs the status.
    expected = ("the server responded with a status of 422",)
    with open_page(browser, server_url, request.node.name, height=900, expected=expected) as tab:
        yield tab


def _row(page: Any, action_id: str) -> Any:
    return page.locator(f'tr[data-action-id="{action_id}"]')


def test_browser_approve_execute_undo_and_reject(
    page: Any, seeded: Seeded, container: Container
) -> None:
    sign_in(page)
    page.goto("/action-center")
    assert page.locator("h1").inner_text() == "Action center"
    rows = page.locator("table.action-table tbody tr[data-href]")
    assert rows.count() >= 2
    assert "Soft delete email" in page.locator("table.action-table").inner_text()
    expect(_row(page, seeded.delete).locator(".action-status")).to_have_text("Pending approval")
    # Mixed types are refused with the reason.
    _row(page, seeded.delete).locator("input[name=ids]").check()
    _row(page, seeded.block).locator("input[name=ids]").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2 selected")
    page.click("#approve-selected")
    expect(page.locator(".notice-error")).to_contain_text("one type at a time")
    # Approve the soft delete with a comment.
    _row(page, seeded.delete).locator("input[name=ids]").check()
    page.fill("#decision-comment", "confirmed phish")
    page.click("#approve-selected")
    expect(page.locator("#decided-notice")).to_have_text("1 action approved.")
    expect(_row(page, seeded.delete)).to_have_count(0)
    run_actions(container)
    page.click("#tab-link-history")
    page.wait_for_url(re.compile(r"tab=history"))
    page.wait_for_selector("#chart-actions[data-drawn]")
    row = _row(page, seeded.delete)
    expect(row.locator(".action-status")).to_have_text("Completed")
    assert f"{COPIES} of {COPIES} copies done" in row.inner_text()
    assert "Ana Analyst" not in row.inner_text()
    assert ANALYST in row.inner_text()
    # Its page: per-message outcomes, then undo.
    row.locator("[data-row-link]").click()
    page.wait_for_url(re.compile(f"/action-center/{seeded.delete}$"))
    outcomes = page.locator("#message-outcomes tbody tr")
    expect(outcomes).to_have_count(COPIES)
    assert "Deleted Items" in page.locator("#message-outcomes").inner_text()
    assert "confirmed phish" in page.locator("#action-page").inner_text()
    page.click(f'[data-undo="{seeded.delete}"]')
    expect(page.locator("#decided-notice")).to_contain_text("The undo was started")
    undo_link = page.locator("#undo-link")
    expect(undo_link).to_contain_text("Move email back")
    run_actions(container)
    page.reload()
    expect(page.locator(".entity-title .action-status")).to_have_text("Undone")
    page.click("#undo-link")
    expect(page.locator(".entity-title .action-status")).to_have_text("Completed")
    expect(page.locator("#original-link")).to_contain_text("Soft delete email")
    email = container.automation.remediation.connectors.email
    assert isinstance(email, InMemoryEmailSystem)
    assert email.folder_of("user0@fabrikam.example", "phish-0") == "Inbox"
    # Reject the URL block from the investigation page's Actions tab.
    page.goto(f"/investigations/{seeded.investigation}#tab-actions")
    tab = page.locator("#tab-actions")
    assert tab.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "investigation-actions-tab.png"))
    group = page.locator("#pending-blockUrl")
    group.locator("input[name=comment]").fill("our CDN")
    group.locator("[data-reject-group=blockUrl]").click()
    page.wait_for_url(re.compile(r"decided=rejected.*#tab-actions"))
    expect(page.locator("#decided-notice")).to_contain_text("rejected")
    history = page.locator("#action-history")
    expect(history.locator(f'tr[data-action-id="{seeded.block}"] .action-status')).to_have_text(
        "Rejected"
    )
    assert container.automation.remediation.center.get(seeded.block).decision_comment == "our CDN"


def test_browser_keyboard_goes_selects_and_rejects(page: Any, seeded: Seeded) -> None:
    sign_in(page)
    page.goto("/dashboard")
    page.keyboard.press("?")
    help_text = page.locator("#help-dialog").inner_text()
    assert "Go to the Action center" in help_text
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    page.keyboard.press("c")
    page.wait_for_url(re.compile(r"/action-center$"))
    page.keyboard.press("?")
    assert "Approve the selected actions" in page.locator("#help-dialog").inner_text()
    page.keyboard.press("Escape")
    rows = page.locator("table.action-table tbody tr[data-href]")
    ids = [rows.nth(n).get_attribute("data-action-id") for n in range(rows.count())]
    position = ids.index(seeded.block)
    for _ in range(position + 1):
        page.keyboard.press("j")
    page.keyboard.press("x")
    expect(_row(page, seeded.block).locator("input[name=ids]")).to_be_checked()
    page.keyboard.press("r")
    expect(page.locator("#decided-notice")).to_have_text("1 action rejected.")
    expect(_row(page, seeded.block)).to_have_count(0)
    page.keyboard.press("h")
    page.wait_for_url(re.compile(r"tab=history"))
    expect(_row(page, seeded.block).locator(".action-status")).to_have_text("Rejected")
    page.keyboard.press("p")
    page.wait_for_url(re.compile(r"tab=pending"))


def test_browser_take_action_from_the_investigation_page(
    page: Any, seeded: Seeded, container: Container
) -> None:
    sign_in(page)
    page.goto(f"/investigations/{seeded.investigation}#tab-identities")
    panel = page.locator("#tab-identities")
    panel.locator("[data-open-dialog]").first.click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    assert "Turn off external forwarding" in dialog.inner_text()
    dialog.locator("input[value=turnOffExternalForwarding]").check()
    dialog.locator("textarea[name=comment]").fill("stop the leak")
    dialog.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"requested=.*#tab-identities"))
    notice = page.locator("#requested-notice")
    expect(notice).to_contain_text("Turn off external forwarding")
    notice.locator("a").click()
    page.wait_for_url(re.compile(r"/action-center/[^/?]+$"))
    action_id = page.url.rsplit("/", 1)[1]
    action = container.automation.remediation.center.get(action_id)
    assert action.investigation_id == seeded.investigation
    assert action.request_comment == "stop the leak"
    assert "Manual email action" in page.locator(".entity-title").inner_text()
    run_actions(container)
    page.reload()
    expect(page.locator(".entity-title .action-status")).to_have_text("Completed")
    assert "No external forwarding was configured." in page.locator("#action-result").inner_text()


def test_browser_isolation_asks_full_or_selective(
    page: Any, seeded: Seeded, container: Container
) -> None:
    sign_in(page)
    page.goto(f"/alerts/{seeded.device_alert}#tab-evidence")
    page.click("#tab-evidence [data-open-dialog]")
    dialog = page.locator("dialog[open]")
    parameter = dialog.locator('.action-parameter[data-for="isolateDevice"]')
    expect(parameter).to_be_hidden()
    dialog.locator("input[value=isolateDevice]").check()
    expect(parameter).to_be_visible()
    parameter.locator("select").select_option("Selective")
    expect(dialog.locator('.action-parameter[data-for="runAntivirusScan"]')).to_be_hidden()
    dialog.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"requested="))
    expect(page.locator("#requested-notice")).to_contain_text("Isolate device")
    action_id = page.url.split("requested=")[1].split("#")[0]
    action = container.automation.remediation.center.get(action_id)
    assert action.properties["isolationType"] == "Selective"
    assert action.investigation_id is None
    run_actions(container)
    page.goto(f"/action-center/{action_id}")
    assert "Machine action status" in page.locator("#action-result").inner_text()


def test_browser_reader_sees_no_decision_buttons(page: Any, seeded: Seeded) -> None:
    sign_in(page, READER)
    page.goto("/action-center")
    assert page.locator("table.action-table tbody tr[data-href]").count() >= 2
    assert page.locator("#approve-selected").count() == 0
    assert page.locator("input[name=ids]").count() == 0
    page.goto(f"/action-center/{seeded.delete}")
    assert page.locator("#approve-action").count() == 0
    page.goto(f"/investigations/{seeded.investigation}#tab-actions")
    assert page.locator("#tab-actions button").count() == 0
    assert page.locator("[data-open-dialog]").count() == 0


def test_browser_french(page: Any, seeded: Seeded, container: Container) -> None:
    sign_in(page, FRENCH)
    page.goto("/action-center")
    assert page.locator("h1").inner_text() == "Centre d\u2019actions"
    assert "En attente d\u2019approbation" in page.locator("table.action-table").inner_text()
    assert (
        "Suppression réversible de l\u2019e-mail" in page.locator("table.action-table").inner_text()
    )
    assert page.locator("#approve-selected").inner_text() == "Approuver"
    page.goto(f"/investigations/{seeded.investigation}#tab-actions")
    assert "Refuser les" in page.locator("#tab-actions").inner_text()
    page.goto("/action-center?tab=history")
    assert "Historique" in page.locator("#action-tabs").inner_text()
    assert "Actions par jour et par état" in page.locator("#action-results").inner_text()


def test_browser_screenshot_for_the_docs(page: Any, seeded: Seeded, container: Container) -> None:
    """The History tab after a few decisions (copied by hand to docs/images/action-center.png)."""
    from autoir.domain.access.permissions import BUILTIN_ROLES, Principal

    role = "Security operator"
    principal = Principal(ANALYST, "Ana Analyst", role, BUILTIN_ROLES[role][1])
    center = container.automation.remediation.center
    center.approve(principal, [seeded.delete], "Confirmed phish: every copy")
    center.reject(principal, [seeded.block], "Shared CDN, block the path instead")
    run_actions(container)
    center.undo(principal, seeded.delete, "One recipient needs the invoice")
    center.request(
        principal,
        {
            "actionType": "runAntivirusScan",
            "target": {
                "kind": "device",
                "deviceId": DEVICE_ID,
                "deviceName": "host-ac.fabrikam.example",
            },
            "parameters": {"scanType": "Full"},
        },
    )
    run_actions(container)
    sign_in(page)
    page.goto("/action-center?tab=history&range=week")
    page.wait_for_selector("#chart-actions[data-drawn]")
    assert page.locator("table.action-table tbody tr[data-href]").count() >= 4
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "action-center.png"))


def test_take_action_form_names_a_cluster_by_its_messages() -> None:
    from starlette.datastructures import FormData

    from autoir.ui.action_menus import target_fields
    from autoir.ui.routes.action_center import manual_body

    kind, fields = target_fields(
        "mailCluster",
        {"clusterBy": "url", "clusterByValue": PAYLOAD_URL, "networkMessageIds": ["a", "b"]},
    ) or (None, [])
    assert kind is not None
    assert fields == [
        ("clusterBy", "url"),
        ("clusterByValue", PAYLOAD_URL),
        ("networkMessageIds", "a"),
        ("networkMessageIds", "b"),
    ]
    form = FormData(
        [
            ("action_type", "softDeleteEmail"),
            ("target.kind", kind.value),
            *((f"target.{name}", value) for name, value in fields),
            ("isolationType", "Full"),
            ("investigation_id", ""),
        ]
    )
    assert manual_body(form) == {
        "actionType": "softDeleteEmail",
        "target": {
            "kind": "mailCluster",
            "clusterBy": "url",
            "clusterByValue": PAYLOAD_URL,
            "networkMessageIds": ["a", "b"],
        },
        "parameters": {},
        "comment": None,
        "investigationId": None,
    }
    assert target_fields("file", {"fileDetails": {"sha256": "ab" * 32}}) is None, "needs a device"
    assert target_fields("ip", {"ipAddress": "203.0.113.7"}) is None


def test_browser_history_filters_update_the_list_and_the_tabs(
    page: Any, seeded: Seeded, container: Container
) -> None:
    center = container.automation.remediation.center
    from autoir.domain.access.permissions import BUILTIN_ROLES, Principal

    role = "Security operator"
    principal = Principal(ANALYST, "Ana Analyst", role, BUILTIN_ROLES[role][1])
    center.reject(principal, [seeded.block], None)
    center.approve(principal, [seeded.delete], None)
    run_actions(container)
    sign_in(page)
    page.goto("/action-center?tab=history")
    rows = page.locator("table.action-table tbody tr[data-href]")
    expect(rows).to_have_count(2)
    page.locator("summary", has_text="Status").click()
    page.check("input[name=status][value=rejected]")
    page.wait_for_url(re.compile(r"status=rejected"))
    expect(rows).to_have_count(1)
    expect(_row(page, seeded.block)).to_have_count(1)
    page.keyboard.press("Escape")
    page.select_option("#action-range", "day")
    page.wait_for_url(re.compile(r"range=day"))
    expect(page.locator("#tab-link-pending")).to_have_attribute("href", re.compile("range=day"))
    expect(rows).to_have_count(1)
    assert "statuses" not in page.url
