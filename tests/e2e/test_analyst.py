"""An analyst's day in the browser: sign in, filter the queue, manage an alert, incidents, French."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import ANALYST, FRENCH_ANALYST, sign_in

pytestmark = pytest.mark.e2e


def test_sign_in_shows_the_dashboard_with_charts(page: Any) -> None:
    page.goto("/alerts")
    assert "/login?next=/alerts" in page.url
    page.fill("#username", ANALYST)
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator(".notice-error").inner_text() == "Wrong user name or password."
    sign_in(page)
    page.goto("/dashboard")
    assert page.locator("h1").inner_text() == "Dashboard"
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length === 2")
    assert int(page.locator(".tile-value").first.inner_text().replace(",", "")) >= 0


def test_filter_the_queue_by_high_severity(page: Any) -> None:
    sign_in(page)
    page.goto("/alerts")
    page.locator("summary", has_text="Severity").click()
    page.check("input[name=severity][value=high]")
    page.wait_for_url(re.compile(r"severity=high"))
    page.wait_for_function(
        "document.querySelector('.odata') && "
        "document.querySelector('.odata').textContent.includes(\"severity eq 'high'\")"
    )
    page.keyboard.press("Escape")
    severities = page.locator("table.grid tbody tr .sev").all_inner_texts()
    assert severities
    assert set(severities) == {"High"}


def test_manage_an_alert_and_it_persists(page: Any) -> None:
    sign_in(page)
    page.goto("/alerts?f=1&status=new&assigned=unassigned&created=30d")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(re.compile(r"/alerts/[a-z]{2}"))
    page.select_option("#m-status", "inProgress")
    page.click("button[data-fill=m-assigned]")
    page.click("#manage-form button[type=submit]")
    page.wait_for_selector(".notice-success")
    page.reload()
    assert page.locator("#m-status").input_value() == "inProgress"
    assert page.locator("#m-assigned").input_value() == ANALYST
    assert page.locator(".entity-title .pill").inner_text() == "In progress"


def test_open_an_incident_and_see_its_alerts(page: Any) -> None:
    sign_in(page)
    page.goto("/dashboard")
    page.keyboard.press("?")
    assert page.locator("#help-dialog").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    page.keyboard.press("i")
    page.wait_for_url(re.compile(r"/incidents$"))
    first = page.locator("table.grid tbody tr a[data-row-link]").first
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/incidents/\d+"))
    assert page.locator("h1").inner_text() == name
    alert_links = page.locator("#incident-page table.grid tbody a[data-row-link]")
    assert alert_links.count() >= 1
    alert_links.first.click()
    page.wait_for_url(re.compile(r"/alerts/"))
    page.locator("[role=tab]", has_text="Evidence").click()
    assert page.locator("#tab-evidence").is_visible()


def test_switch_language_to_french(page: Any) -> None:
    sign_in(page, FRENCH_ANALYST)
    page.goto("/alerts")
    page.locator(".user-menu summary").click()
    page.locator("button[name=locale][value=fr]").click()
    page.wait_for_load_state()
    nav = page.locator(".sidenav").inner_text()
    assert "Tableau de bord" in nav
    assert "Alertes" in nav
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Alertes"
