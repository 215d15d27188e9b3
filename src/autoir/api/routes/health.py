"""Liveness/readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from autoir.api.deps import Public, container_of

router = APIRouter(tags=["health"])


@router.get("/healthz", dependencies=[Public], summary="200 once the server is ready")
def healthz(request: Request) -> JSONResponse:
    """Ready when start-up finished and the database answers."""
    if not getattr(request.app.state, "ready", False):
        return JSONResponse({"status": "starting"}, status_code=503)
    with container_of(request).engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})
