"""Notify users: drafts from the alert's evidence (EN/FR), sending, the alert comment, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from autoir.bootstrap import Container
from autoir.connectors.memory import InMemoryNotifier
from autoir.domain.errors import ValidationFailed
from autoir.domain.notifications.recipients import MAX_RECIPIENTS, check_message, is_email_address
from tests.conftest import ApiClient
from tests.support import alerts as A

PHISH_SUBJECT = "Your mailbox is full - verify now"


def _phish() -> dict[str, Any]:
    return A.alert(
        title="Phish delivered to mailbox",
        serviceSource="microsoftDefenderForOffice365",
        detectionSource="microsoftDefenderForOffice365",
        category="InitialAccess",
        firstActivityDateTime="2025-03-03T09:15:00Z",
        evidence=[
            {
                "@odata.type": A.ODATA + "analyzedMessageEvidence",
                "networkMessageId": "nmid-notify-1",
                "recipientEmailAddress": "Bob@Fabrikam.example",
                "subject": PHISH_SUBJECT,
                "p1Sender": {"emailAddress": "bounce@evil.example"},
                "p2Sender": {"emailAddress": "it-support@evil.example"},
                "urls": ["https://evil.example/login"],
            },
            {
                "@odata.type": A.ODATA + "mailboxEvidence",
                "primaryAddress": "carol@fabrikam.example",
            },
            A.user("bob@fabrikam.example"),
            {
                "@odata.type": A.ODATA + "submissionMailEvidence",
                "recipient": "dave@fabrikam.example",
                "sender": "it-support@evil.example",
            },
            {**A.user("mallory@fabrikam.example"), "roles": ["attacker"]},
            {"@odata.type": A.ODATA + "urlEvidence", "url": "https://evil.example/login"},
        ],
    )


def _ingest(api: ApiClient, payload: dict[str, Any]) -> str:
    response = api.post("/api/v1/alerts", json=payload)
    assert response.status_code == 201, response.text
    alert_id: str = response.json()["ids"][0]
    return alert_id


def _outbox(container: Container) -> InMemoryNotifier:
    notifier = container.automation.remediation.notifier
    assert isinstance(notifier, InMemoryNotifier)
    return notifier


def _comments(api: ApiClient, alert_id: str) -> list[str]:
    return [c["comment"] for c in api.get(f"/api/v1/alerts/{alert_id}").json()["comments"]]


def test_draft_takes_recipients_from_mailbox_user_and_message_evidence(api: ApiClient) -> None:
    alert_id = _ingest(api, _phish())
    response = api.get(f"/api/v1/alerts/{alert_id}/notification-draft")
    assert response.status_code == 200
    draft = response.json()
    # Message recipient, mailbox, user, submission recipient; in first-seen order, once each.
    # The attacker's account and the sender are not told.
    assert draft["recipients"] == [
        "bob@fabrikam.example",
        "carol@fabrikam.example",
        "dave@fabrikam.example",
    ]
    assert draft["omittedRecipients"] == 0
    assert draft["locale"] == "en"
    assert draft["subject"] == "Security notice: Phish delivered to mailbox"
    body = draft["body"]
    assert "Phish delivered to mailbox" in body
    assert "On March 3, 2025 at 09:15 UTC, a message that looks malicious" in body
    assert f"Subject of the message: “{PHISH_SUBJECT}”" in body
    assert "Sender: it-support@evil.example" in body
    assert "What you should do" in body
    assert "Do not open the message" in body
    assert "evil.example/login" not in body  # the mail never repeats the link it warns about


def test_draft_in_french(api: ApiClient) -> None:
    alert_id = _ingest(api, _phish())
    for locale in ("fr", "fr-CA", "FR"):
        draft = api.get(f"/api/v1/alerts/{alert_id}/notification-draft?locale={locale}").json()
        assert draft["locale"] == "fr"
        assert draft["subject"] == "Avis de sécurité : Phish delivered to mailbox"
        assert "Le 3 mars 2025 à 09:15 UTC, un message qui semble malveillant" in draft["body"]
        assert f"Objet du message : « {PHISH_SUBJECT} »" in draft["body"]
        assert "Ce que vous devez faire" in draft["body"]
        assert draft["recipients"][0] == "bob@fabrikam.example"


def test_draft_for_a_device_alert_names_the_device_and_its_advice(api: ApiClient) -> None:
    alert_id = _ingest(
        api,
        A.alert(
            title="Malicious file executed",
            evidence=[
                A.device("b" * 40, "laptop-7.fabrikam.example"),
                A.user("erin@fabrikam.example"),
                A.file(),
            ],
        ),
    )
    draft = api.get(f"/api/v1/alerts/{alert_id}/notification-draft?locale=en").json()
    assert draft["recipients"] == ["erin@fabrikam.example"]
    assert "suspicious activity was detected on a device you use" in draft["body"]
    assert "Device: laptop-7.fabrikam.example" in draft["body"]
    assert "Keep the device switched on" in draft["body"]


def test_draft_without_affected_users_has_no_recipients(api: ApiClient) -> None:
    alert_id = _ingest(api, A.alert(evidence=[A.ip("203.0.113.9")]))
    draft = api.get(f"/api/v1/alerts/{alert_id}/notification-draft").json()
    assert draft["recipients"] == []
    assert draft["subject"].startswith("Security notice: ")


def test_draft_rejects_an_unknown_language_and_an_unknown_alert(api: ApiClient) -> None:
    alert_id = _ingest(api, _phish())
    response = api.get(f"/api/v1/alerts/{alert_id}/notification-draft?locale=de")
    assert response.status_code == 400
    assert [d["target"] for d in response.json()["error"]["details"]] == ["locale"]
    assert api.get("/api/v1/alerts/no-such-alert/notification-draft").status_code == 404


def test_send_mails_the_recipients_and_comments_on_the_alert(
    api: ApiClient, container: Container
) -> None:
    alert_id = _ingest(api, _phish())
    draft = api.get(f"/api/v1/alerts/{alert_id}/notification-draft").json()
    response = api.post(
        f"/api/v1/alerts/{alert_id}/notify",
        json={
            "recipients": [*draft["recipients"], " CAROL@fabrikam.example ", ""],
            "subject": draft["subject"],
            "body": draft["body"] + "\r\nCall 555-0100 if in doubt.",
        },
    )
    assert response.status_code == 200, response.text
    sent = response.json()
    outbox = _outbox(container).outbox
    assert len(outbox) == 1
    mail = outbox[0]
    assert sent["messageId"] == mail.message_id
    # Duplicates in any case are sent once; blank entries are ignored.
    assert mail.notification.recipients == (
        "bob@fabrikam.example",
        "carol@fabrikam.example",
        "dave@fabrikam.example",
    )
    assert sent["recipients"] == list(mail.notification.recipients)
    assert mail.notification.subject == "Security notice: Phish delivered to mailbox"
    assert mail.notification.body.endswith("The security team\nCall 555-0100 if in doubt.")
    expected = (
        "Notified 3 users: bob@fabrikam.example, carol@fabrikam.example, dave@fabrikam.example\n"
        "Subject: Security notice: Phish delivered to mailbox"
    )
    assert sent["comment"]["comment"] == expected
    assert sent["comment"]["createdByDisplayName"] == "test Security administrator"
    assert _comments(api, alert_id) == [expected]


def test_an_operator_can_notify_one_user(api: ApiClient, container: Container) -> None:
    alert_id = _ingest(api, _phish())
    response = api.post(
        f"/api/v1/alerts/{alert_id}/notify",
        json={"recipients": ["bob@fabrikam.example"], "subject": "Heads-up", "body": "Hi Bob"},
        headers=api.as_role("Security operator"),
    )
    assert response.status_code == 200
    assert response.json()["comment"]["comment"].startswith("Notified 1 user: bob@")
    assert [m.notification.recipients for m in _outbox(container).outbox] == [
        ("bob@fabrikam.example",)
    ]


@pytest.mark.parametrize(
    ("body", "targets"),
    [
        ({"recipients": [], "subject": "s", "body": "b"}, ["recipients"]),
        ({"recipients": ["  "], "subject": "s", "body": "b"}, ["recipients"]),
        ({"recipients": "bob@fabrikam.example", "subject": "s", "body": "b"}, ["recipients"]),
        (
            {
                "recipients": ["bob@fabrikam.example", "not-an-address", 7],
                "subject": "s",
                "body": "b",
            },
            ["recipients[1]", "recipients[2]"],
        ),
        (
            {"recipients": ["Bob <bob@fabrikam.example>"], "subject": "s", "body": "b"},
            ["recipients[0]"],
        ),
        (
            {
                "recipients": ["bob@fabrikam.example"],
                "subject": "Hi\r\nBcc: x@evil.example",
                "body": "b",
            },
            ["subject"],
        ),
        ({"recipients": ["bob@fabrikam.example"], "subject": " ", "body": "b"}, ["subject"]),
        ({"recipients": ["bob@fabrikam.example"], "subject": "s" * 256, "body": "b"}, ["subject"]),
        ({"recipients": ["bob@fabrikam.example"], "subject": "s", "body": "\n \n"}, ["body"]),
        ({"recipients": ["bob@fabrikam.example"], "subject": "s", "body": "x" * 20_001}, ["body"]),
        ({"recipients": ["bob@fabrikam.example"], "subject": "s", "body": "a\x00b"}, ["body"]),
        ({"recipients": ["bob@fabrikam.example"]}, ["subject", "body"]),
        (
            {"recipients": ["bob@fabrikam.example"], "subject": "s", "body": "b", "cc": ["x"]},
            ["cc"],
        ),
        (
            {
                "recipients": [f"user{n}@fabrikam.example" for n in range(MAX_RECIPIENTS + 1)],
                "subject": "s",
                "body": "b",
            },
            ["recipients"],
        ),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_nothing_is_sent(
    api: ApiClient, container: Container, body: dict[str, Any], targets: list[str]
) -> None:
    alert_id = _ingest(api, _phish())
    response = api.post(f"/api/v1/alerts/{alert_id}/notify", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "validationError"
    assert [d["target"] for d in response.json()["error"]["details"]] == targets
    assert _outbox(container).outbox == []
    assert _comments(api, alert_id) == []


def test_malformed_bodies_are_400(api: ApiClient, container: Container) -> None:
    alert_id = _ingest(api, _phish())
    url = f"/api/v1/alerts/{alert_id}/notify"
    assert (
        api.post(url, content=b"{nope", headers={"Content-Type": "application/json"}).status_code
        == 400
    )
    assert api.post(url, json=["bob@fabrikam.example"]).status_code == 400
    assert _outbox(container).outbox == []


def test_security_reader_can_read_the_draft_but_not_send(
    api: ApiClient, container: Container
) -> None:
    alert_id = _ingest(api, _phish())
    reader = api.as_role("Security reader")
    assert (
        api.get(f"/api/v1/alerts/{alert_id}/notification-draft", headers=reader).status_code == 200
    )
    response = api.post(
        f"/api/v1/alerts/{alert_id}/notify",
        json={"recipients": ["bob@fabrikam.example"], "subject": "s", "body": "b"},
        headers=reader,
    )
    assert response.status_code == 403
    assert _outbox(container).outbox == []
    assert _comments(api, alert_id) == []


def test_unauthenticated_requests_are_401(api: ApiClient) -> None:
    del api.headers["Authorization"]
    assert api.get("/api/v1/alerts/x/notification-draft").status_code == 401
    assert api.post("/api/v1/alerts/x/notify", json={}).status_code == 401


def test_unknown_alert_is_404_and_nothing_is_sent(api: ApiClient, container: Container) -> None:
    response = api.post(
        "/api/v1/alerts/no-such-alert/notify",
        json={"recipients": ["bob@fabrikam.example"], "subject": "s", "body": "b"},
    )
    assert response.status_code == 404
    assert _outbox(container).outbox == []


@pytest.mark.parametrize(("transient", "status"), [(True, 503), (False, 502)])
def test_a_notifier_failure_records_nothing(
    api: ApiClient, container: Container, transient: bool, status: int
) -> None:
    alert_id = _ingest(api, _phish())
    _outbox(container).fail_next(transient=transient)
    response = api.post(
        f"/api/v1/alerts/{alert_id}/notify",
        json={"recipients": ["bob@fabrikam.example"], "subject": "s", "body": "b"},
    )
    assert response.status_code == status
    assert _outbox(container).outbox == []
    assert _comments(api, alert_id) == []


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("bob@fabrikam.example", True),
        ("first.last+tag@mail.fabrikam.example", True),
        ("o'brien@fabrikam.example", True),
        ("bob@localhost", False),
        ("bob@fabrikam.example.", False),
        (".bob@fabrikam.example", False),
        ("bob..smith@fabrikam.example", False),
        ("bob@-fabrikam.example", False),
        ("bob@fabrikam.123", False),
        ("bob smith@fabrikam.example", False),
        ("bob@fabrikam.example\nBcc: x@evil.example", False),
        ("bøb@fabrikam.example", False),
        ("a" * 65 + "@fabrikam.example", False),
        ("bob@" + "a" * 250 + ".example", False),
    ],
)
def test_addresses_are_plain_dot_atoms_with_a_dotted_domain(address: str, valid: bool) -> None:
    assert is_email_address(address) is valid


def test_check_message_reports_every_problem_at_once() -> None:
    with pytest.raises(ValidationFailed) as raised:
        check_message(["x"], "", None)
    assert [e.target for e in raised.value.errors] == ["recipients[0]", "subject", "body"]
