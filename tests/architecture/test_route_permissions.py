"""Every route declares its permission at the edge (or is deliberately public)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from autoir.bootstrap import build
from autoir.cli.server import create_app
from autoir.domain.access.permissions import Permission
from autoir.settings import Settings


def _declares(dependant: Dependant) -> bool:
    for dependency in dependant.dependencies:
        call = dependency.call
        if isinstance(getattr(call, "permission", None), Permission):
            return True
        if getattr(call, "is_public", False) is True:
            return True
        if _declares(dependency):
            return True
    return False


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """API routes, looking inside included routers (FastAPI keeps them nested)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_api_routes(route.original_router.routes))
    return found


def test_every_route_declares_a_permission(tmp_path: Path) -> None:
    container = build(Settings(data_dir=tmp_path))
    app = create_app(container)
    routes = _api_routes(list(app.routes))
    assert len(routes) > 10
    undeclared = sorted(
        f"{sorted(r.methods)} {r.path}" for r in routes if not _declares(r.dependant)
    )
    assert undeclared == []
    container.close()
