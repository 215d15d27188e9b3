"""GET /api/v1/alerts: default view, OData filters, entity filters, sorting, paging, counts."""

from __future__ import annotations

from datetime import timedelta

from autoir.bootstrap import Container
from autoir.domain.alerts.evidence import EntityKind
from autoir.domain.queries.filters import EntityMatch, ListQuery
from tests.conftest import ApiClient
from tests.support import alerts as A
from tests.support.clock import FakeClock


def _ingest(api: ApiClient, *bodies: dict[str, object]) -> list[str]:
    response = api.post("/api/v1/alerts", json={"value": list(bodies)})
    assert response.status_code == 201, response.text
    ids: list[str] = response.json()["ids"]
    return ids


def _ids(api: ApiClient, **params: str) -> list[str]:
    response = api.get("/api/v1/alerts", params=params)
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["value"]]


def test_default_view_is_last_30_days_new_or_in_progress_newest_first(
    api: ApiClient, clock: FakeClock
) -> None:
    now = clock.now()
    old, recent, newer, resolved, in_progress = _ingest(
        api,
        A.alert(createdDateTime=(now - timedelta(days=31)).isoformat()),
        A.alert(createdDateTime=(now - timedelta(days=2)).isoformat()),
        A.alert(createdDateTime=(now - timedelta(days=1)).isoformat()),
        A.alert(createdDateTime=(now - timedelta(hours=5)).isoformat(), status="resolved"),
        A.alert(createdDateTime=(now - timedelta(hours=1)).isoformat(), status="inProgress"),
    )
    assert _ids(api) == [in_progress, newer, recent]
    del old, resolved


def test_filter_by_fields_with_and_or_not_in(api: ApiClient) -> None:
    high, medium, low_email = _ingest(
        api,
        A.alert(severity="high"),
        A.alert(severity="medium"),
        A.alert(
            severity="low",
            serviceSource="microsoftDefenderForOffice365",
            detectionSource="microsoftDefenderForOffice365",
        ),
    )
    assert _ids(api, **{"$filter": "severity eq 'high'"}) == [high]
    assert set(_ids(api, **{"$filter": "severity in ('high', 'Medium')"})) == {high, medium}
    assert _ids(
        api,
        **{
            "$filter": "serviceSource eq 'microsoftDefenderForOffice365' and not (severity eq 'high')"
        },
    ) == [low_email]
    assert set(
        _ids(api, **{"$filter": "(severity eq 'high' or severity eq 'low') and status eq 'new'"})
    ) == {high, low_email}
    assert set(_ids(api, **{"$filter": "severity ne 'medium'"})) == {high, low_email}


def test_filter_by_created_date_time_and_assigned_to(api: ApiClient, clock: FakeClock) -> None:
    now = clock.now()
    old, new = _ingest(
        api,
        A.alert(createdDateTime=(now - timedelta(days=3)).isoformat()),
        A.alert(createdDateTime=now.isoformat(), assignedTo="bob@fabrikam.example"),
    )
    since = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(api, **{"$filter": f"createdDateTime ge {since}"}) == [new]
    assert _ids(api, **{"$filter": "assignedTo eq 'bob@fabrikam.example'"}) == [new]
    assert _ids(api, **{"$filter": "assignedTo eq null and createdDateTime lt " + since}) == [old]


def test_entity_filters_over_evidence(api: ApiClient) -> None:
    on_device, with_user, with_file, with_ip = _ingest(
        api,
        A.alert(evidence=[A.device("1" * 40, "ws-1.fabrikam.example")]),
        A.alert(evidence=[A.device("2" * 40), A.user("carol@fabrikam.example")]),
        A.alert(evidence=[A.device("3" * 40), A.file("ab" * 32)]),
        A.alert(evidence=[A.device("4" * 40), A.ip("198.51.100.9")]),
    )
    assert _ids(api, **{"$filter": f"evidence/any(e: e/mdeDeviceId eq '{'1' * 40}')"}) == [
        on_device
    ]
    assert _ids(
        api, **{"$filter": "evidence/any(e: e/deviceDnsName eq 'WS-1.fabrikam.example')"}
    ) == [on_device]
    assert _ids(
        api,
        **{
            "$filter": "evidence/any(e: e/userAccount/userPrincipalName eq 'carol@fabrikam.example')"
        },
    ) == [with_user]
    assert _ids(api, **{"$filter": f"evidence/any(e: e/fileDetails/sha256 eq '{'AB' * 32}')"}) == [
        with_file
    ]
    assert _ids(api, **{"$filter": "evidence/any(e: e/ipAddress eq '198.51.100.9')"}) == [with_ip]
    assert set(
        _ids(
            api,
            **{"$filter": "evidence/any(e: e/ipAddress eq '198.51.100.9') or severity eq 'low'"},
        )
    ) == {with_ip}
    assert _ids(api, **{"$filter": "evidence/any(e: e/value eq 'carol@fabrikam.example')"}) == [
        with_user
    ]


