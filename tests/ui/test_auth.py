"""Login, sessions, CSRF, permissions and security headers of the web UI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from autoir.bootstrap import Container
from autoir.domain.alerts.enums import AlertStatus
from autoir.ui.routing import UiRoute

from .conftest import ANALYST, READER, csrf_of, login


def test_login_opens_a_session_and_goes_to_next(client: TestClient) -> None:
    response = login(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/alerts"
    cookie = response.headers["set-cookie"]
    assert "autoir_session=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Path=/" in cookie
    assert client.get("/alerts").status_code == 200


def test_login_with_wrong_password_shows_the_form_again(client: TestClient) -> None:
    response = login(client, ANALYST, "wrong-password-1")
    assert response.status_code == 401
    assert "Wrong user name or password." in response.text
    assert "autoir_session" not in client.cookies


def test_login_ignores_a_next_that_leaves_the_site(client: TestClient) -> None:
    client.get("/login")
    token = client.cookies.get("autoir_login_csrf")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.post(
            "/login",
            data={
                "username": ANALYST,
                "password": "correct-horse-battery",
                "csrf_token": token,
                "next": target,
            },
        )
        assert response.headers["location"] == "/"
        client.get("/login")
        token = client.cookies.get("autoir_login_csrf")


def test_login_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": ANALYST, "password": "x" * 12})
    assert response.status_code == 403


def test_pages_redirect_to_login_without_a_session(
    client: TestClient, alert_ids: list[str]
) -> None:
    for path in (
        "/",
        "/dashboard",
        "/alerts?severity=high",
        f"/alerts/{alert_ids[0]}",
        "/incidents",
    ):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=/")
    assert client.get("/alerts?severity=high").headers["location"] == (
        "/login?next=/alerts%3Fseverity%3Dhigh"
    )


def test_htmx_request_without_session_asks_htmx_to_redirect(client: TestClient) -> None:
    response = client.get("/alerts", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


def test_post_without_csrf_token_is_refused_and_changes_nothing(
    analyst: TestClient, container: Container, alert_ids: list[str]
) -> None:
    response = analyst.post(
        f"/alerts/{alert_ids[0]}/manage", data={"status": "inProgress", "assign": "user"}
    )
    assert response.status_code == 403
    assert "security token" in response.text
    response = analyst.post(
        f"/alerts/{alert_ids[0]}/manage",
        data={"status": "inProgress", "assign": "user", "csrf_token": "forged"},
    )
    assert response.status_code == 403
    alert, _ = container.alerts.get(alert_ids[0])
    assert alert.status is AlertStatus.NEW


def test_csrf_header_from_htmx_is_accepted(
    analyst: TestClient, csrf: str, container: Container, alert_ids: list[str]
) -> None:
    response = analyst.post(
        f"/alerts/{alert_ids[0]}/manage",
        data={"status": "inProgress", "assign": "user"},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert container.alerts.get(alert_ids[0])[0].status is AlertStatus.IN_PROGRESS


def test_reader_can_read_but_not_manage(
    client: TestClient, container: Container, alert_ids: list[str]
) -> None:
    assert login(client, READER).status_code == 303
    page = client.get(f"/alerts/{alert_ids[0]}")
    assert page.status_code == 200
    assert "can read alerts but not manage them" in page.text
    token = csrf_of(page.text)
    response = client.post(
        f"/alerts/{alert_ids[0]}/manage", data={"status": "resolved", "csrf_token": token}
    )
    assert response.status_code == 403
    assert container.alerts.get(alert_ids[0])[0].status is AlertStatus.NEW
    assert client.get("/settings").status_code == 403


def test_logout_ends_the_session(analyst: TestClient, csrf: str) -> None:
    assert analyst.post("/logout", data={}).status_code == 403
    response = analyst.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert analyst.get("/alerts").status_code == 303


def test_pages_send_security_headers(analyst: TestClient) -> None:
    response = analyst.get("/alerts")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "<script>" not in response.text
    assert " style=" not in response.text


def walk(routes: list[Any]) -> Iterator[Any]:
    """Routes, including those of included routers (FastAPI keeps them nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        yield from walk(nested.routes) if nested is not None else (route,)


def test_every_ui_route_declares_a_permission_or_is_public(client: TestClient) -> None:
    ui_routes = [r for r in walk(client.app.routes) if isinstance(r, UiRoute)]  # type: ignore[attr-defined]
    assert len(ui_routes) >= 20
    for route in ui_routes:
        calls = [d.call for d in route.dependant.dependencies]
        assert any(
            getattr(c, "permission", None) is not None or getattr(c, "is_public", False) is True
            for c in calls
        ), route.path
