"""UI sessions, CSRF protection and the permission every UI route declares.

A page needs the ``autoir_session`` cookie (``AccessService.login``); without a valid session it
redirects to ``/login?next=…``. Unsafe methods also need the session's CSRF token, sent as the
``csrf_token`` form field or, from htmx, the ``X-CSRF-Token`` header (OWASP CSRF cheat sheet,
synchronizer token pattern). The login form itself uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from autoir.bootstrap import Container
from autoir.domain.access.permissions import Permission, Principal
from autoir.domain.errors import AuthenticationRequired, PermissionDenied
from autoir.services.access import Session

SESSION_COOKIE = "autoir_session"
LOGIN_CSRF_COOKIE = "autoir_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequired(Exception):
    """No valid session: the page redirects to the login form."""

    def __init__(self, next_path: str) -> None:
        super().__init__("login required")
        self.next_path = next_path


class CsrfRejected(Exception):
    """An unsafe request without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking at a page, and the CSRF token their forms must send back."""

    principal: Principal
    csrf_token: str

    @property
    def locale(self) -> str:
        """The user's UI language."""
        return self.principal.locale

    def can(self, permission: Permission) -> bool:
        """True when the user's role grants ``permission``."""
        return self.principal.can(permission)


def container_of(request: Request) -> Container:
    """The application's container (set by ``install_ui``)."""
    container: Container = request.app.state.container
    return container


def is_htmx(request: Request) -> bool:
    """True for requests htmx sends (partial page updates)."""
    return request.headers.get("hx-request") == "true"


def safe_next(raw: str | None, default: str = "/") -> str:
    """A local path to return to; anything that could leave the site gives ``default``."""
    if not raw or not raw.startswith("/") or raw.startswith(("//", "/\\")):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or any(ch in raw for ch in "\r\n\\"):
        return default
    return raw


def current_path(request: Request) -> str:
    """Path and query of the request, for ``?next=``."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def login_url(next_path: str) -> str:
    """``/login?next=…``."""
    return "/login?next=" + quote(next_path, safe="/")


def tokens_match(sent: str | None, expected: str) -> bool:
    """Constant-time comparison of CSRF tokens."""
    return bool(sent) and hmac.compare_digest(str(sent).encode(), expected.encode())


async def sent_csrf_token(request: Request) -> str | None:
    """The CSRF token of an unsafe request: header first, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


class RequirePage:
    """A page's declared permission: ``Depends(RequirePage(Permission.READ_SECURITY_DATA))``.

    Resolves the session into a :class:`Viewer`, checks the CSRF token on unsafe methods, then
    the permission.
    """

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Viewer:
        """Authenticate the session and check CSRF and the permission."""
        cookie = request.cookies.get(SESSION_COOKIE)
        next_path = current_path(request) if request.method == "GET" else "/"
        if not cookie:
            raise LoginRequired(next_path)
        try:
            principal, csrf = await run_in_threadpool(container_of(request).access.session, cookie)
        except AuthenticationRequired:
            raise LoginRequired(next_path) from None
        if request.method in UNSAFE_METHODS and not tokens_match(
            await sent_csrf_token(request), csrf
        ):
            raise CsrfRejected
        viewer = Viewer(principal, csrf)
        request.state.viewer = viewer
        if not principal.can(self.permission):
            raise PermissionDenied(
                f"The role '{principal.role}' lacks the permission '{self.permission.value}'."
            )
        return viewer


class PublicPage:
    """Marks a deliberately public route (login form, login POST, logout)."""

    is_public = True

    def __call__(self) -> None:
        """Nothing to check."""


READ = RequirePage(Permission.READ_SECURITY_DATA)
MANAGE = RequirePage(Permission.MANAGE_ALERTS)
ReadViewer = Annotated[Viewer, Depends(READ)]
ManageViewer = Annotated[Viewer, Depends(MANAGE)]
Public = Depends(PublicPage())


def new_login_csrf() -> str:
    """A fresh token for the login form's double-submit cookie."""
    return secrets.token_urlsafe(24)


def set_session_cookie(response: Response, session: Session, *, secure: bool) -> None:
    """Set the session cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS)."""
    response.set_cookie(
        SESSION_COOKIE,
        session.cookie,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    """Remove the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
