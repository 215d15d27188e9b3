"""Alert notification rules: the SOC's mail about new alerts, through the API and the sweep."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from autoir.bootstrap import build
from autoir.bootstrap.analysis import AnalysisComponents
from autoir.connectors.memory import InMemoryNotifier
from autoir.settings import Settings, SmtpSettings
from tests.conftest import ApiClient, make_client
from tests.support import alerts as A
from tests.support.clock import FakeClock
from tests.support.smtp import SmtpSink

RULES = "/api/v1/settings/alert-notifications"
SOC = {
    "name": "SOC on-call",
    "recipients": ["soc@contoso.com", "Lead@Contoso.com"],
    "severities": ["high", "medium"],
    "serviceSources": [],
    "locale": "en",
}


def _outbox(api: ApiClient) -> InMemoryNotifier:
    container = api.app.state.container  # type: ignore[attr-defined]
    notifier = container.automation.remediation.notifier
    assert isinstance(notifier, InMemoryNotifier)
    return notifier


def _ingest(api: ApiClient, *bodies: dict[str, Any]) -> list[str]:
    response = api.post("/api/v1/alerts", json={"value": list(bodies)})
    assert response.status_code in (200, 201), response.text
    return [str(i) for i in response.json()["ids"]]


def test_rules_are_validated_saved_and_read_back(api: ApiClient) -> None:
    bad = api.put(
        RULES,
        json=[
            {**SOC, "recipients": ["not an address"], "severities": ["urgent"]},
            {**SOC, "locale": "de"},
        ],
    )
    assert bad.status_code == 400
    targets = {e["target"] for e in bad.json()["error"]["details"]}
    assert {"[0].recipients[0]", "[0].severities[0]", "[1].locale"} <= targets
    assert api.get(RULES).json() == {"value": []}

    saved = api.put(RULES, json={"value": [SOC]})
    assert saved.status_code == 200, saved.text
    (rule,) = api.get(RULES).json()["value"]
    assert rule["recipients"] == ["soc@contoso.com", "lead@contoso.com"]
    assert rule["severities"] == ["high", "medium"]
    assert api.put(RULES, json=[SOC, SOC]).status_code == 400  # two rules, one name


def test_only_covered_new_alerts_are_mailed_once_each(api: ApiClient) -> None:
    container = api.app.state.container  # type: ignore[attr-defined]
    _ingest(api, A.alert(title="Before the rules", severity="high"))
    assert (
        api.put(
            RULES,
            json=[
                SOC,
                {
                    **SOC,
                    "name": "French",
                    "locale": "fr",
                    "recipients": ["soc-fr@contoso.com"],
                    "severities": ["high"],
                },
            ],
        ).status_code
        == 200
    )
    high, low = _ingest(
        api,
        A.alert(title="Ransomware behaviour", severity="high"),
        A.alert(title="Unusual login", severity="low"),
    )
    result = container.alert_notifications.sweep()
    assert (result.alerts, result.mails) == (2, 2)
    sent = _outbox(api).outbox
    subjects = sorted(n.notification.subject for n in sent)
    assert subjects == [
        "[AutoIR] Alerte élevée : Ransomware behaviour",
        "[AutoIR] high alert: Ransomware behaviour",
    ]
    english = next(n.notification for n in sent if n.notification.subject.startswith("[AutoIR] h"))
    assert english.recipients == ("soc@contoso.com", "lead@contoso.com")
    assert f"/alerts/{high}" in english.body
    assert low not in " ".join(n.notification.body for n in sent)
    # Nothing again: the cursor moved past both.
    assert container.alert_notifications.sweep().mails == 0


def test_a_test_mail_goes_to_the_rules_recipients(api: ApiClient) -> None:
    response = api.post(f"{RULES}/test", json=SOC)
    assert response.status_code == 200, response.text
    (sent,) = _outbox(api).outbox
    assert sent.notification.recipients == ("soc@contoso.com", "lead@contoso.com")
    assert "SOC on-call" in sent.notification.subject


def test_reading_and_changing_rules_needs_the_settings_permission(api: ApiClient) -> None:
    reader = api.as_role("Security reader")
    assert api.get(RULES, headers=reader).status_code == 403
    assert api.put(RULES, json=[SOC], headers=reader).status_code == 403
    assert api.get("/api/v1/settings/mail", headers=reader).status_code == 403
    assert api.get("/api/v1/settings/mail").json() == {"configured": False, "lastScan": None}


@pytest.mark.integration
def test_the_worker_mails_a_new_high_alert_over_smtp(
    tmp_path: Path, clock: FakeClock, sqlite_template: Path, analysis: AnalysisComponents
) -> None:
    shutil.copy(sqlite_template, tmp_path / "autoir.db")
    with SmtpSink(tmp_path / "smtp") as sink:
        settings = Settings(
            data_dir=tmp_path,
            tenant_id="11111111-2222-3333-4444-555555555555",
            public_url="https://autoir.contoso.com/",
            smtp=SmtpSettings(
                host="127.0.0.1", port=sink.port, security="none", sender="autoir@contoso.com"
            ),
        )
        container = build(settings, clock=clock, analysis=analysis)
        try:
            with make_client(container) as api:
                assert api.put(RULES, json=[SOC]).status_code == 200
                (alert_id,) = _ingest(api, A.alert(title="Credential theft", severity="high"))
            container.automation.sweep()
            (received,) = sink.messages()
            assert received.message["Subject"] == "[AutoIR] high alert: Credential theft"
            assert f"https://autoir.contoso.com/alerts/{alert_id}" in received.body()
        finally:
            container.close()
