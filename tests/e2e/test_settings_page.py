"""An administrator on the Settings page in Chromium, against ``autoir serve`` with the demo data.

Adds an alert notification rule with a bad address (the error shows by the field, what was
typed is kept), fixes it, turns it off and deletes it; the mail server section says that no
server is configured (the demo uses the in-memory mailboxes).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.pages import expect

from .conftest import PASSWORD, Server, _cli, sign_in

pytestmark = pytest.mark.e2e

ADMIN = "sam@fabrikam.example"
RULE = "E2E on-call"


@pytest.fixture(scope="module")
def admin(server: Server) -> str:
    _cli(
        "user",
        "create",
        "--username",
        ADMIN,
        "--role",
        "Security administrator",
        "--display-name",
        "Sam Admin",
        "--password-stdin",
        data_dir=server.data_dir,
        stdin=PASSWORD + "\n",
    )
    return ADMIN


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_settings_add_fix_disable_and_delete_a_notification_rule(page: Any, admin: str) -> None:
    sign_in(page, admin)
    page.goto("/settings")
    expect(page.locator("h1")).to_have_text("Settings")
    expect(page.locator(".nav-link.is-active")).to_have_text("Settings")
    expect(page.locator("#mail-not-configured")).to_contain_text("No mail server is configured.")
    expect(page.locator("#mail .env-list")).to_contain_text("AUTOIR_MAIL__IMAP_HOST")
    expect(page.locator("#scan-now")).to_have_count(0)
    expect(page.locator("#access")).to_contain_text("autoir token")

    page.click("#add-rule")
    page.wait_for_url(re.compile(r"/settings\?add=1$"))
    assert focused_id(page) == "rule-name"
    page.keyboard.type(RULE)
    page.keyboard.press("Tab")
    assert focused_id(page) == "rule-locale"
    page.keyboard.press("Tab")
    assert focused_id(page) == "rule-recipients"
    page.keyboard.type("soc@contoso.com\nnot-an-address")
    page.check("#rule-severity-low")
    page.click("#save-rule")

    error = page.locator("#rule-recipients-error")
    expect(error).to_have_text("“not-an-address” is not an email address.")
    expect(page.locator("#rule-recipients")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rule-recipients")).to_have_value("soc@contoso.com\nnot-an-address")
    expect(page.locator("#rule-name")).to_have_value(RULE)
    expect(page.locator("#rule-severity-low")).to_be_checked()
    assert focused_id(page) == "rule-recipients"
    field_box = page.locator("#rule-recipients").bounding_box()
    error_box = error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40  # by the field

    page.fill("#rule-recipients", "soc@contoso.com, oncall@contoso.com")
    page.click("#save-rule")
    page.wait_for_url(re.compile(r"saved=saved"))
    expect(page.locator("#rules-notice")).to_have_text(f"The rule “{RULE}” was saved.")
    row = page.locator(f'.rules-table tr[data-rule="{RULE}"]')
    expect(row.locator(".col-recipients")).to_have_text("soc@contoso.com, oncall@contoso.com")
    expect(row.locator(".col-severities")).to_have_text("High, Medium, Low")
    expect(row.locator(".col-sources")).to_have_text("All sources")
    expect(row.locator(".col-state")).to_have_text("On")

    row.get_by_role("button", name="Turn off").click()
    page.wait_for_url(re.compile(r"saved=disabled"))
    expect(row.locator(".col-state")).to_have_text("Off")
    expect(row.get_by_role("button", name="Turn on")).to_be_visible()

    row.get_by_role("link", name=f"Delete the rule {RULE}").click()
    expect(page.locator("#confirm-delete")).to_contain_text(f"Delete the rule “{RULE}”?")
    page.click("#confirm-delete-button")
    page.wait_for_url(re.compile(r"saved=deleted"))
    expect(page.locator("#rules-notice")).to_have_text(f"The rule “{RULE}” was deleted.")
    expect(row).to_have_count(0)
