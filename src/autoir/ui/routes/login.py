"""Login, logout and the language preference."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from autoir.domain.errors import AuthenticationRequired
from autoir.ui.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfRejected,
    Public,
    ReadViewer,
    clear_session_cookie,
    container_of,
    new_login_csrf,
    safe_next,
    set_session_cookie,
    tokens_match,
)
from autoir.ui.i18n import negotiate_locale
from autoir.ui.labels import N_
from autoir.ui.routing import UiRoute, templates_of

router = APIRouter(route_class=UiRoute)
WRONG_CREDENTIALS = N_("Wrong user name or password.")


def _login_form(
    request: Request, next_path: str, username: str = "", error: str | None = None
) -> Response:
    token = new_login_csrf()
    response = templates_of(request).render(
        request,
        "login.html",
        {"next": next_path, "username": username, "error": error, "login_csrf": token},
        locale=negotiate_locale(request.headers.get("accept-language")),
        status_code=401 if error else 200,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=container_of(request).settings.cookie_secure,
        path="/login",
    )
    return response


@router.get("/login", dependencies=[Public])
def login_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    """The login form (in the browser's language)."""
    return _login_form(request, safe_next(next))


@router.post("/login", dependencies=[Public])
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    next: Annotated[str, Form()] = "/",  # noqa: A002
) -> Response:
    """Check the password, open a session and go to ``next`` (a local path)."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not tokens_match(csrf_token, expected):
        raise CsrfRejected
    container = container_of(request)
    locale = negotiate_locale(request.headers.get("accept-language"))
    try:
        session = container.access.login(username.strip(), password)
    except AuthenticationRequired:
        message = templates_of(request).gettext(locale, WRONG_CREDENTIALS)
        return _login_form(request, safe_next(next), username, message)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, session, secure=container.settings.cookie_secure)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", dependencies=[Public])
def logout(request: Request, csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> Response:
    """End the session (CSRF-checked when a session exists) and show the login form."""
    container = container_of(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        try:
            _, expected = container.access.session(cookie)
        except AuthenticationRequired:
            expected = None
        if expected is not None:
            if not tokens_match(csrf_token or request.headers.get("x-csrf-token"), expected):
                raise CsrfRejected
            container.access.logout(cookie)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, secure=container.settings.cookie_secure)
    return response


@router.post("/preferences/language")
def set_language(
    request: Request,
    viewer: ReadViewer,
    locale: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",  # noqa: A002
) -> Response:
    """Switch the user's UI language and return to the page."""
    user_id = viewer.principal.user_id
    if user_id is not None:
        container_of(request).access.set_locale(user_id, locale)
    return RedirectResponse(safe_next(next), status_code=303)
