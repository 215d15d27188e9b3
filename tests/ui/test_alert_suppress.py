"""The alert page's Suppress action: a suppression rule with an expiry (issues 4 and 7).

Over HTTP (permissions, the pre-filled form, preview, errors, French) and in Chromium (suppress
for 7 days, then an identical new alert arrives suppressed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoir.bootstrap import Container
from autoir.cli.server import create_app
from autoir.domain.alerts.enums import InvestigationState
from tests.support.pages import SCREENSHOTS, open_page, serve

from .conftest import ALERTS, FRENCH, READER, csrf_of, login, sign_in

SHELL = 0  # "Suspicious shell command" on device 1, detector shell-1 (conftest.ALERTS)


def _again(index: int, provider_id: str) -> dict[str, Any]:
    """The same alert again, from its source (a new provider id: not a repeat to fold)."""
    return dict(ALERTS[index], providerAlertId=provider_id)


def test_suppress_is_offered_to_tuners_only(client: TestClient, alert_ids: list[str]) -> None:
    assert login(client).status_code == 303
    page = client.get(f"/alerts/{alert_ids[SHELL]}").text
    assert 'id="suppress-alert"' in page
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    client.cookies.clear()
    assert login(client, READER).status_code == 303
    page = client.get(f"/alerts/{alert_ids[SHELL]}").text
    assert 'id="suppress-alert"' not in page
    assert client.get(f"/alerts/{alert_ids[SHELL]}/suppress").status_code == 403


def test_suppress_form_is_prefilled_and_previews(analyst: TestClient, alert_ids: list[str]) -> None:
    page = analyst.get(f"/alerts/{alert_ids[SHELL]}/suppress")
    assert page.status_code == 200
    html = page.text
    assert 'id="suppress-period-7d" checked' in html
    assert 'id="suppress-action-hide" checked' in html
    assert 'id="suppress-scope-organization" checked' in html
    assert "This rule would have matched 1 alert in the last 30 days." in html
    assert "sshd" in html  # the parent process is among the conditions
    assert 'id="suppress-scope-devices"' in html
    # keep only the parent process condition and preview: still this alert
    keep = re.findall(
        r'name="keep" value="(\d+)" id="suppress-keep-\d+" checked> Process · <code>parentFileName',
        html,
    )
    assert keep
    preview = analyst.post(
        f"/alerts/{alert_ids[SHELL]}/suppress",
        data={
            "csrf_token": csrf_of(html),
            "period": "1d",
            "action": "resolve",
            "keep": keep,
            "scope": "organization",
            "intent": "preview",
        },
    )
    assert preview.status_code == 200
    assert 'id="suppress-period-1d" checked' in preview.text
    assert 'id="suppress-action-resolve" checked' in preview.text
    assert "This rule would have matched 1 alert" in preview.text
    assert analyst.get("/api/v1/suppression-rules").json()["value"] == []


def test_suppress_saves_a_rule_and_says_so(
    analyst: TestClient, container: Container, alert_ids: list[str]
) -> None:
    html = analyst.get(f"/alerts/{alert_ids[SHELL]}/suppress").text
    saved = analyst.post(
        f"/alerts/{alert_ids[SHELL]}/suppress",
        data={
            "csrf_token": csrf_of(html),
            "period": "30d",
            "action": "hide",
            "scope": "devices",
            "intent": "save",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"].startswith(f"/alerts/{alert_ids[SHELL]}?suppressed=")
    (rule,) = container.suppression.list_rules()
    assert rule.rule.conditions is None  # no box ticked: any IOC of this alert type
    assert rule.rule.scope.values == (f"{1:040x}",)
    assert rule.rule.expires is not None
    assert rule.rule.expires - datetime.now(UTC) > timedelta(days=29)
    page = analyst.get(saved.headers["location"]).text
    assert "Suppression rule “Suppress: Suspicious shell command” saved." in page


def test_users_scope_needs_an_administrator_in_the_form(
    analyst: TestClient, alert_ids: list[str]
) -> None:
    phish = alert_ids[1]
    html = analyst.get(f"/alerts/{phish}/suppress").text
    response = analyst.post(
        f"/alerts/{phish}/suppress",
        data={
            "csrf_token": csrf_of(html),
            "period": "7d",
            "action": "hide",
            "scope": "users",
            "intent": "save",
        },
    )
    assert response.status_code == 403
    assert "A rule scoped to a user needs the administrator role." in response.text


def test_suppress_form_in_french(client: TestClient, alert_ids: list[str]) -> None:
    assert login(client, FRENCH).status_code == 303
    html = client.get(f"/alerts/{alert_ids[SHELL]}/suppress").text
    assert "Supprimer les alertes semblables" in html
    assert "Jusqu\u2019à ce que je la retire" in html
    assert "Cette règle aurait correspondu à 1 alerte au cours des 30 derniers jours." in html


# --- In Chromium -------------------------------------------------------------------------------


@pytest.fixture
def server_url(container: Container, alert_ids: list[str]) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


@pytest.fixture
def page(browser: Any, server_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    with open_page(browser, server_url, request.node.name) as tab:
        yield tab


def test_browser_suppress_for_7_days_then_a_new_alert_arrives_suppressed(
    page: Any, container: Container, alert_ids: list[str]
) -> None:
    sign_in(page)
    page.goto(f"/alerts/{alert_ids[SHELL]}")
    page.click("#suppress-alert")
    page.wait_for_url(re.compile(f"/alerts/{alert_ids[SHELL]}/suppress$"))
    assert page.is_checked("#suppress-period-7d")
    assert "would have matched 1 alert" in page.inner_text("#suppress-dry-run")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "suppress-form.png"), full_page=True)
    page.click("#suppress-save")
    page.wait_for_selector("#suppressed-notice")
    assert "Suppress: Suspicious shell command" in page.inner_text("#suppressed-notice")
    (rule,) = container.suppression.list_rules()
    assert rule.rule.expires is not None
    assert timedelta(days=6, hours=23) < rule.rule.expires - datetime.now(UTC) <= timedelta(days=7)

    (again,) = container.ingest.ingest([_again(SHELL, "again-1")]).ids
    alert, _ = container.alerts.get(again)
    assert alert.investigation_state is InvestigationState.SUPPRESSED_ALERT
    assert alert.suppression_rule_id == rule.id
    assert alert.hidden
    (other,) = container.ingest.ingest([_again(3, "again-2")]).ids  # another type: not suppressed
    page.goto("/alerts")
    queue = page.content()
    assert again not in queue
    assert other in queue
    page.goto(f"/alerts/{again}")
    assert "This alert was suppressed by a rule" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "suppressed-alert.png"), full_page=True)
    assert container.suppression.get(rule.id).match_count == 1
