"""Authentication and per-route permission checks."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from autoir.bootstrap import Container
from autoir.domain.access.permissions import Permission, Principal
from autoir.domain.errors import AuthenticationRequired, PermissionDenied

SESSION_COOKIE = "autoir_session"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def container_of(request: Request) -> Container:
    """The application's container."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(container_of)]


def authenticate(request: Request, container: Container) -> Principal:
    """Bearer token, else UI session cookie (with the CSRF header on unsafe methods)."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthenticationRequired("Use 'Authorization: Bearer <token>'.")
        principal = container.access.authenticate_token(secret.strip())
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise AuthenticationRequired(
                "Authentication required: send 'Authorization: Bearer <token>'."
            )
        principal, csrf = container.access.session(cookie)
        if request.method in UNSAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent, csrf):
                raise PermissionDenied("Missing or wrong CSRF token.")
    request.state.principal = principal
    return principal


class Require:
    """A route's declared permission: ``Depends(Require(Permission.MANAGE_ALERTS))``."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, request: Request) -> Principal:
        """Authenticate and check the permission."""
        principal = authenticate(request, container_of(request))
        if not principal.can(self.permission):
            raise PermissionDenied(
                f"The role '{principal.role}' lacks the permission '{self.permission.value}'."
            )
        return principal


class PublicRoute:
    """Marks a route as deliberately public (health checks)."""

    is_public = True

    def __call__(self) -> None:
        """Nothing to check."""


Public = Depends(PublicRoute())
ReadData = Annotated[Principal, Depends(Require(Permission.READ_SECURITY_DATA))]
ManageAlerts = Annotated[Principal, Depends(Require(Permission.MANAGE_ALERTS))]
Settings = Annotated[Principal, Depends(Require(Permission.SETTINGS))]
ResponseActions = Annotated[Principal, Depends(Require(Permission.RESPONSE_ACTIONS))]
