"""One table from error class to HTTP status, and Graph-style error bodies."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from autoir.domain.errors import (
    AuthenticationRequired,
    AutoirError,
    Conflict,
    ConnectorRejected,
    ConnectorUnavailable,
    NotFound,
    PermissionDenied,
    QueryInvalid,
    ValidationFailed,
)

STATUS_BY_ERROR: dict[type[AutoirError], int] = {
    ValidationFailed: 400,
    QueryInvalid: 400,
    NotFound: 404,
    Conflict: 409,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    ConnectorUnavailable: 503,
    ConnectorRejected: 502,
}


class BadRequest(AutoirError):
    """The request itself is malformed (bad JSON, wrong shape)."""

    code = "badRequest"


class PayloadTooLarge(AutoirError):
    """The body exceeds the configured limit."""

    code = "payloadTooLarge"


STATUS_BY_ERROR[BadRequest] = 400
STATUS_BY_ERROR[PayloadTooLarge] = 413


def error_body(
    code: str, message: str, details: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """``{"error": {"code", "message", "details": [{"code", "target", "message"}]}}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def status_of(exc: AutoirError) -> int:
    """HTTP status for an AutoIR error (most specific class wins)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def install_error_handlers(app: FastAPI) -> None:
    """Map AutoIR errors and framework validation errors to JSON bodies."""

    async def autoir_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AutoirError)
        details = None
        if isinstance(exc, ValidationFailed):
            details = [
                {"code": "invalidValue", "target": e.target, "message": e.message}
                for e in exc.errors
            ]
        headers = (
            {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationRequired) else None
        )
        return JSONResponse(
            error_body(exc.code, str(exc), details), status_code=status_of(exc), headers=headers
        )

    async def request_validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = [
            {
                "code": "invalidValue",
                "target": ".".join(str(p) for p in err["loc"]),
                "message": err["msg"],
            }
            for err in exc.errors()
        ]
        return JSONResponse(
            error_body("badRequest", "The request is invalid.", details), status_code=400
        )

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return JSONResponse(
            error_body("httpError", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    app.add_exception_handler(AutoirError, autoir_error)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
