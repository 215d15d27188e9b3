"""The alert page's header actions: Resolve (one click or with a classification), Notify users
(compose form pre-filled from the evidence, EN/FR, errors, sending); over HTTP and in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from autoir.bootstrap import Container
from autoir.cli.server import create_app
from autoir.connectors.memory import InMemoryNotifier
from autoir.domain.alerts.enums import AlertClassification, AlertDetermination, AlertStatus
from tests.support.pages import SCREENSHOTS, open_page, serve

from .conftest import ANALYST, FRENCH, READER, csrf_of, login, sign_in

PHISH = 1  # "Phish delivered to mailbox" to alice@fabrikam.example (conftest.ALERTS)


def _outbox(container: Container) -> InMemoryNotifier:
    notifier = container.automation.remediation.notifier
    assert isinstance(notifier, InMemoryNotifier)
    return notifier


def _textarea(html: str, element_id: str) -> str:
    found = re.search(rf'<textarea id="{element_id}"[^>]*>(.*?)</textarea>', html, re.DOTALL)
    assert found, f"no textarea #{element_id}"
    return found.group(1)


def _notify(client: TestClient, csrf: str, alert_id: str, **fields: str) -> Any:
    """Send the Notify users form of ``alert_id``."""
    return client.post(f"/alerts/{alert_id}/notify", data={"csrf_token": csrf, **fields})


# --- Over HTTP ---------------------------------------------------------------------------------


def test_alert_page_offers_resolve_and_notify_to_managers_only(
    client: TestClient, alert_ids: list[str]
) -> None:
    assert login(client).status_code == 303
    page = client.get(f"/alerts/{alert_ids[PHISH]}").text
    assert 'id="resolve-alert"' in page
    assert 'id="notify-users"' in page
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    client.cookies.clear()
    assert login(client, READER).status_code == 303
    page = client.get(f"/alerts/{alert_ids[PHISH]}").text
    assert 'id="resolve-alert"' not in page
    assert 'id="notify-users"' not in page
    assert client.get(f"/alerts/{alert_ids[PHISH]}/notify").status_code == 403


def test_compose_form_is_prefilled_from_the_draft(
    analyst: TestClient, alert_ids: list[str]
) -> None:
    page = analyst.get(f"/alerts/{alert_ids[PHISH]}/notify")
    assert page.status_code == 200
    assert _textarea(page.text, "notify-recipients") == "alice@fabrikam.example"
    assert 'value="Security notice: Phish delivered to mailbox"' in page.text
    body = _textarea(page.text, "notify-body")
    assert body.startswith("Hello,")
    assert "What you should do" in body
    assert "1 address from the alert's evidence." in page.text
    french = analyst.get(f"/alerts/{alert_ids[PHISH]}/notify?locale=fr").text
    assert "Avis de sécurité : Phish delivered to mailbox" in french
    assert _textarea(french, "notify-body").startswith("Bonjour,")
    assert 'name="locale" value="fr"' in french


def test_french_analyst_gets_a_french_form_and_draft(
    client: TestClient, alert_ids: list[str]
) -> None:
    assert login(client, FRENCH).status_code == 303
    page = client.get(f"/alerts/{alert_ids[PHISH]}/notify").text
    assert "Avertir les utilisateurs" in page
    assert "Destinataires" in page
    assert _textarea(page, "notify-body").startswith("Bonjour,")
    english = client.get(f"/alerts/{alert_ids[PHISH]}/notify?locale=en").text
    assert _textarea(english, "notify-body").startswith("Hello,")
    # An unknown language falls back to the viewer's.
    unknown = client.get(f"/alerts/{alert_ids[PHISH]}/notify?locale=xx").text
    assert _textarea(unknown, "notify-body").startswith("Bonjour,")


def test_sending_mails_the_users_and_records_a_comment(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    alert_id = alert_ids[PHISH]
    response = _notify(
        analyst,
        csrf,
        alert_id,
        recipients="alice@fabrikam.example\nbob@fabrikam.example, ALICE@fabrikam.example",
        subject="Security notice: Phish delivered to mailbox",
        body="Hello,\n\nPlease delete the message.",
        locale="en",
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/alerts/{alert_id}?notified=2"
    [mail] = _outbox(container).outbox
    assert mail.notification.recipients == ("alice@fabrikam.example", "bob@fabrikam.example")
    assert mail.notification.body == "Hello,\n\nPlease delete the message."
    _, comments = container.alerts.get(alert_id)
    assert [c.comment.splitlines()[0] for c in comments] == [
        "Notified 2 users: alice@fabrikam.example, bob@fabrikam.example"
    ]
    assert comments[0].created_by == "Ana Analyst"
    page = analyst.get(response.headers["location"]).text
    assert "Notification sent to 2 users." in page
    assert "Notified 2 users" in page


def test_bad_input_comes_back_on_the_form_with_what_was_typed(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    alert_id = alert_ids[PHISH]
    response = _notify(
        analyst,
        csrf,
        alert_id,
        recipients="alice@fabrikam.example, alice-at-fabrikam",
        subject="",
        body="Kept text",
        locale="en",
    )
    assert response.status_code == 422
    assert "Nothing was sent." in response.text
    assert "alice-at-fabrikam is not an email address." in response.text
    assert "The subject must be one line of at most 255 characters." in response.text
    assert (
        _textarea(response.text, "notify-recipients") == "alice@fabrikam.example, alice-at-fabrikam"
    )
    assert _textarea(response.text, "notify-body") == "Kept text"
    empty = _notify(analyst, csrf, alert_id, recipients=" ", subject="s", body="b")
    assert empty.status_code == 422
    assert "Add at least one recipient." in empty.text
    assert _outbox(container).outbox == []
    assert container.alerts.get(alert_id)[1] == []


def test_errors_are_in_french_for_a_french_analyst(
    client: TestClient, container: Container, alert_ids: list[str]
) -> None:
    assert login(client, FRENCH).status_code == 303
    csrf = csrf_of(client.get("/dashboard").text)
    response = _notify(client, csrf, alert_ids[PHISH], recipients="nope", subject="s", body=" ")
    assert response.status_code == 422
    assert "Rien n\u2019a été envoyé." in response.text
    assert "nope n\u2019est pas une adresse e-mail." in response.text
    assert "Le message ne doit être ni vide" in response.text


def test_notify_needs_the_csrf_token_and_the_manage_permission(
    client: TestClient, container: Container, alert_ids: list[str]
) -> None:
    assert login(client).status_code == 303
    data = {"recipients": "alice@fabrikam.example", "subject": "s", "body": "b"}
    assert client.post(f"/alerts/{alert_ids[PHISH]}/notify", data=data).status_code == 403
    client.cookies.clear()
    assert login(client, READER).status_code == 303
    csrf = csrf_of(client.get("/dashboard").text)
    response = client.post(f"/alerts/{alert_ids[PHISH]}/notify", data={**data, "csrf_token": csrf})
    assert response.status_code == 403
    assert (
        client.post(f"/alerts/{alert_ids[PHISH]}/resolve", data={"csrf_token": csrf}).status_code
        == 403
    )
    assert _outbox(container).outbox == []
    assert container.alerts.get(alert_ids[PHISH])[0].status is AlertStatus.NEW


def test_a_failing_mail_server_is_said_on_the_form(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    _outbox(container).fail_next()
    response = _notify(
        analyst, csrf, alert_ids[PHISH], recipients="alice@fabrikam.example", subject="s", body="b"
    )
    assert response.status_code == 502
    assert "The mail could not be sent:" in response.text
    assert container.alerts.get(alert_ids[PHISH])[1] == []


def test_unknown_alert_is_a_404_page(analyst: TestClient, csrf: str) -> None:
    assert analyst.get("/alerts/no-such-alert/notify").status_code == 404
    assert (
        analyst.post("/alerts/no-such-alert/resolve", data={"csrf_token": csrf}).status_code == 404
    )


def test_resolve_in_one_click_keeps_assignment_and_classification(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    alert_id = alert_ids[0]
    analyst.post(
        f"/alerts/{alert_id}/manage",
        data={
            "csrf_token": csrf,
            "status": "inProgress",
            "assign": "user",
            "assigned_to": ANALYST,
            "classification": "truePositive",
            "determination": "malware",
            "tags": "linux",
        },
    )
    response = analyst.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == f"/alerts/{alert_id}?resolved=1"
    alert, _ = container.alerts.get(alert_id)
    assert alert.status is AlertStatus.RESOLVED
    assert alert.resolved is not None
    assert alert.assigned_to == ANALYST
    assert alert.determination is AlertDetermination.MALWARE
    assert alert.tags == ("linux",)
    page = analyst.get(response.headers["location"]).text
    assert "Alert resolved." in page
    assert 'id="resolve-alert"' not in page  # nothing left to resolve


def test_resolve_as_sets_classification_and_checks_the_pair(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    alert_id = alert_ids[3]
    wrong = analyst.post(
        f"/alerts/{alert_id}/resolve",
        data={"csrf_token": csrf, "classification": "falsePositive", "determination": "malware"},
    )
    assert wrong.status_code == 422
    assert "does not belong to the chosen classification" in wrong.text
    assert container.alerts.get(alert_id)[0].status is AlertStatus.NEW
    response = analyst.post(
        f"/alerts/{alert_id}/resolve",
        data={
            "csrf_token": csrf,
            "classification": "informationalExpectedActivity",
            "determination": "securityTesting",
        },
    )
    assert response.status_code == 303
    alert, _ = container.alerts.get(alert_id)
    assert alert.status is AlertStatus.RESOLVED
    assert alert.classification is AlertClassification.INFORMATIONAL_EXPECTED_ACTIVITY
    assert alert.determination is AlertDetermination.SECURITY_TESTING


# --- In Chromium -------------------------------------------------------------------------------


@pytest.fixture
def server_url(container: Container, alert_ids: list[str]) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


@pytest.fixture
def page(browser: Any, server_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    # A form sent back with errors answers 422, which Chromium logs; anything else is a failure.
    with open_page(browser, server_url, request.node.name, expected=("status of 422",)) as tab:
        yield tab


def test_browser_notify_users_from_the_alert_page(
    page: Any, container: Container, alert_ids: list[str]
) -> None:
    sign_in(page)
    page.goto(f"/alerts/{alert_ids[PHISH]}")
    page.click("#notify-users")
    page.wait_for_url(re.compile(f"/alerts/{alert_ids[PHISH]}/notify$"))
    assert page.input_value("#notify-recipients") == "alice@fabrikam.example"
    assert page.input_value("#notify-subject") == "Security notice: Phish delivered to mailbox"
    assert "What you should do" in page.input_value("#notify-body")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "notify-compose-form.png"), full_page=True)
    page.fill("#notify-recipients", "alice@fabrikam.example\ncarol-at-fabrikam")
    page.click("#notify-send")
    page.wait_for_selector(".notice-error")
    assert (
        "carol-at-fabrikam is not an email address." in page.locator(".notice-error").inner_text()
    )
    assert _outbox(container).outbox == []
    page.screenshot(path=str(SCREENSHOTS / "notify-compose-errors.png"), full_page=True)
    page.fill("#notify-recipients", "alice@fabrikam.example\ncarol@fabrikam.example")
    page.click("#notify-send")
    page.wait_for_url(re.compile(r"\?notified=2$"))
    assert "Notification sent to 2 users." in page.locator(".notice-success").inner_text()
    [mail] = _outbox(container).outbox
    assert mail.notification.recipients == ("alice@fabrikam.example", "carol@fabrikam.example")
    assert mail.notification.subject == "Security notice: Phish delivered to mailbox"
    page.click('[role=tab][aria-controls="tab-comments"]')
    assert "Notified 2 users" in page.locator("#tab-comments").inner_text()


def test_browser_compose_form_in_french(page: Any, alert_ids: list[str]) -> None:
    sign_in(page, FRENCH)
    page.goto(f"/alerts/{alert_ids[PHISH]}")
    page.click("#notify-users")
    page.wait_for_selector("#notify-form")
    assert page.locator("h1").inner_text() == "Avertir les utilisateurs"
    assert page.input_value("#notify-body").startswith("Bonjour,")
    page.screenshot(path=str(SCREENSHOTS / "notify-compose-form-fr.png"), full_page=True)
    page.click(".draft-languages a[lang=en]")
    page.wait_for_url(re.compile(r"locale=en"))
    assert page.input_value("#notify-body").startswith("Hello,")


def test_browser_resolve_and_resolve_as(
    page: Any, container: Container, alert_ids: list[str]
) -> None:
    sign_in(page)
    page.goto(f"/alerts/{alert_ids[0]}")
    page.click("#resolve-alert")
    page.wait_for_url(re.compile(r"\?resolved=1$"))
    assert "Alert resolved." in page.locator(".notice-success").inner_text()
    assert container.alerts.get(alert_ids[0])[0].status is AlertStatus.RESOLVED
    assert page.locator("#resolve-alert").count() == 0
    page.goto(f"/alerts/{alert_ids[3]}")
    page.click("#resolve-as")
    page.select_option("#resolve-classification", "falsePositive")
    page.select_option("#resolve-determination", "notMalicious")
    page.screenshot(path=str(SCREENSHOTS / "resolve-as-menu.png"))
    page.click("#resolve-as-submit")
    page.wait_for_url(re.compile(r"\?resolved=1$"))
    alert, _ = container.alerts.get(alert_ids[3])
    assert alert.status is AlertStatus.RESOLVED
    assert alert.classification is AlertClassification.FALSE_POSITIVE
    assert alert.determination is AlertDetermination.NOT_MALICIOUS
