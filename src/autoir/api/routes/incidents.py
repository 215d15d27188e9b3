"""Incidents at ``/api/v1/incidents`` and ``/v1.0/security/incidents``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from autoir.api.body import read_json, require_object
from autoir.api.deps import ContainerDep, ManageAlerts, ReadData
from autoir.api.errors import BadRequest
from autoir.api.paging import page_body
from autoir.api.routes.alerts import CountQ, FilterQ, OrderQ, SkipQ, TopQ, comments_body
from autoir.domain.queries.fields import INCIDENT_FIELDS
from autoir.odata import parse_list_query
from autoir.services.incidents import parse_incident_changes

ExpandQ = Annotated[
    str | None, Query(alias="$expand", description="'alerts' to include each incident's alerts")
]


def _expand_alerts(expand: str | None) -> bool:
    if expand is None or not expand.strip():
        return False
    if expand.strip() != "alerts":
        raise BadRequest(f"$expand: only 'alerts' can be expanded, not '{expand}'.")
    return True


def build_router() -> APIRouter:
    """The incident routes."""
    router = APIRouter(tags=["incidents"])

    @router.get("", summary="List incidents")
    def list_incidents(
        request: Request,
        container: ContainerDep,
        _p: ReadData,
        filter_text: FilterQ = None,
        orderby: OrderQ = None,
        top: TopQ = None,
        skip: SkipQ = None,
        count: CountQ = None,
        expand: ExpandQ = None,
    ) -> dict[str, Any]:
        with_alerts = _expand_alerts(expand)
        query = parse_list_query(
            INCIDENT_FIELDS,
            filter_text=filter_text,
            orderby=orderby,
            top=top,
            skip=skip,
            count=count,
            max_top=container.ctx.policy.max_page,
        )
        page = container.incidents.search(query)
        alerts = (
            container.incidents.alerts_for_many([i.id for i in page.items]) if with_alerts else {}
        )
        items = [
            i.to_graph(alerts=[a.to_graph() for a in alerts[i.id]] if with_alerts else None)
            for i in page.items
        ]
        return page_body(request, query, items, page.total, "$metadata#security/incidents")

    @router.get("/{incident_id}", summary="Get an incident")
    def get_incident(
        incident_id: str, container: ContainerDep, _p: ReadData, expand: ExpandQ = None
    ) -> dict[str, Any]:
        incident = container.incidents.get(incident_id)
        alerts = (
            [a.to_graph() for a in container.incidents.alerts(incident_id)]
            if _expand_alerts(expand)
            else None
        )
        return incident.to_graph(container.incidents.comments(incident_id), alerts)

    @router.patch("/{incident_id}", summary="Update an incident")
    async def update_incident(
        incident_id: str, request: Request, container: ContainerDep, principal: ManageAlerts
    ) -> dict[str, Any]:
        body = require_object(
            await read_json(request, 1024 * 1024), "incident properties to change"
        )
        values = parse_incident_changes(body)
        incident = await run_in_threadpool(
            container.incidents.update, incident_id, values, principal
        )
        comments = await run_in_threadpool(container.incidents.comments, incident_id)
        return incident.to_graph(comments)

    @router.post("/{incident_id}/comments", summary="Add a comment; returns all comments")
    async def add_comment(
        incident_id: str, request: Request, container: ContainerDep, principal: ManageAlerts
    ) -> dict[str, Any]:
        body = require_object(await read_json(request, 1024 * 1024), "an alertComment")
        comments = await run_in_threadpool(
            container.incidents.add_comment, incident_id, body.get("comment"), principal
        )
        return comments_body(comments)

    return router
