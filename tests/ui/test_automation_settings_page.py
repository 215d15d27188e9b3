"""The automation settings page: device groups by rank, email opt-ins, expiry, the live preview.

Over HTTP: the reader's read-only view and refused save, errors shown by their fields with the
input kept and nothing saved, a valid save, the editing buttons. In Chromium against the real
server: adding a group with rules, saving and reloading; moving groups; the preview (saved and
unsaved policy, automatic or approval); French; the screenshot for the docs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from autoir.bootstrap import Container
from autoir.cli.server import create_app
from autoir.domain.access.permissions import BUILTIN_ROLES, Principal
from autoir.domain.remediation.automation import AutomationPolicy, DecisionMode
from autoir.domain.remediation.device_groups import DEFAULT_GROUP_NAME, AutomationLevel
from autoir.domain.remediation.folders import FolderClass
from autoir.ui.automation_form import AutomationForm, field_id, whole_number
from autoir.ui.labels import AUTOMATION_LEVEL, DECISION_MODE, FOLDER_CLASS
from tests.support.pages import SCREENSHOTS, expect, open_page, serve

from .conftest import PASSWORD, READER, csrf_of, login, sign_in

ADMIN = "ada@fabrikam.example"
FRENCH_ADMIN = "claire@fabrikam.example"
PAGE = "/settings/automation"
ROLE = "Security administrator"

POLICY: dict[str, Any] = {
    "deviceGroups": [
        {
            "name": "Domain controllers",
            "rank": 1,
            "automationLevel": "semiAnyFolder",
            "description": "Tier 0: a person approves every action",
            "rules": [{"namePattern": "dc-*"}, {"tag": "Tier0"}],
        },
        {
            "name": "Linux servers",
            "rank": 2,
            "automationLevel": "semiCoreFolders",
            "description": "Production web and database servers",
            "rules": [{"osPlatform": "Linux", "ipRange": "10.20.0.0/16"}],
        },
    ],
    "defaultAutomationLevel": "full",
    "email": {"autoSoftDeleteSimilarUrls": True, "maxClusterSize": 500},
    "pendingActionExpiryDays": 7,
}


def admin_principal() -> Principal:
    return Principal(ADMIN, "Ada Admin", ROLE, BUILTIN_ROLES[ROLE][1])


@pytest.fixture
def admins(container: Container) -> None:
    container.access.create_user(ADMIN, PASSWORD, ROLE, "Ada Admin")
    container.access.create_user(FRENCH_ADMIN, PASSWORD, ROLE, "Claire Dubois", "fr")


@pytest.fixture
def admin(client: TestClient, admins: None) -> TestClient:
    assert login(client, ADMIN).status_code == 303
    return client


@pytest.fixture
def saved(container: Container) -> AutomationPolicy:
    return container.automation_settings.put(admin_principal(), POLICY)


def form_of(policy: dict[str, Any], csrf: str, **extra: str) -> dict[str, Any]:
    """What the browser posts for ``policy`` (inputs named by their JSON paths)."""
    data: dict[str, Any] = {"csrf_token": csrf}
    for i, group in enumerate(policy.get("deviceGroups", [])):
        for key in ("name", "automationLevel", "description"):
            data[f"deviceGroups[{i}].{key}"] = group.get(key) or ""
        for j, rule in enumerate(group["rules"]):
            for key in ("namePattern", "tag", "osPlatform", "ipRange"):
                data[f"deviceGroups[{i}].rules[{j}].{key}"] = rule.get(key) or ""
    data["defaultAutomationLevel"] = policy.get("defaultAutomationLevel", "full")
    email = policy.get("email", {})
    if email.get("autoSoftDeleteSimilarFiles"):
        data["email.autoSoftDeleteSimilarFiles"] = "true"
    if email.get("autoSoftDeleteSimilarUrls"):
        data["email.autoSoftDeleteSimilarUrls"] = "true"
    data["email.maxClusterSize"] = str(email.get("maxClusterSize", 10_000))
    data["pendingActionExpiryDays"] = str(policy.get("pendingActionExpiryDays", 7))
    return data | extra


def node(html: str, selector: str) -> Node:
    found = HTMLParser(html).css_first(selector)
    assert found is not None, f"nothing matches {selector}"
    return found


def by_id(html: str, path: str) -> Node:
    return node(html, f"#{field_id(path)}")


# --- Labels and the form model -----------------------------------------------------------------


def test_labels_are_defenders_and_cover_every_value() -> None:
    assert {v: AutomationLevel(v).label for v in AUTOMATION_LEVEL} == AUTOMATION_LEVEL
    assert set(AUTOMATION_LEVEL) == {level.value for level in AutomationLevel}
    assert set(DECISION_MODE) == {mode.value for mode in DecisionMode}
    assert set(FOLDER_CLASS) == {folder.value for folder in FolderClass}


def test_form_round_trips_the_policy() -> None:
    policy = AutomationPolicy.from_json(POLICY)
    form = AutomationForm.from_policy(policy)
    assert [g.name for g in form.groups] == ["Domain controllers", "Linux servers"]
    assert AutomationPolicy.from_json(form.body()) == policy
    assert AutomationForm.from_form(form_of(POLICY, "x")).body() == form.body()


def test_whole_numbers_accept_grouping_and_keep_the_rest() -> None:
    assert whole_number(" 10,000 ") == 10_000
    assert whole_number("10\u202f000") == 10_000
    assert whole_number("7") == 7
    assert whole_number("1.5") == "1.5"
    assert whole_number("seven") == "seven"
    assert whole_number("") == ""


def test_editing_buttons_change_the_form_only() -> None:
    form = AutomationForm.from_policy(AutomationPolicy.from_json(POLICY))
    added, focus = form.apply("add-group")
    assert len(added.groups) == 3
    assert added.groups[2].is_open
    assert added.groups[2].level == "full"  # the default group's level: no change until edited
    assert focus == field_id("deviceGroups[2].name")
    moved, focus = form.apply("up:1")
    assert [g.name for g in moved.groups] == ["Linux servers", "Domain controllers"]
    assert focus == "group-0-down"  # at the top "up" is disabled
    assert form.apply("up:0") == (form, None)
    ruled, focus = form.apply("add-rule:1")
    assert len(ruled.groups[1].rules) == 2
    assert focus == field_id("deviceGroups[1].rules[1].namePattern")
    unruled, _ = form.apply("delete-rule:0:0")
    assert [r.tag for r in unruled.groups[0].rules] == ["Tier0"]
    deleted, focus = form.apply("delete:0")
    assert [g.name for g in deleted.groups] == ["Linux servers"]
    assert focus == "group-0-edit"
    opened, _ = form.apply("edit:1")
    assert opened.groups[1].is_open
    assert form.apply("delete:7") == (form, None)
    assert form.apply("explode:0") == (form, None)
    assert form.apply("delete-rule:0:9") == (form, None)


# --- Over HTTP ---------------------------------------------------------------------------------


def test_reader_sees_the_settings_read_only_and_cannot_save(
    client: TestClient, container: Container, saved: AutomationPolicy
) -> None:
    assert login(client, READER).status_code == 303
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.text
    assert f'href="{PAGE}"' in html  # the navigation entry
    assert node(html, "#group-1 .col-name").text(strip=True) == "Linux servers"
    assert node(html, "#group-1 .col-level").text(strip=True) == (
        "Semi - require approval for core folders remediation"
    )
    assert "10.20.0.0/16" in node(html, "#group-1 .col-rules").text()
    assert node(html, "#group-default .col-name").text(strip=True) == DEFAULT_GROUP_NAME
    assert node(html, "#read-only-notice")
    assert HTMLParser(html).css_first("#save-settings") is None
    assert HTMLParser(html).css("#automation-form input, #automation-form select") == []
    assert "Ada Admin" not in html  # who saved is the user name
    assert ADMIN in node(html, "#last-modified").text()
    token = csrf_of(html)
    changed = form_of(POLICY, token, pendingActionExpiryDays="3")
    assert client.post(PAGE, data=changed).status_code == 403
    assert client.post(f"{PAGE}/edit", data=changed | {"op": "add-group"}).status_code == 403
    assert container.automation_settings.get() == saved


def test_save_needs_the_csrf_token(admin: TestClient, container: Container) -> None:
    response = admin.post(PAGE, data=form_of(POLICY, "forged"))
    assert response.status_code == 403
    assert container.automation_settings.modified() is None


def test_bad_network_is_shown_by_its_field_and_nothing_is_saved(
    admin: TestClient, container: Container
) -> None:
    html = admin.get(PAGE).text
    assert "Never changed" in node(html, "#last-modified").text()
    policy = {
        "deviceGroups": [
            {
                "name": "Servers",
                "automationLevel": "semiCoreFolders",
                "description": "kept as typed",
                "rules": [{"osPlatform": "Linux"}, {"ipRange": "10.0.0.1/8"}],
            }
        ],
        "pendingActionExpiryDays": 3,
    }
    response = admin.post(PAGE, data=form_of(policy, csrf_of(html)))
    assert response.status_code == 422
    html = response.text
    path = "deviceGroups[0].rules[1].ipRange"
    field = by_id(html, path)
    assert field.attributes["value"] == "10.0.0.1/8"
    assert field.attributes["aria-invalid"] == "true"
    assert "autofocus" in field.attributes  # the first field in error
    error = node(html, f"#{field_id(path)}-error")
    assert field.attributes["aria-describedby"] == error.attributes["id"]
    assert error.text() == "Host bits are set: did you mean 10.0.0.0/8?"
    assert "hidden" not in node(html, "#group-0-editor").attributes  # the editor is open
    assert "has-errors" in (node(html, "#group-0").attributes["class"] or "")
    assert by_id(html, "deviceGroups[0].description").attributes["value"] == "kept as typed"
    assert by_id(html, "pendingActionExpiryDays").attributes["value"] == "3"
    assert node(html, "#save-errors")
    assert container.automation_settings.get() == AutomationPolicy()
    assert container.automation_settings.modified() is None


def test_every_error_is_said_by_its_field(admin: TestClient, container: Container) -> None:
    csrf = csrf_of(admin.get(PAGE).text)
    policy = {
        "deviceGroups": [
            {"name": " ", "automationLevel": "full", "rules": [{}]},
            {"name": "Kiosks", "automationLevel": "full", "rules": [{"namePattern": "kiosk-*"}]},
            {"name": "kiosks", "automationLevel": "full", "rules": [{"tag": "k"}]},
            {"name": DEFAULT_GROUP_NAME, "automationLevel": "full", "rules": [{"tag": "x"}]},
            {"name": "Bad", "automationLevel": "bogus", "rules": [{"namePattern": "k-[1"}]},
            {"name": "Empty", "automationLevel": "full", "rules": []},
        ],
        "email": {"maxClusterSize": 0},
    }
    html = admin.post(PAGE, data=form_of(policy, csrf, pendingActionExpiryDays="a week")).text

    def error(path: str) -> str:
        return node(html, f"#{field_id(path)}-error").text()

    assert error("deviceGroups[0].name") == "Name the group."
    assert error("deviceGroups[0].rules[0]") == "Set at least one condition."
    assert error("deviceGroups[4].rules[0].namePattern") == "A '[' has no closing ']'."
    assert error("deviceGroups[2].name") == "Another device group already has this name."
    assert error("deviceGroups[5].rules").startswith("Add at least one rule")
    assert error("deviceGroups[3].name").startswith("This is the default group's name")
    assert error("deviceGroups[4].automationLevel") == "Choose an automation level."
    assert error("email.maxClusterSize") == "A whole number from 1 to 1,000,000."
    assert error("pendingActionExpiryDays") == "A whole number from 1 to 90."
    assert by_id(html, "pendingActionExpiryDays").attributes["value"] == "a week"
    assert container.automation_settings.modified() is None


def test_errors_are_in_french_for_a_french_user(client: TestClient, admins: None) -> None:
    assert login(client, FRENCH_ADMIN).status_code == 303
    html = client.get(PAGE).text
    assert node(html, "h1").text() == "Paramètres d\u2019automatisation"
    bad = {"deviceGroups": [{"name": "A", "automationLevel": "full", "rules": [{"ipRange": "x"}]}]}
    html = client.post(PAGE, data=form_of(bad, csrf_of(html), pendingActionExpiryDays="0")).text
    assert node(html, f"#{field_id('pendingActionExpiryDays')}-error").text() == (
        "Un nombre entier de 1 à 90."
    )
    assert "CIDR" in node(html, f"#{field_id('deviceGroups[0].rules[0].ipRange')}-error").text()
    assert "Rien n\u2019a été enregistré" in node(html, "#save-errors").text()


def test_valid_save_replaces_the_settings_and_shows_who_saved(
    admin: TestClient, container: Container, saved: AutomationPolicy
) -> None:
    csrf = csrf_of(admin.get(PAGE).text)
    policy = {
        "deviceGroups": [
            POLICY["deviceGroups"][1],
            {
                "name": "Kiosks",
                "automationLevel": "noAutomatedResponse",
                "description": "",
                "rules": [{"namePattern": "kiosk-*", "osPlatform": "Windows*"}],
            },
        ],
        "defaultAutomationLevel": "semiNonTempFolders",
        "email": {"autoSoftDeleteSimilarFiles": True, "maxClusterSize": 250},
        "pendingActionExpiryDays": 14,
    }
    response = admin.post(PAGE, data=form_of(policy, csrf, **{"email.maxClusterSize": "2,500"}))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{PAGE}?saved=1"
    stored = container.automation_settings.get().to_json()
    assert [(g["name"], g["rank"], g["automationLevel"]) for g in stored["deviceGroups"]] == [
        ("Linux servers", 1, "semiCoreFolders"),
        ("Kiosks", 2, "noAutomatedResponse"),
    ]
    assert stored["deviceGroups"][1]["rules"] == [
        {"namePattern": "kiosk-*", "tag": None, "osPlatform": "Windows*", "ipRange": None}
    ]
    assert stored["defaultAutomationLevel"] == "semiNonTempFolders"
    assert stored["email"] == {
        "autoSoftDeleteSimilarFiles": True,
        "autoSoftDeleteSimilarUrls": False,
        "maxClusterSize": 2500,
    }
    assert stored["pendingActionExpiryDays"] == 14
    modified = container.automation_settings.modified()
    assert modified is not None
    assert modified.by == ADMIN
    html = admin.get(response.headers["location"]).text
    assert node(html, "#saved-notice")
    assert ADMIN in node(html, "#last-modified").text()
    assert node(html, "#group-1 .col-name").text(strip=True) == "Kiosks"
    assert node(html, "#group-1 .col-level").text(strip=True) == "No automated response"
    assert by_id(html, "email.maxClusterSize").attributes["value"] == "2500"
    assert "checked" in by_id(html, "email.autoSoftDeleteSimilarFiles").attributes
    assert "checked" not in by_id(html, "email.autoSoftDeleteSimilarUrls").attributes


def test_editing_buttons_answer_the_form_and_save_nothing(
    admin: TestClient, container: Container, saved: AutomationPolicy
) -> None:
    csrf = csrf_of(admin.get(PAGE).text)
    response = admin.post(f"{PAGE}/edit", data=form_of(POLICY, csrf, op="add-group"))
    assert response.status_code == 200
    html = response.text
    name = by_id(html, "deviceGroups[2].name")
    assert name.attributes["value"] == ""
    assert "autofocus" in name.attributes
    assert "hidden" not in node(html, "#group-2-editor").attributes
    assert node(html, "input[name=open]").attributes["value"] == "2"
    assert "hidden" not in node(html, "[data-unsaved]").attributes
    moved = admin.post(f"{PAGE}/edit", data=form_of(POLICY, csrf, op="down:0")).text
    assert node(moved, "#group-0 .col-name").text(strip=True) == "Linux servers"
    assert "autofocus" in node(moved, "#group-1-up").attributes
    shown = admin.post(f"{PAGE}/edit", data=form_of(POLICY, csrf, op="edit:1")).text
    assert "hidden" in node(shown, "[data-unsaved]").attributes  # opening an editor is no change
    assert container.automation_settings.get() == saved


# --- In Chromium -------------------------------------------------------------------------------


@pytest.fixture
def server_url(container: Container, admins: None) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


@pytest.fixture
def page(browser: Any, server_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    # A refused save answers 422 with the form and its errors, the preview 400 while the unsaved
    # form is invalid; Chromium logs the status.
    expected = ("status of 422", "status of 400")
    with open_page(browser, server_url, request.node.name, height=900, expected=expected) as tab:
        yield tab


def field(page: Any, path: str) -> Any:
    return page.locator(f"#{field_id(path)}")


def describe_device(page: Any, name: str, os: str, ip: str, path: str, tags: str = "") -> None:
    page.fill("#preview-name", name)
    page.fill("#preview-os", os)
    page.fill("#preview-ip", ip)
    page.fill("#preview-tags", tags)
    page.fill("#preview-path", path)


def decision(page: Any, action_type: str) -> Any:
    return page.locator(f'#preview-result li[data-action-type="{action_type}"]')


def test_browser_add_a_group_with_rules_save_and_reload(page: Any, container: Container) -> None:
    sign_in(page, ADMIN)
    page.goto(PAGE)
    assert page.locator("h1").inner_text() == "Automation settings"
    expect(page.locator(".nav-link.is-active")).to_have_text("Automation")
    page.click("#add-group")
    name = field(page, "deviceGroups[0].name")
    expect(name).to_be_focused()
    name.fill("Linux servers")
    expect(page.locator("#group-0 [data-summary-name]")).to_have_text("Linux servers")
    field(page, "deviceGroups[0].automationLevel").select_option("semiCoreFolders")
    expect(page.locator("#group-0 [data-summary-level]")).to_have_text(
        "Semi - require approval for core folders remediation"
    )
    expect(page.locator("[data-unsaved]")).to_be_visible()
    field(page, "deviceGroups[0].rules[0].osPlatform").fill("Linux")
    field(page, "deviceGroups[0].rules[0].ipRange").fill("10.20.0.0/16")
    page.click("#group-0-add-rule")
    tag = field(page, "deviceGroups[0].rules[1].namePattern")
    expect(tag).to_be_focused()
    expect(field(page, "deviceGroups[0].rules[0].ipRange")).to_have_value("10.20.0.0/16")
    field(page, "deviceGroups[0].rules[1].tag").fill("web")
    assert container.automation_settings.modified() is None  # nothing saved yet
    page.click("#save-settings")
    page.wait_for_url(f"**{PAGE}?saved=1")
    expect(page.locator("#saved-notice")).to_be_visible()
    page.reload()
    row = page.locator("#group-0")
    expect(row.locator(".col-name")).to_have_text("Linux servers")
    expect(row.locator(".col-level")).to_have_text(
        "Semi - require approval for core folders remediation"
    )
    expect(row.locator(".col-rules")).to_contain_text("10.20.0.0/16")
    expect(row.locator(".col-rules")).to_contain_text("web")
    expect(page.locator("#last-modified")).to_contain_text(ADMIN)
    group = container.automation_settings.get().ranked_groups[0]
    assert (group.name, group.automation_level) == (
        "Linux servers",
        AutomationLevel.SEMI_CORE_FOLDERS,
    )
    assert [(r.os_platform, r.ip_range, r.tag) for r in group.rules] == [
        ("Linux", "10.20.0.0/16", None),
        (None, None, "web"),
    ]


def test_browser_shows_errors_by_their_fields(page: Any, container: Container) -> None:
    sign_in(page, ADMIN)
    page.goto(PAGE)
    page.click("#add-group")
    field(page, "deviceGroups[0].name").fill("Servers")
    field(page, "deviceGroups[0].rules[0].ipRange").fill("10.0.0.1/8")
    page.click("#save-settings")
    error = page.locator(f"#{field_id('deviceGroups[0].rules[0].ipRange')}-error")
    expect(error).to_have_text("Host bits are set: did you mean 10.0.0.0/8?")
    expect(field(page, "deviceGroups[0].rules[0].ipRange")).to_have_value("10.0.0.1/8")
    expect(field(page, "deviceGroups[0].rules[0].ipRange")).to_be_focused()
    expect(field(page, "deviceGroups[0].name")).to_have_value("Servers")
    assert container.automation_settings.modified() is None


def test_browser_moves_and_deletes_groups(
    page: Any, container: Container, saved: AutomationPolicy
) -> None:
    sign_in(page, ADMIN)
    page.goto(PAGE)
    expect(page.locator("#group-0-up")).to_be_disabled()
    page.click("#group-1-up")
    expect(page.locator("#group-0 .col-name")).to_have_text("Linux servers")
    expect(page.locator("#group-0-down")).to_be_focused()
    page.click("#group-1-edit")
    page.click("#group-1-delete")
    expect(page.locator("#group-1")).to_have_count(0)
    page.click("#save-settings")
    page.wait_for_url(f"**{PAGE}?saved=1")
    assert [g.name for g in container.automation_settings.get().ranked_groups] == ["Linux servers"]


def test_browser_preview_shows_the_group_and_what_automation_would_do(
    page: Any, container: Container, saved: AutomationPolicy
) -> None:
    sign_in(page, ADMIN)
    page.goto(PAGE)
    result = page.locator("#preview-result")
    expect(result).to_have_attribute("data-state", "ready")
    expect(page.locator(".preview-group")).to_have_text(DEFAULT_GROUP_NAME)
    describe_device(page, "web-07.contoso.com", "Linux", "10.20.3.4", "/usr/bin/xmrig")
    expect(page.locator(".preview-group")).to_have_text("Linux servers")
    expect(result).to_contain_text("rank 2")
    expect(result).to_contain_text("Core folder")
    quarantine = decision(page, "stopAndQuarantineFile")
    expect(quarantine).to_have_attribute("data-mode", "approval")
    expect(quarantine.locator(".mode-pill")).to_have_text("Approval required")
    expect(decision(page, "isolateDevice")).to_have_attribute("data-mode", "approval")
    page.fill("#preview-path", "/home/web/Downloads/xmrig")
    expect(quarantine).to_have_attribute("data-mode", "automatic")
    expect(quarantine.locator(".mode-pill")).to_have_text("Automatic")
    expect(result).to_contain_text("Temporary folder")
    page.fill("#preview-name", "dc-01.contoso.com")
    expect(page.locator(".preview-group")).to_have_text("Domain controllers")
    expect(quarantine).to_have_attribute("data-mode", "approval")

    # The unsaved form: the preview follows it before anything is saved.
    page.fill("#preview-name", "web-07.contoso.com")
    page.fill("#preview-path", "/usr/bin/xmrig")
    expect(quarantine).to_have_attribute("data-mode", "approval")
    page.click("#group-1-edit")
    field(page, "deviceGroups[1].automationLevel").select_option("full")
    expect(quarantine).to_have_attribute("data-mode", "automatic")
    field(page, "deviceGroups[1].rules[0].ipRange").fill("10.20.0.1/16")
    expect(result).to_have_attribute("data-state", "invalid")
    expect(field(page, "deviceGroups[1].rules[0].ipRange")).to_have_class(
        re.compile(r"is-invalid-live")
    )
    field(page, "deviceGroups[1].rules[0].ipRange").fill("10.20.0.0/16")
    expect(result).to_have_attribute("data-state", "ready")
    page.click("#add-group")  # an editing button: the preview runs again on the new form
    expect(result).to_have_attribute("data-state", "invalid")  # the new group has no name
    assert container.automation_settings.get() == saved


def test_browser_reader_sees_no_controls_but_can_preview(
    page: Any, container: Container, saved: AutomationPolicy
) -> None:
    sign_in(page, READER)
    page.goto(PAGE)
    expect(page.locator("#read-only-notice")).to_be_visible()
    assert page.locator("#save-settings, #add-group, #automation-form input").count() == 0
    describe_device(page, "srv.contoso.com", "Linux", "10.20.9.9", "/etc/cron.d/x")
    expect(page.locator(".preview-group")).to_have_text("Linux servers")
    expect(decision(page, "stopAndQuarantineFile")).to_have_attribute("data-mode", "approval")


def test_browser_french(page: Any, container: Container, saved: AutomationPolicy) -> None:
    sign_in(page, FRENCH_ADMIN)
    page.goto(PAGE)
    assert page.locator("h1").inner_text() == "Paramètres d\u2019automatisation"
    expect(page.locator(".nav-link.is-active")).to_have_text("Automatisation")
    expect(page.locator("#group-1 .col-level")).to_have_text(
        "Semi - approbation requise pour la correction des dossiers principaux"
    )
    expect(page.locator("#group-default .col-name")).to_have_text(
        "Appareils non groupés (par défaut)"
    )
    expect(page.locator("#email-settings h2")).to_have_text("E-mail")
    expect(page.locator("#save-settings")).to_have_text("Enregistrer")
    describe_device(page, "web-07.contoso.com", "Linux", "10.20.3.4", "/usr/bin/xmrig")
    quarantine = decision(page, "stopAndQuarantineFile")
    expect(quarantine.locator(".mode-pill")).to_have_text("Approbation requise")
    expect(page.locator("#preview-result")).to_contain_text("Dossier principal (système)")
    describe_device(page, "kiosk-7", "", "", "/usr/bin/xmrig")
    expect(page.locator(".preview-group")).to_have_text("Appareils non groupés (par défaut)")
    expect(quarantine.locator(".mode-pill")).to_have_text("Automatique")


def test_browser_screenshot_for_the_docs(page: Any, container: Container) -> None:
    """Three groups, one being edited, and a preview (copied to docs/images/automation-settings.png)."""
    policy = {
        **POLICY,
        "deviceGroups": [
            *POLICY["deviceGroups"],
            {
                "name": "Kiosks",
                "rank": 3,
                "automationLevel": "full",
                "description": "Shared lobby and shop-floor PCs",
                "rules": [{"namePattern": "kiosk-*", "osPlatform": "Windows*"}],
            },
        ],
    }
    container.automation_settings.put(admin_principal(), policy)
    sign_in(page, ADMIN)
    page.goto(PAGE)
    describe_device(page, "web-07.contoso.com", "Linux", "10.20.3.4", "/usr/bin/xmrig")
    expect(page.locator(".preview-group")).to_have_text("Linux servers")
    page.click("#group-1-edit")
    expect(page.locator("#group-1-editor")).to_be_visible()
    page.locator("main").click(position={"x": 5, "y": 5})  # no focus ring in the picture
    expect(decision(page, "stopAndQuarantineFile")).to_have_attribute("data-mode", "approval")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "automation-settings.png"))
