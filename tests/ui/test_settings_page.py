"""The Settings page (``/settings``): the mail server, alert notification rules, users and roles.

Over HTTP: who may open it, the mail server unconfigured (the variables to set) and configured
(the connection without secrets, the last scan, Scan now), and the notification rules: added,
refused with each error by its field and the input kept, edited, turned off, tested (and a
failing mail server said plainly), deleted after a confirmation; CSRF; French.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from autoir.bootstrap import Container, build
from autoir.cli.server import create_app
from autoir.connectors.memory.notifier import InMemoryNotifier
from autoir.domain.access.permissions import BUILTIN_ROLES, Principal
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.services.mailbox_ingest import LAST_SCAN_KEY
from autoir.settings import MailSettings, Settings
from autoir.ui.routes.settings_page import SOURCE_CHOICES, RuleForm, rule_errors

from .conftest import PASSWORD, READER, csrf_of, login

ADMIN = "ada@fabrikam.example"
FRENCH_ADMIN = "claire@fabrikam.example"
ROLE = "Security administrator"
SOC = {
    "name": "SOC on-call",
    "recipients": ["soc@fabrikam.example", "oncall@fabrikam.example"],
    "severities": ["high", "medium"],
    "serviceSources": [],
    "locale": "en",
}
MAIL_TEAM = {
    "name": "Mail team",
    "recipients": ["mail-admins@fabrikam.example"],
    "severities": ["high"],
    "serviceSources": ["microsoftDefenderForOffice365"],
    "locale": "fr",
    "enabled": False,
}


def admin_principal() -> Principal:
    return Principal(ADMIN, "Ada Admin", ROLE, BUILTIN_ROLES[ROLE][1])


def add_admins(container: Container) -> None:
    container.access.create_user(ADMIN, PASSWORD, ROLE, "Ada Admin")
    container.access.create_user(FRENCH_ADMIN, PASSWORD, ROLE, "Claire Dubois", "fr")


@pytest.fixture
def admin(client: TestClient, container: Container) -> TestClient:
    add_admins(container)
    assert login(client, ADMIN).status_code == 303
    return client


@pytest.fixture
def token(admin: TestClient) -> str:
    return csrf_of(admin.get("/settings").text)


@pytest.fixture
def rules(container: Container) -> None:
    container.alert_notifications.put_rules(admin_principal(), [SOC, MAIL_TEAM])


def node(html: str, selector: str) -> Node:
    found = HTMLParser(html).css_first(selector)
    assert found is not None, f"nothing matches {selector}"
    return found


def nodes(html: str, selector: str) -> list[Node]:
    return list(HTMLParser(html).css(selector))


def rule_form(csrf: str, original: str = "", **fields: Any) -> dict[str, Any]:
    """What the browser posts for the add/edit form."""
    data: dict[str, Any] = {
        "csrf_token": csrf,
        "original": original,
        "name": "Identity team",
        "recipients": "id-team@fabrikam.example",
        "severities": ["high"],
        "locale": "en",
        "enabled": "true",
    }
    return data | fields


# --- Who may open it -------------------------------------------------------------------------


def test_the_page_needs_the_settings_permission(client: TestClient, container: Container) -> None:
    add_admins(container)
    assert login(client, READER).status_code == 303
    assert client.get("/settings").status_code == 403
    csrf = csrf_of(client.get("/dashboard").text)
    refused = client.post("/settings/notifications", data=rule_form(csrf))
    assert refused.status_code == 403
    assert container.alert_notifications.rules() == []


def test_the_navigation_leads_to_the_real_page(admin: TestClient) -> None:
    page = admin.get("/settings")
    assert page.status_code == 200
    assert node(page.text, "h1").text() == "Settings"
    assert node(page.text, ".nav-link.is-active").attributes["href"] == "/settings"
    assert "Not available yet" not in page.text
    assert {s.attributes["id"] for s in nodes(page.text, "section.settings-section")} == {
        "mail",
        "notifications",
        "access",
    }
    access = node(page.text, "#access").text()
    for command in ("autoir user", "autoir role", "autoir token"):
        assert command in access


def test_forms_need_the_csrf_token(admin: TestClient, container: Container) -> None:
    assert admin.post("/settings/notifications", data=rule_form("wrong")).status_code == 403
    assert admin.post("/settings/mail/scan", data={}).status_code == 403
    assert container.alert_notifications.rules() == []


# --- Mail server -----------------------------------------------------------------------------


def test_without_a_mail_server_the_page_says_what_to_set(admin: TestClient, token: str) -> None:
    page = admin.get("/settings")
    section = node(page.text, "#mail")
    assert "No mail server is configured." in section.text()
    variables = {code.text() for code in section.css(".env-list code")}
    assert variables == {
        "AUTOIR_MAIL__IMAP_HOST",
        "AUTOIR_MAIL__MASTER_USER",
        "AUTOIR_MAIL__MASTER_PASSWORD",
        "AUTOIR_MAIL__MAILBOXES",
        "AUTOIR_MAIL__MAILBOXES_FILE",
        "AUTOIR_MAIL__REPORT_MAILBOX",
    }
    assert "Connecting a mail server" in node(page.text, "#mail-readme").text()
    assert section.css_first("#scan-now") is None
    refused = admin.post("/settings/mail/scan", data={"csrf_token": token})
    assert refused.status_code == 409
    assert node(refused.text, "#scan-error").text() == (
        "No mail server is configured, so there is nothing to scan."
    )


class FakePoller:
    def __init__(self, *, running: bool) -> None:
        self.running = running
        self.requests = 0

    def request_scan(self) -> None:
        self.requests += 1

    def stop(self) -> None:
        self.running = False


LAST_SCAN = {
    "startedDateTime": "2026-03-02T08:00:00Z",
    "finishedDateTime": "2026-03-02T08:01:30Z",
    "mailboxes": 1250,
    "folders": 6210,
    "messages": 48211,
    "created": 312,
    "updated": 20,
    "analysed": 312,
    "detections": 2,
    "reports": 1,
    "alertIds": ["fa0123456789", "fa0987654321"],
    "failed": {"bob@fabrikam.example": "LOGIN failed"},
}


@pytest.fixture
def mail_container(tmp_path: Path, seeded_data_dir: Path) -> Iterator[Container]:
    """A container with a mail server configured (nothing connects to it in these tests)."""
    data_dir = tmp_path / "mail-data"
    shutil.copytree(seeded_data_dir, data_dir)
    mail = MailSettings(
        imap_host="127.0.0.1",
        imap_port=1,
        imap_security="plain",
        master_user="autoir-admin",
        master_password="never-shown-secret",
        mailboxes=["alice@fabrikam.example", "bob@fabrikam.example"],
        report_mailbox="phish@fabrikam.example",
        poll_seconds=90,
    )
    built = build(Settings(data_dir=data_dir, mail=mail))
    add_admins(built)
    yield built
    built.close()


@pytest.fixture
def mail_admin(mail_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(mail_container), follow_redirects=False) as test_client:
        assert login(test_client, ADMIN).status_code == 303
        yield test_client


def test_a_configured_mail_server_shows_its_connection_and_last_scan(
    mail_admin: TestClient, mail_container: Container
) -> None:
    with mail_container.ctx.uow() as uow:
        uow.system.put(LAST_SCAN_KEY, json.dumps(LAST_SCAN))
        uow.commit()
    page = mail_admin.get("/settings")
    assert "never-shown-secret" not in page.text
    connection = {
        div.css_first("dt").text(): div.css_first("dd").text()
        for div in nodes(page.text, "#mail-connection > div")
    }
    assert connection["IMAP server"] == "127.0.0.1:1 · no encryption"
    assert connection["ManageSieve server"] == "127.0.0.1:4190 · STARTTLS"
    assert connection["Administrator user"] == "autoir-admin"
    assert connection["Mailboxes read"] == "3"  # the two listed and the report mailbox
    assert connection["Report mailbox"] == "phish@fabrikam.example"
    assert connection["Scan interval"] == "90 s"
    scan = node(page.text, "#last-scan")
    figures = [li.text(strip=True, separator=" ") for li in scan.css(".scan-figures li")]
    assert figures[:3] == ["1,250 mailboxes", "6,210 folders", "48,211 messages read"]
    assert "Mar 2, 2026 08:00" in scan.text()
    links = [a.attributes["href"] for a in scan.css(".scan-alerts a")]
    assert links == ["/alerts/fa0123456789", "/alerts/fa0987654321"]
    assert "bob@fabrikam.example — LOGIN failed" in node(page.text, "#scan-failed").text()


def test_scan_now_asks_the_running_poller(
    mail_admin: TestClient, mail_container: Container
) -> None:
    page = mail_admin.get("/settings")
    assert "No scan yet." in node(page.text, "#last-scan").text()
    csrf = csrf_of(page.text)
    stopped = FakePoller(running=False)
    mail_container.automation.mail_poller = stopped  # type: ignore[assignment]
    refused = mail_admin.post("/settings/mail/scan", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert "autoir mail scan" in node(refused.text, "#scan-error").text()
    assert stopped.requests == 0
    running = FakePoller(running=True)
    mail_container.automation.mail_poller = running  # type: ignore[assignment]
    asked = mail_admin.post("/settings/mail/scan", data={"csrf_token": csrf})
    assert asked.status_code == 303
    assert asked.headers["location"] == "/settings?scan=requested#mail"
    assert running.requests == 1
    shown = mail_admin.get(asked.headers["location"])
    assert "A scan of every mailbox was requested" in node(shown.text, "#scan-notice").text()
    assert "Running" in node(shown.text, "#mail-connection").text()


# --- Alert notification rules ----------------------------------------------------------------


def test_the_rules_are_listed(admin: TestClient, rules: None) -> None:
    page = admin.get("/settings")
    rows = nodes(page.text, ".rules-table tbody tr")
    cells = [[td.text(strip=True) for td in row.css("td")][:6] for row in rows]
    assert cells == [
        [
            "SOC on-call",
            "soc@fabrikam.example,oncall@fabrikam.example",
            "High, Medium",
            "All sources",
            "English",
            "On",
        ],
        [
            "Mail team",
            "mail-admins@fabrikam.example",
            "High",
            "Defender for Office 365",
            "Français",
            "Off",
        ],
    ]
    assert "is-off" in (rows[1].attributes["class"] or "")


def test_no_rule_yet(admin: TestClient) -> None:
    page = admin.get("/settings")
    assert node(page.text, "#no-rules").text() == "No rule yet: new alerts mail nobody."
    assert node(page.text, "#add-rule").attributes["href"] == "/settings?add=1"
    assert HTMLParser(page.text).css_first("#rule-form") is None


def test_the_add_form_has_labels_and_defaults(admin: TestClient) -> None:
    page = admin.get("/settings?add=1")
    form = node(page.text, "#rule-form")
    assert form.attributes["action"] == "/settings/notifications"
    for control in form.css("input:not([type=hidden]), textarea, select"):
        control_id = control.attributes["id"]
        label = form.css_first(f'label[for="{control_id}"]')
        assert label is not None or control.parent.tag == "label", control_id
    checked = {i.attributes["value"] for i in form.css("input[name=severities][checked]")}
    assert checked == {"high", "medium"}
    sources = [i.attributes["value"] for i in form.css("input[name=serviceSources]")]
    assert sources == list(SOURCE_CHOICES)
    assert "unknownFutureValue" not in sources
    assert form.css("input[name=serviceSources][checked]") == []
    assert "autofocus" in node(page.text, "#rule-name").attributes


def test_a_bad_address_is_shown_by_its_field_with_the_input_kept(
    admin: TestClient, token: str, container: Container
) -> None:
    typed = "soc@fabrikam.example, not-an-address\nsecond@fabrikam.example"
    answer = admin.post(
        "/settings/notifications",
        data=rule_form(token, name="SOC", recipients=typed, severities=["low"]),
    )
    assert answer.status_code == 400
    assert container.alert_notifications.rules() == []
    assert node(answer.text, "#rule-errors").text(strip=True).startswith("Nothing was saved")
    assert node(answer.text, "#rule-recipients-error").text() == (
        "“not-an-address” is not an email address."
    )
    textarea = node(answer.text, "#rule-recipients")
    assert textarea.text() == typed
    assert textarea.attributes["aria-invalid"] == "true"
    assert "rule-recipients-error" in (textarea.attributes["aria-describedby"] or "")
    assert "autofocus" in textarea.attributes
    assert node(answer.text, "#rule-name").attributes["value"] == "SOC"
    assert "checked" in node(answer.text, "#rule-severity-low").attributes
    assert "checked" not in node(answer.text, "#rule-severity-high").attributes


def test_every_error_is_said_by_its_field(
    admin: TestClient, token: str, container: Container, rules: None
) -> None:
    answer = admin.post(
        "/settings/notifications", data=rule_form(token, name=" ", recipients=" ", severities=[])
    )
    assert answer.status_code == 400
    assert node(answer.text, "#rule-name-error").text() == (
        "Give the rule a name of 1 to 100 characters."
    )
    assert node(answer.text, "#rule-recipients-error").text() == "Name at least one recipient."
    assert node(answer.text, "#rule-severities-error").text() == "Choose at least one severity."
    assert "autofocus" in node(answer.text, "#rule-name").attributes
    taken = admin.post("/settings/notifications", data=rule_form(token, name="soc ON-CALL"))
    assert taken.status_code == 400
    assert node(taken.text, "#rule-name-error").text() == "Another rule already has this name."
    assert len(container.alert_notifications.rules()) == 2


def test_a_valid_rule_is_added_and_the_page_says_so(
    admin: TestClient, token: str, container: Container
) -> None:
    answer = admin.post(
        "/settings/notifications",
        data=rule_form(
            token,
            recipients="A@fabrikam.example,\nb@fabrikam.example; c@fabrikam.example",
            serviceSources=["microsoftDefenderForIdentity", "azureAdIdentityProtection"],
            locale="fr",
        ),
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/settings?saved=saved&rule=Identity%20team#notifications"
    (rule,) = container.alert_notifications.rules()
    assert rule.to_json() == {
        "name": "Identity team",
        "enabled": True,
        "recipients": ["a@fabrikam.example", "b@fabrikam.example", "c@fabrikam.example"],
        "severities": ["high"],
        "serviceSources": ["azureAdIdentityProtection", "microsoftDefenderForIdentity"],
        "locale": "fr",
    }
    page = admin.get(answer.headers["location"])
    assert node(page.text, "#rules-notice").text(strip=True) == (
        "The rule “Identity team” was saved."
    )
    assert node(page.text, "#rule-0 .col-sources").text() == (
        "Entra ID Protection, Defender for Identity"
    )


def test_editing_keeps_the_other_rules_in_their_place(
    admin: TestClient, token: str, container: Container, rules: None
) -> None:
    page = admin.get("/settings?edit=Mail%20team")
    form = node(page.text, "#rule-form")
    assert node(page.text, "#rule-form-title").text() == "Edit the rule “Mail team”"
    assert form.css_first("textarea").text() == "mail-admins@fabrikam.example"
    assert "checked" in node(page.text, 'input[value="microsoftDefenderForOffice365"]').attributes
    assert "checked" not in node(page.text, "#rule-enabled").attributes
    answer = admin.post(
        "/settings/notifications",
        data=rule_form(
            token,
            original="Mail team",
            name="Mail admins",
            recipients="mail-admins@fabrikam.example",
            severities=["high", "medium"],
            locale="fr",
        ),
    )
    assert answer.status_code == 303
    names = [r.name for r in container.alert_notifications.rules()]
    assert names == ["SOC on-call", "Mail admins"]
    edited = container.alert_notifications.rules()[1]
    assert edited.enabled
    assert edited.service_sources == frozenset()


def test_editing_a_rule_deleted_meanwhile_says_so(
    admin: TestClient, token: str, container: Container, rules: None
) -> None:
    answer = admin.post("/settings/notifications", data=rule_form(token, original="Gone"))
    assert answer.status_code == 409
    assert "No rule is named “Gone” any more" in node(answer.text, "#rules-problem").text()
    assert len(container.alert_notifications.rules()) == 2
    stale = admin.get("/settings?edit=Gone")
    assert "No rule is named “Gone” any more" in node(stale.text, "#rules-problem").text()


def test_turn_a_rule_off_and_on(
    admin: TestClient, token: str, container: Container, rules: None
) -> None:
    off = admin.post(
        "/settings/notifications/toggle", data={"csrf_token": token, "name": SOC["name"]}
    )
    assert off.status_code == 303
    assert off.headers["location"] == "/settings?saved=disabled&rule=SOC%20on-call#notifications"
    assert not container.alert_notifications.rules()[0].enabled
    page = admin.get(off.headers["location"])
    assert "is off" in node(page.text, "#rules-notice").text()
    assert node(page.text, "#rule-0 .col-state").text(strip=True) == "Off"
    on = admin.post(
        "/settings/notifications/toggle", data={"csrf_token": token, "name": "soc on-call"}
    )
    assert on.headers["location"].startswith("/settings?saved=enabled")
    assert container.alert_notifications.rules()[0].enabled


def test_delete_asks_first_then_deletes(
    admin: TestClient, token: str, container: Container, rules: None
) -> None:
    page = admin.get("/settings?delete=SOC%20on-call")
    confirm = node(page.text, "#confirm-delete")
    assert "Delete the rule “SOC on-call”?" in confirm.text()
    form = confirm.css_first("form")
    assert form is not None
    assert form.attributes["action"] == "/settings/notifications/delete"
    assert len(container.alert_notifications.rules()) == 2
    deleted = admin.post(
        "/settings/notifications/delete", data={"csrf_token": token, "name": "SOC on-call"}
    )
    assert deleted.status_code == 303
    assert [r.name for r in container.alert_notifications.rules()] == ["Mail team"]
    shown = admin.get(deleted.headers["location"])
    assert (
        node(shown.text, "#rules-notice").text(strip=True) == "The rule “SOC on-call” was deleted."
    )


def test_send_test_mails_the_recipients(
    admin: TestClient, token: str, container: Container, rules: None
) -> None:
    notifier = container.automation.remediation.notifier
    assert isinstance(notifier, InMemoryNotifier)
    sent = admin.post(
        "/settings/notifications/test", data={"csrf_token": token, "name": "SOC on-call"}
    )
    assert sent.status_code == 303
    (mail,) = notifier.outbox
    assert tuple(mail.notification.recipients) == (
        "soc@fabrikam.example",
        "oncall@fabrikam.example",
    )
    page = admin.get(sent.headers["location"])
    assert node(page.text, "#rules-notice").text(strip=True) == (
        "A test mail of the rule “SOC on-call” was sent to "
        "soc@fabrikam.example, oncall@fabrikam.example."
    )


@pytest.mark.parametrize("transient", [True, False])
def test_a_failing_mail_server_is_said_plainly(
    admin: TestClient, token: str, container: Container, rules: None, transient: bool
) -> None:
    notifier = container.automation.remediation.notifier
    assert isinstance(notifier, InMemoryNotifier)
    notifier.fail_next(transient=transient)
    answer = admin.post(
        "/settings/notifications/test", data={"csrf_token": token, "name": "SOC on-call"}
    )
    assert answer.status_code == 502
    problem = node(answer.text, "#rules-problem").text()
    assert problem.startswith("The test mail of “SOC on-call” was not sent: ")
    assert "Traceback" not in answer.text
    assert notifier.outbox == []


def test_french(client: TestClient, container: Container, rules: None) -> None:
    add_admins(container)
    assert login(client, FRENCH_ADMIN).status_code == 303
    page = client.get("/settings")
    assert node(page.text, "h1").text() == "Paramètres"
    assert node(page.text, "#notifications-title").text() == "Notifications d\u2019alertes"
    assert node(page.text, "#rule-1 .col-sources").text() == "Defender pour Office 365"
    answer = client.post(
        "/settings/notifications",
        data=rule_form(csrf_of(page.text), recipients="pas-une-adresse"),
    )
    assert answer.status_code == 400
    assert node(answer.text, "#rule-recipients-error").text() == (
        "« pas-une-adresse » n\u2019est pas une adresse e-mail."
    )


def test_errors_of_other_rules_are_listed_apart() -> None:
    form = RuleForm(name="x", recipients_text="a@b.example")
    exc = ValidationFailed(
        [
            FieldError("[0].name", "two rules are named 'x'"),
            FieldError("[1].name", "two rules are named 'x'"),
            FieldError("value", "at most 50 rules"),
        ]
    )
    by_field, others = rule_errors(exc, 1, form, lambda m: m, str)
    assert by_field == {"name": ["Another rule already has this name."]}
    assert others == ["[0].name: two rules are named 'x'", "value: at most 50 rules"]
