"""Endpoint agents (issue 6, ``docs/agent-protocol.md``).

Administrators (``settings``) create, list and revoke one-time enrolment tokens at
``/api/v1/agents/enrollment-tokens``; readers (``read_security_data``) list the enrolled devices
at ``/api/v1/devices``. The agent's own routes, ``POST /agent/v1/enroll`` and
``POST /agent/v1/heartbeat``, are public at the edge: no user session applies to a host, so the
service authenticates the enrolment token or the device credential itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from autoir.api.body import read_json, require_object
from autoir.api.deps import ContainerDep, Public, ReadData, Settings

MAX_BODY = 64 * 1024
Top = Annotated[int, Query(alias="$top")]
Skip = Annotated[int, Query(alias="$skip")]


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _has_body(request: Request) -> bool:
    """False for a POST without a body (every option of a new token has a default)."""
    length = request.headers.get("content-length")
    if length is None:
        return "transfer-encoding" in request.headers
    return length.strip() != "0"


def _bearer(request: Request) -> str:
    """The bearer credential, or '' (the service refuses it with ``invalidCredential``)."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def build_router() -> APIRouter:
    """The administration routes: enrolment tokens and the device inventory."""
    router = APIRouter(tags=["endpoint agents"])

    @router.post(
        "/api/v1/agents/enrollment-tokens",
        summary="Create a one-time enrolment token (shown once)",
        status_code=201,
    )
    async def create_token(
        request: Request, container: ContainerDep, principal: Settings
    ) -> dict[str, Any]:
        body = (
            require_object(await read_json(request, MAX_BODY), "enrolment token")
            if _has_body(request)
            else {}
        )
        record, secret = await run_in_threadpool(
            container.agents.issue_token,
            principal,
            body.get("expiresInHours"),
            body.get("uses"),
        )
        return {**container.agents.token_json(record), "token": secret}

    @router.get("/api/v1/agents/enrollment-tokens", summary="List enrolment tokens")
    def list_tokens(container: ContainerDep, _p: Settings) -> dict[str, Any]:
        agents = container.agents
        return {"value": [agents.token_json(t) for t in agents.tokens()]}

    @router.delete(
        "/api/v1/agents/enrollment-tokens/{token_id}",
        summary="Revoke an enrolment token",
        status_code=204,
    )
    def revoke_token(token_id: str, container: ContainerDep, _p: Settings) -> Response:
        container.agents.revoke_token(token_id)
        return Response(status_code=204)

    @router.get("/api/v1/devices", summary="List enrolled devices (deviceEvidence)")
    def list_devices(
        container: ContainerDep, _p: ReadData, top: Top = 100, skip: Skip = 0
    ) -> dict[str, Any]:
        devices, total = container.agents.devices(top, skip)
        return {"value": devices, "@odata.count": total}

    @router.get("/api/v1/devices/{device_id}", summary="Get an enrolled device (deviceEvidence)")
    def get_device(device_id: str, container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        return container.agents.device(device_id)

    return router


def build_agent_router() -> APIRouter:
    """The agent protocol: enrolment and heartbeats, self-authenticating."""
    router = APIRouter(tags=["endpoint agent protocol"])

    @router.post(
        "/agent/v1/enroll",
        dependencies=[Public],
        summary="Enrol a host with a one-time token",
        status_code=201,
    )
    async def enroll(request: Request, container: ContainerDep) -> dict[str, Any]:
        body = require_object(await read_json(request, MAX_BODY), "enrolment")
        return await run_in_threadpool(container.agents.enroll, body, _client_ip(request))

    @router.post(
        "/agent/v1/heartbeat",
        dependencies=[Public],
        summary="A host's heartbeat with its inventory facts (Bearer device credential)",
    )
    async def heartbeat(request: Request, container: ContainerDep) -> dict[str, Any]:
        body = require_object(await read_json(request, MAX_BODY), "heartbeat")
        return await run_in_threadpool(
            container.agents.heartbeat, _bearer(request), body, _client_ip(request)
        )

    return router
