"""Malformed and oversize input: a clear 4xx, nothing written, the server keeps serving."""

from __future__ import annotations

from autoir.bootstrap import Container
from tests.conftest import ApiClient
from tests.support import alerts as A


def _count(api: ApiClient) -> int:
    body = api.get(
        "/api/v1/alerts", params={"$filter": "createdDateTime ge 2000-01-01", "$count": "true"}
    ).json()
    count: int = body["@odata.count"]
    return count


def test_malformed_json_is_400(api: ApiClient) -> None:
    for raw in (b"{not json", b"", b"[1, 2", b"\xff\xfe"):
        response = api.post(
            "/api/v1/alerts", content=raw, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, raw
        assert response.json()["error"]["message"]
    assert api.post("/api/v1/alerts", json=[A.alert()]).status_code == 400
    assert api.post("/api/v1/alerts", json={"value": {"title": "x"}}).status_code == 400
    assert _count(api) == 0


def test_oversize_body_is_413_and_writes_nothing(api: ApiClient, container: Container) -> None:
    limit = container.settings.max_body_bytes
    big = A.alert(description="x" * (limit + 10))
    response = api.post("/api/v1/alerts", json=big)
    assert response.status_code == 413
    assert str(limit) in response.json()["error"]["message"]
    assert _count(api) == 0
    assert api.post("/api/v1/alerts", json=A.alert()).status_code == 201


def test_unknown_ids_are_404(api: ApiClient) -> None:
    assert api.get("/api/v1/alerts/da00000000-0000-0000-0000-000000000000").status_code == 404
    body = api.post("/api/v1/alerts/nope/comments", json={"comment": "x"})
    assert body.status_code == 404
    assert "nope" in body.json()["error"]["message"]


def test_wrong_shapes_name_the_field(api: ApiClient) -> None:
    response = api.post(
        "/api/v1/alerts",
        json=A.alert(evidence="not a list", mitreTechniques="T1", createdDateTime="yesterday"),
    )
    assert response.status_code == 400
    targets = {d["target"] for d in response.json()["error"]["details"]}
    assert targets == {"value[0].evidence", "value[0].mitreTechniques", "value[0].createdDateTime"}
    assert api.get("/healthz").status_code == 200
