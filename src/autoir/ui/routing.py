"""The route class of UI routers: HTML error pages and security headers.

The API maps errors to JSON for the whole application; UI routes catch them first and answer
with a page in the viewer's language (or a redirect to the login form).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from autoir.domain.errors import (
    AuthenticationRequired,
    AutoirError,
    Conflict,
    NotFound,
    PermissionDenied,
    QueryInvalid,
    ValidationFailed,
)
from autoir.ui.auth import CsrfRejected, LoginRequired, Viewer, is_htmx, login_url
from autoir.ui.i18n import negotiate_locale
from autoir.ui.labels import N_
from autoir.ui.templating import Templates

# Content-Security-Policy: everything from this origin only, no inline script or style
# (scripts and their data come from static files and JSON blocks; OWASP Secure Headers).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

_ERRORS: tuple[tuple[type[Exception], int, str, str], ...] = (
    (
        CsrfRejected,
        403,
        N_("Request refused"),
        N_("The form was sent without a valid security token. Reload the page and try again."),
    ),
    (
        PermissionDenied,
        403,
        N_("Access denied"),
        N_("Your role does not allow this. Ask an administrator for the permission."),
    ),
    (NotFound, 404, N_("Not found"), N_("There is nothing at this address, or it was removed.")),
    (QueryInvalid, 400, N_("Invalid filter"), N_("The filter could not be understood.")),
    (ValidationFailed, 422, N_("Invalid input"), N_("Some values are not valid.")),
    (Conflict, 409, N_("Conflict"), N_("The change is not allowed in the current state.")),
    (
        RequestValidationError,
        400,
        N_("Invalid request"),
        N_("The request is missing fields or has values of the wrong type."),
    ),
)


def templates_of(request: Request) -> Templates:
    """The UI's templates."""
    templates: Templates = request.app.state.ui_templates
    return templates


def error_page(request: Request, exc: Exception) -> Response:
    """The page (or redirect) for an error raised by a UI route."""
    if isinstance(exc, LoginRequired | AuthenticationRequired):
        target = login_url(exc.next_path if isinstance(exc, LoginRequired) else "/")
        if is_htmx(request):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    found = next((entry for entry in _ERRORS if isinstance(exc, entry[0])), None)
    if found is None:  # pragma: no cover - only the listed classes reach here
        raise exc
    _, status, title, message = found
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    details: list[str] = []
    if isinstance(exc, ValidationFailed):
        details = [f"{e.target}: {e.message}" for e in exc.errors]
    elif isinstance(exc, AutoirError):
        details = [str(exc)]
    return templates_of(request).render(
        request,
        "error.html",
        {"title": title, "message": message, "details": details, "status": status},
        viewer=viewer,
        locale=negotiate_locale(request.headers.get("accept-language")),
        status_code=status,
    )


class UiRoute(APIRoute):
    """Routes that answer in HTML: errors become pages; every response gets security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler."""
        handler = super().get_route_handler()

        async def ui_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except (
                LoginRequired,
                CsrfRejected,
                AutoirError,
                RequestValidationError,
            ) as exc:
                response = error_page(request, exc)
            response.headers.update(SECURITY_HEADERS)
            return response

        return ui_handler