def test_orderby_top_skip_count_and_next_link(api: ApiClient) -> None:
    ids = _ingest(
        api,
        *[
            A.alert(severity=s, title=f"t{i}")
            for i, s in enumerate(["low", "high", "medium", "informational", "high"])
        ],
    )
    first = api.get(
        "/api/v1/alerts",
        params={"$orderby": "severity desc,title asc", "$top": "2", "$count": "true"},
    ).json()
    assert first["@odata.count"] == 5
    assert [a["title"] for a in first["value"]] == ["t1", "t4"]
    second = api.get(first["@odata.nextLink"]).json()
    assert [a["title"] for a in second["value"]] == ["t2", "t0"]
    last = api.get(second["@odata.nextLink"]).json()
    assert [a["title"] for a in last["value"]] == ["t3"]
    assert "@odata.nextLink" not in last
    del ids


def test_graph_compatible_path_serves_the_same_alerts(api: ApiClient) -> None:
    (alert_id,) = _ingest(api, A.alert())
    graph = api.get("/v1.0/security/alerts_v2").json()
    assert [a["id"] for a in graph["value"]] == [alert_id]
    assert (
        api.get(f"/v1.0/security/alerts_v2/{alert_id}").json()["@odata.type"]
        == "#microsoft.graph.security.alert"
    )


def test_bad_query_options_are_400_naming_the_problem(api: ApiClient) -> None:
    cases = {
        "$filter": ("severity eq", "$filter"),
        "$top": ("5000", "$top"),
        "$orderby": ("nope desc", "$orderby"),
    }
    for option, (value, named) in cases.items():
        response = api.get("/api/v1/alerts", params={option: value})
        assert response.status_code == 400, option
        assert named in response.json()["error"]["message"]
    unknown_enum = api.get("/api/v1/alerts", params={"$filter": "severity eq 'extreme'"})
    assert unknown_enum.status_code == 400
    assert "extreme" in unknown_enum.json()["error"]["message"]
    unknown_field = api.get("/api/v1/alerts", params={"$filter": "colour eq 'red'"})
    assert "colour" in unknown_field.json()["error"]["message"]


def test_capped_count_is_a_lower_bound(api: ApiClient, container: Container) -> None:
    _ingest(api, *[A.alert(evidence=[A.device("ab" * 20)]) for _ in range(5)])
    page, _ = container.alerts.queue(ListQuery(top=2, count=True, count_limit=3))
    assert (page.total, page.total_is_lower_bound, len(page.items)) == (3, True, 2)
    page, _ = container.alerts.queue(ListQuery(top=2, count=True, count_limit=10))
    assert (page.total, page.total_is_lower_bound) == (5, False)
    entity = EntityMatch(EntityKind.DEVICE, "ab" * 20)
    page, _ = container.alerts.queue(ListQuery(filter=entity, count=True, count_limit=4))
    assert (page.total, page.total_is_lower_bound) == (4, True)
    exact = api.get("/api/v1/alerts", params={"$count": "true"}).json()
    assert exact["@odata.count"] == 5


def test_volume_is_cached_for_a_minute(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    _ingest(api, A.alert(severity="high"))
    first = container.alerts.volume(30, "severity")
    assert sum(b.count for b in first) == 1
    _ingest(api, A.alert(severity="high"))
    assert sum(b.count for b in container.alerts.volume(30, "severity")) == 1
    clock.advance(seconds=61)
    assert sum(b.count for b in container.alerts.volume(30, "severity")) == 2
