"""Authentication (bearer tokens), role permissions, expiry and revocation."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoir.bootstrap import Container
from tests.conftest import ApiClient
from tests.support import alerts as A
from tests.support.clock import FakeClock


def test_requests_without_credentials_are_401(api: ApiClient) -> None:
    del api.headers["Authorization"]
    for method, path in (
        ("get", "/api/v1/alerts"),
        ("get", "/api/v1/incidents"),
        ("post", "/api/v1/alerts"),
        ("get", "/v1.0/security/alerts_v2"),
    ):
        response = api.request(method, path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
    assert (
        api.get("/api/v1/alerts", headers={"Authorization": "Bearer air_wrong"}).status_code == 401
    )
    assert api.get("/api/v1/alerts", headers={"Authorization": "Basic abc"}).status_code == 401


def test_readers_read_but_cannot_change(api: ApiClient) -> None:
    alert_id = api.post("/api/v1/alerts", json=A.alert()).json()["ids"][0]
    reader = api.as_role("Security reader")
    assert api.get("/api/v1/alerts", headers=reader).status_code == 200
    assert (
        api.patch(
            f"/api/v1/alerts/{alert_id}", json={"status": "resolved"}, headers=reader
        ).status_code
        == 403
    )
    assert api.post("/api/v1/alerts", json=A.alert(), headers=reader).status_code == 403
    operator = api.as_role("Security operator")
    assert (
        api.patch(
            f"/api/v1/alerts/{alert_id}", json={"status": "resolved"}, headers=operator
        ).status_code
        == 200
    )


def test_expired_and_revoked_tokens_stop_working(
    api: ApiClient, container: Container, clock: FakeClock
) -> None:
    issued = container.access.issue_token("short", "Security reader", 1)
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert api.get("/api/v1/alerts", headers=headers).status_code == 200
    clock.advance(days=2)
    assert api.get("/api/v1/alerts", headers=headers).status_code == 401
    other = container.access.issue_token("other", "Security reader", None)
    headers = {"Authorization": f"Bearer {other.secret}"}
    assert api.get("/api/v1/alerts", headers=headers).status_code == 200
    container.access.revoke_token(other.record.id)
    assert api.get("/api/v1/alerts", headers=headers).status_code == 401


def test_tokens_are_stored_hashed(container: Container) -> None:
    issued = container.access.issue_token("audit", "Global reader", None)
    from sqlalchemy import text

    with container.engine.connect() as connection:
        rows = connection.execute(text("SELECT token_hash, prefix FROM api_tokens")).all()
    assert all(issued.secret not in (token_hash, prefix) for token_hash, prefix in rows)
    assert all(len(token_hash) == 64 for token_hash, _ in rows)


def test_passwords_are_hashed_with_argon2(container: Container) -> None:
    container.access.create_user(
        "dana@fabrikam.example", "correct horse battery", "Security operator"
    )
    from sqlalchemy import text

    with container.engine.connect() as connection:
        (stored,) = connection.execute(text("SELECT password_hash FROM users")).one()
    assert stored.startswith("$argon2id$")
    assert (
        container.access.login("dana@fabrikam.example", "correct horse battery").principal.role
        == "Security operator"
    )


def test_custom_role_from_permissions(api: ApiClient, container: Container) -> None:
    container.access.create_role("Triage only", ["read_security_data", "manage_alerts"])
    token = container.access.issue_token("triage", "Triage only", None).secret
    headers = {"Authorization": f"Bearer {token}"}
    alert_id = api.post("/api/v1/alerts", json=A.alert()).json()["ids"][0]
    assert (
        api.patch(
            f"/api/v1/alerts/{alert_id}", json={"status": "inProgress"}, headers=headers
        ).status_code
        == 200
    )


def test_unmigrated_postgresql_gives_a_clear_error(postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from autoir.bootstrap import build
    from autoir.domain.errors import DatabaseNotReady
    from autoir.settings import Settings

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    name = "autoir_unmigrated_" + tmp_path.name[-8:].replace("-", "_")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        with pytest.raises(DatabaseNotReady, match="autoir db upgrade"):
            build(Settings(data_dir=tmp_path, database_url=url))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
