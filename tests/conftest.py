"""Fixtures: containers on SQLite and PostgreSQL, API clients with tokens per role."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from autoir.bootstrap import Container, build
from autoir.bootstrap.analysis import AnalysisComponents, build_analysis
from autoir.settings import Settings
from autoir.storage import schema
from autoir.storage.database import create_database_engine, upgrade_database
from tests.support.browser import browser  # noqa: F401 - the shared browser fixture
from tests.support.clock import FakeClock
from tests.support.dovecot import dovecot, dovecot_server  # noqa: F401 - a real Dovecot
from tests.support.services import missing_service, postgres_admin_url

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "autoir.db"
    engine = create_database_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A throwaway, migrated PostgreSQL database for this test worker."""
    admin_url = postgres_admin_url()
    name = f"autoir_test_{worker_id}_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        missing_service(
            f"PostgreSQL is not reachable at {admin_url} ({exc.orig}); "
            "start it or set AUTOIR_TEST_POSTGRES_URL"
        )
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = create_database_engine(url)
    upgrade_database(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in schema.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def analysis() -> AnalysisComponents:
    """The built-in analyzers, compiled once per test process."""
    return build_analysis(Settings())


@pytest.fixture(params=BACKENDS)
def container(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    clock: FakeClock,
    sqlite_template: Path,
    analysis: AnalysisComponents,
) -> Iterator[Container]:
    """A wired application on a fresh database of each backend, with a fake clock."""
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "autoir.db")
        settings = Settings(data_dir=tmp_path, tenant_id="11111111-2222-3333-4444-555555555555")
    else:
        url = request.getfixturevalue("postgres_url")
        _truncate_postgres(url)
        settings = Settings(
            data_dir=tmp_path, database_url=url, tenant_id="11111111-2222-3333-4444-555555555555"
        )
    built = build(settings, clock=clock, analysis=analysis)
    yield built
    built.close()


@pytest.fixture
def sqlite_container(
    tmp_path: Path, clock: FakeClock, sqlite_template: Path, analysis: AnalysisComponents
) -> Iterator[Container]:
    """Like ``container`` but SQLite only (for tests about the embedded default)."""
    shutil.copy(sqlite_template, tmp_path / "autoir.db")
    built = build(
        Settings(data_dir=tmp_path, tenant_id="11111111-2222-3333-4444-555555555555"),
        clock=clock,
        analysis=analysis,
    )
    yield built
    built.close()


class ApiClient(TestClient):
    """A TestClient that remembers a bearer token per role."""

    tokens: dict[str, str]

    def as_role(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_client(container: Container) -> ApiClient:
    from autoir.api.app import create_api

    app = create_api(container)
    app.state.ready = True
    client = ApiClient(app)
    client.tokens = {
        role: container.access.issue_token(f"test {role}", role, None).secret
        for role in ("Security administrator", "Security operator", "Security reader")
    }
    client.headers["Authorization"] = f"Bearer {client.tokens['Security administrator']}"
    return client


@pytest.fixture
def api(container: Container) -> Iterator[ApiClient]:
    """An API client authenticated as a Security administrator (other roles via ``as_role``)."""
    with make_client(container) as client:
        yield client


@pytest.fixture(autouse=True)
def _no_autoir_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build their own settings; stray AUTOIR_* variables must not leak in."""
    for key in list(os.environ):
        if key.startswith("AUTOIR_") and not key.startswith("AUTOIR_TEST_"):
            monkeypatch.delenv(key)
