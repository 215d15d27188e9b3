"""Suppression (alert tuning) rules at ``/api/v1/suppression-rules`` (issue 7, reference §4.1).

``POST`` creates (201), ``GET`` lists or reads one, ``PUT`` replaces (a ``GET`` body can be sent
back: read-only keys are ignored), ``DELETE`` removes (``?releaseAlerts=true`` also shows and
reopens the alerts the rule suppressed), ``POST /dry-run`` takes a rule body and returns how
many alerts of the last 30 days it would have matched with up to 20 examples.
``GET /api/v1/alerts/{id}/suppression-draft`` returns a rule pre-filled from an alert. Reads need
``read_security_data``, writes ``detection_tuning``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from autoir.api.body import read_json
from autoir.api.deps import ContainerDep, ReadData, Require
from autoir.domain.access.permissions import Permission, Principal
from autoir.domain.timestamps import format_timestamp
from autoir.services.suppression_rules import DryRun

MAX_BODY = 512 * 1024
Tuning = Annotated[Principal, Depends(Require(Permission.DETECTION_TUNING))]
ReleaseQ = Annotated[bool, Query(alias="releaseAlerts")]


def dry_run_json(result: DryRun) -> dict[str, Any]:
    """The dry run's body: the count, examples (newest first) and how much was read."""
    return {
        "count": result.count,
        "scanned": result.scanned,
        "truncated": result.truncated,
        "examples": [
            {
                "id": alert.id,
                "title": alert.title,
                "severity": alert.severity.value,
                "status": alert.status.value,
                "createdDateTime": format_timestamp(alert.created),
            }
            for alert in result.examples
        ],
    }


def build_router() -> APIRouter:
    """The rule routes, mounted at ``/api/v1/suppression-rules``."""
    router = APIRouter(tags=["suppression rules"])

    @router.get("", summary="List suppression rules")
    def list_rules(container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        return {"value": [r.to_json() for r in container.suppression.list_rules()]}

    @router.post("", summary="Create a suppression rule", status_code=201)
    async def create_rule(
        request: Request, container: ContainerDep, principal: Tuning
    ) -> dict[str, Any]:
        body = await read_json(request, MAX_BODY)
        stored = await run_in_threadpool(container.suppression.create, principal, body)
        return stored.to_json()

    @router.post("/dry-run", summary="Count the alerts of the last 30 days a rule would match")
    async def dry_run(request: Request, container: ContainerDep, _p: Tuning) -> dict[str, Any]:
        body = await read_json(request, MAX_BODY)
        return dry_run_json(await run_in_threadpool(container.suppression.dry_run, body))

    @router.get("/{rule_id}", summary="Get a suppression rule")
    def get_rule(rule_id: str, container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        return container.suppression.get(rule_id).to_json()

    @router.put("/{rule_id}", summary="Replace a suppression rule")
    async def update_rule(
        rule_id: str, request: Request, container: ContainerDep, principal: Tuning
    ) -> dict[str, Any]:
        body = await read_json(request, MAX_BODY)
        stored = await run_in_threadpool(container.suppression.update, principal, rule_id, body)
        return stored.to_json()

    @router.delete("/{rule_id}", summary="Delete a suppression rule", status_code=204)
    def delete_rule(
        rule_id: str, container: ContainerDep, principal: Tuning, release: ReleaseQ = False
    ) -> Response:
        container.suppression.delete(principal, rule_id, release=release)
        return Response(status_code=204)

    return router


def build_draft_router() -> APIRouter:
    """``GET /{alert_id}/suppression-draft``, mounted under ``/api/v1/alerts``."""
    router = APIRouter(tags=["suppression rules"])

    @router.get("/{alert_id}/suppression-draft", summary="A suppression rule drafted from an alert")
    def suppression_draft(alert_id: str, container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        return container.suppression.draft_json(alert_id)

    return router
