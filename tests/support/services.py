"""Which external services the tests may use, and what to do when one is missing."""

from __future__ import annotations

import os

import pytest

REQUIRE_ENV = "AUTOIR_TEST_REQUIRE_SERVICES"
POSTGRES_ENV = "AUTOIR_TEST_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def services_required() -> bool:
    """CI sets AUTOIR_TEST_REQUIRE_SERVICES=1: a missing service is then a failure, not a skip."""
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0", "false")


def missing_service(reason: str) -> None:
    """Skip (developer machine) or fail (CI) because a service is unavailable."""
    if services_required():
        pytest.fail(f"{reason} (required because {REQUIRE_ENV} is set)")
    pytest.skip(reason)


def postgres_admin_url() -> str:
    """Server to create throwaway test databases on."""
    return os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
