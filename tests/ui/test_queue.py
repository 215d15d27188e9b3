"""The alert queue: the filter form builds OData, results, paging, sorting; incidents; i18n."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams

from autoir.bootstrap import Container
from autoir.ui.incident_filters import IncidentForm
from autoir.ui.queue_filters import QueueForm

from .conftest import FRENCH, csrf_of, login

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


def form(query: str) -> QueueForm:
    return QueueForm.from_params(QueryParams(query))


def test_first_visit_is_the_default_view() -> None:
    assert form("").odata_filter(NOW, "me") == (
        "status in ('new', 'inProgress') and createdDateTime ge 2025-02-01T12:00:00Z"
    )


def test_form_fields_become_one_odata_filter() -> None:
    chosen = form(
        "f=1&severity=High&severity=medium&severity=bogus&status=resolved&service="
        "microsoftDefenderForEndpoint&assigned=me&created=24h&filter=title eq 'x'"
    )
    assert chosen.odata_filter(NOW, "ana@x") == (
        "severity in ('high', 'medium') and status eq 'resolved' and serviceSource eq "
        "'microsoftDefenderForEndpoint' and assignedTo eq 'ana@x' and createdDateTime ge "
        "2025-03-02T12:00:00Z and (title eq 'x')"
    )
    assert chosen.list_query(NOW, "ana@x", 1000).count is True


def test_entity_search_picks_the_evidence_path_from_the_value() -> None:
    def entity(value: str, kind: str = "") -> str | None:
        return form(f"f=1&entity={value}&entity_type={kind}").odata_filter(NOW, "me")

    assert entity("10.0.0.7") == "evidence/any(e: e/ipAddress eq '10.0.0.7')"
    assert entity("a" * 64) == "evidence/any(e: e/fileDetails/sha256 eq '" + "a" * 64 + "')"
    assert entity("host1", "device") == "evidence/any(e: e/deviceDnsName eq 'host1')"
    assert entity("o'brien") == "evidence/any(e: e/value eq 'o''brien')"
    mailbox = entity("bob@x.org")
    assert mailbox is not None
    assert "e/primaryAddress eq 'bob@x.org' or e/userAccount/userPrincipalName" in mailbox


def test_custom_dates_and_unassigned() -> None:
    chosen = form("f=1&created=custom&from=2025-01-01&to=2025-01-31&assigned=unassigned")
    assert chosen.odata_filter(NOW, "me") == (
        "assignedTo eq null and createdDateTime ge 2025-01-01T00:00:00Z and "
        "createdDateTime lt 2025-02-01T00:00:00Z"
    )
    assert form("f=1&created=custom&from=01/02/2025").invalid_dates(NOW) == ["01/02/2025"]


def test_sort_and_page_links_keep_the_filters() -> None:
    chosen = form("f=1&severity=high&top=25")
    assert (
        chosen.sort_url("title") == "/alerts?f=1&severity=high&created=any&orderby=title+asc&top=25"
    )
    assert form("f=1&orderby=title asc").sort_url("title").endswith("orderby=title+desc")
    assert chosen.url(skip=25).endswith("top=25&skip=25")
    assert form("f=1&orderby=evil desc").orderby == "createdDateTime desc"


def test_queue_filtered_by_severity_shows_only_those_alerts(
    analyst: TestClient, alert_ids: list[str]
) -> None:
    page = analyst.get("/alerts?f=1&severity=high")
    assert page.status_code == 200
    assert "Suspicious shell command" in page.text
    assert "Phish delivered" not in page.text
    assert "$filter=severity eq &#39;high&#39;" in page.text


def test_queue_default_view_lists_new_alerts_with_count(
    analyst: TestClient, alert_ids: list[str]
) -> None:
    page = analyst.get("/alerts")
    assert re.search(r"<strong>4</strong> alerts", page.text)
    assert page.text.count('name="ids"') == 4


def test_queue_entity_filter(analyst: TestClient, alert_ids: list[str]) -> None:
    page = analyst.get("/alerts?f=1&entity=bob@fabrikam.example")
    assert page.text.count('name="ids"') == 1
    assert "bob@fabrikam.example" in page.text


def test_queue_paging(analyst: TestClient, alert_ids: list[str]) -> None:
    page = analyst.get("/alerts?f=1&top=25&orderby=title asc")
    assert "1\N{EN DASH}4 of 4" in page.text
    assert 'rel="next"' not in page.text


def test_queue_with_a_bad_advanced_filter_explains(
    analyst: TestClient, alert_ids: list[str]
) -> None:
    page = analyst.get("/alerts?f=1&filter=nosuchfield eq 1")
    assert page.status_code == 400
    assert "The filter could not be understood." in page.text
    assert "unknown property" in page.text


def test_dashboard_has_tiles_and_chart_data(analyst: TestClient, alert_ids: list[str]) -> None:
    page = analyst.get("/dashboard")
    assert page.status_code == 200
    blocks = re.findall(
        r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', page.text
    )
    charts = {name: json.loads(body) for name, body in blocks}
    assert set(charts) == {"chart-severity", "chart-source"}
    assert charts["chart-severity"]["total"] == 4
    assert {d["label"] for d in charts["chart-severity"]["datasets"]} == {"High", "Medium", "Low"}
    assert len(charts["chart-source"]["labels"]) == 30


def test_incident_list_and_page(
    analyst: TestClient, container: Container, alert_ids: list[str]
) -> None:
    alert, _ = container.alerts.get(alert_ids[0])
    listing = analyst.get("/incidents")
    assert listing.status_code == 200
    assert f'href="/incidents/{alert.incident_id}"' in listing.text
    page = analyst.get(f"/incidents/{alert.incident_id}")
    assert page.status_code == 200
    assert f'href="/alerts/{alert.id}"' in page.text
    assert "host1.fabrikam.example" in page.text


def test_manage_an_incident(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    incident_id = str(container.alerts.get(alert_ids[0])[0].incident_id)
    response = analyst.post(
        f"/incidents/{incident_id}/manage",
        data={
            "csrf_token": csrf,
            "status": "inProgress",
            "assigned_to": "ana@x",
            "classification": "truePositive",
            "determination": "malware",
            "tags": "apt, linux",
            "comment": "Escalated",
        },
    )
    assert response.status_code == 303
    incident = container.incidents.get(incident_id)
    assert incident.status.value == "inProgress"
    assert incident.custom_tags == ("apt", "linux")
    assert container.incidents.comments(incident_id)[0].comment == "Escalated"
    bad = analyst.post(
        f"/incidents/{incident_id}/manage",
        data={"csrf_token": csrf, "classification": "falsePositive", "determination": "malware"},
    )
    assert bad.status_code == 422
    assert container.incidents.get(incident_id).classification.value == "truePositive"  # type: ignore[union-attr]


def test_incident_form_hides_merged_incidents_unless_asked() -> None:
    assert IncidentForm.from_params(QueryParams("")).odata_filter("me") == "status ne 'redirected'"
    shown = IncidentForm.from_params(QueryParams("merged=1&q=%2342&severity=high"))
    assert shown.odata_filter("me") == "severity eq 'high' and id eq 42"


def test_french_user_sees_french(client: TestClient, alert_ids: list[str]) -> None:
    assert login(client, FRENCH).status_code == 303
    page = client.get("/alerts")
    assert '<html lang="fr">' in page.text
    assert "Incidents" in page.text
    assert "Alertes" in page.text
    assert "Gravité" in page.text
    assert "Nouvelle" in page.text or "Nouveau" in page.text
    dashboard = client.get("/dashboard")
    assert "Tableau de bord" in dashboard.text
    assert "Élevée" in dashboard.text


def test_switching_language(analyst: TestClient, csrf: str, container: Container) -> None:
    response = analyst.post(
        "/preferences/language", data={"csrf_token": csrf, "locale": "fr", "next": "/alerts"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/alerts"
    page = analyst.get("/alerts")
    assert "Tableau de bord" in page.text
    response = analyst.post(
        "/preferences/language", data={"csrf_token": csrf_of(page.text), "locale": "xx"}
    )
    assert response.status_code == 422


def test_login_page_follows_accept_language(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Se connecter" in page.text
    assert "Sign in" in client.get("/login").text
