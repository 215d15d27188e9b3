"""Alerts: ingest, queue, read, manage, comment, story, similar, recommendations, bulk.

Served at ``/api/v1/alerts`` and, Graph-compatible, at ``/v1.0/security/alerts_v2``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from autoir.api.body import read_json, require_object
from autoir.api.deps import ContainerDep, ManageAlerts, ReadData
from autoir.api.errors import BadRequest
from autoir.api.paging import page_body
from autoir.bootstrap import Container
from autoir.domain.alerts.record import Comment
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.queries.fields import ALERT_FIELDS
from autoir.domain.queries.filters import ListQuery
from autoir.odata import parse_list_query
from autoir.services.alert_triage import parse_changes

FilterQ = Annotated[
    str | None,
    Query(
        alias="$filter",
        description="OData filter, e.g. severity eq 'high' and "
        "evidence/any(e: e/mdeDeviceId eq '…')",
    ),
]
OrderQ = Annotated[str | None, Query(alias="$orderby")]
TopQ = Annotated[str | None, Query(alias="$top", description="Page size, 1 to 1000 (default 50).")]
SkipQ = Annotated[str | None, Query(alias="$skip")]
CountQ = Annotated[str | None, Query(alias="$count")]
HiddenQ = Annotated[
    bool,
    Query(
        description="Include alerts hidden by a suppression rule (a filter on "
        "suppressionRuleId includes them too)."
    ),
]

INGEST_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {
                            "type": "object",
                            "description": "One Graph security alert (alerts_v2 shape).",
                        },
                        {
                            "type": "object",
                            "required": ["value"],
                            "properties": {
                                "value": {
                                    "type": "array",
                                    "maxItems": 5000,
                                    "items": {"type": "object"},
                                }
                            },
                        },
                    ]
                }
            }
        },
    },
}


def alert_query(
    container: Container,
    filter_text: str | None,
    orderby: str | None,
    top: str | None,
    skip: str | None,
    count: str | None,
) -> ListQuery:
    """Parse the queue's OData options."""
    return parse_list_query(
        ALERT_FIELDS,
        filter_text=filter_text,
        orderby=orderby,
        top=top,
        skip=skip,
        count=count,
        max_top=container.ctx.policy.max_page,
        entity_filters=True,
    )


def comments_body(comments: list[Comment]) -> dict[str, Any]:
    """Graph comment list body."""
    return {
        "@odata.context": "$metadata#Collection(microsoft.graph.security.alertComment)",
        "value": [c.to_graph() for c in comments],
    }


def build_router(*, graph: bool) -> APIRouter:  # noqa: C901
    """The alert routes; ``graph`` omits AutoIR-only extensions (ingest, story, bulk)."""
    router = APIRouter(tags=["alerts"])
    context = "$metadata#security/alerts_v2"

    @router.get("", summary="List alerts (the queue)")
    def list_alerts(
        request: Request,
        container: ContainerDep,
        _p: ReadData,
        filter_text: FilterQ = None,
        orderby: OrderQ = None,
        top: TopQ = None,
        skip: SkipQ = None,
        count: CountQ = None,
        hidden: HiddenQ = False,
    ) -> dict[str, Any]:
        query = alert_query(container, filter_text, orderby, top, skip, count)
        if hidden:
            query = replace(query, include_hidden=True)
        page, comments = container.alerts.queue(query)
        items = [a.to_graph(comments.get(a.id)) for a in page.items]
        return page_body(request, query, items, page.total, context)

    @router.get("/{alert_id}", summary="Get an alert")
    def get_alert(alert_id: str, container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        alert, comments = container.alerts.get(alert_id)
        return alert.to_graph(comments)

    @router.patch(
        "/{alert_id}",
        summary="Update an alert (status, assignedTo, classification, determination, tags)",
    )
    async def update_alert(
        alert_id: str, request: Request, container: ContainerDep, principal: ManageAlerts
    ) -> dict[str, Any]:
        body = require_object(await read_json(request, 1024 * 1024), "alert properties to change")
        changes = parse_changes(body)
        await run_in_threadpool(container.triage.update, alert_id, changes, principal)
        alert, comments = await run_in_threadpool(container.alerts.get, alert_id)
        return alert.to_graph(comments)

    @router.post("/{alert_id}/comments", summary="Add a comment; returns all comments")
    async def add_comment(
        alert_id: str, request: Request, container: ContainerDep, principal: ManageAlerts
    ) -> dict[str, Any]:
        body = require_object(await read_json(request, 1024 * 1024), "an alertComment")
        comments = await run_in_threadpool(
            container.triage.add_comment, alert_id, body.get("comment"), principal
        )
        return comments_body(comments)

    if graph:
        return router

    @router.post(
        "",
        status_code=201,
        summary='Ingest one alert or a batch {"value": [...]}',
        openapi_extra=INGEST_SCHEMA,
    )
    async def ingest(request: Request, container: ContainerDep, _p: ManageAlerts) -> dict[str, Any]:
        body = await read_json(request, container.settings.max_body_bytes)
        if isinstance(body, dict) and "value" in body:
            payloads = body["value"]
            if not isinstance(payloads, list):
                raise BadRequest("'value' must be a list of alerts.")
        elif isinstance(body, dict):
            payloads = [body]
        else:
            raise BadRequest('Send one alert object or {"value": [alerts…]}.')
        result = await run_in_threadpool(container.ingest.ingest, payloads)
        return {
            "ids": result.ids,
            "created": result.created,
            "updated": result.updated,
            "folded": result.folded,
        }

    @router.post(
        "/bulk-update", summary="Manage many alerts: by ids, by $filter, or all similar to one"
    )
    async def bulk_update(
        request: Request, container: ContainerDep, principal: ManageAlerts
    ) -> dict[str, Any]:
        body = require_object(await read_json(request, 8 * 1024 * 1024), "a bulk update")
        selectors = [k for k in ("ids", "filter", "similarTo") if k in body]
        if len(selectors) != 1:
            raise ValidationFailed(
                [FieldError("body", "give exactly one of 'ids', 'filter', 'similarTo'")]
            )
        raw_changes = body.get("changes")
        if not isinstance(raw_changes, dict):
            raise ValidationFailed(
                [FieldError("changes", "is required: an object of properties to set")]
            )
        comment = body.get("comment")
        changes = parse_changes(
            {**raw_changes, **({"comment": comment} if comment else {})}, allow_comment=True
        )
        if "ids" in body:
            ids = body["ids"]
            if not (isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids)):
                raise ValidationFailed([FieldError("ids", "must be a non-empty list of alert ids")])
        elif "filter" in body:
            if not isinstance(body["filter"], str):
                raise ValidationFailed([FieldError("filter", "must be an OData $filter string")])
            query = alert_query(container, body["filter"], None, None, None, None)
            ids = await run_in_threadpool(container.triage.ids_for, query)
        else:
            node = await run_in_threadpool(container.triage.similar_filter, str(body["similarTo"]))
            ids = await run_in_threadpool(container.triage.ids_for, ListQuery(filter=node))
        changed = await run_in_threadpool(container.triage.update_many, ids, changes, principal)
        return {"updated": len(changed), "ids": changed}

    @router.get(
        "/{alert_id}/story",
        summary="Alert story: related alerts and evidence in time order, process tree",
    )
    def story(alert_id: str, container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        result = container.alerts.story(alert_id)
        return {
            "items": [vars_of(item) for item in result.items],
            "processTree": [process_json(node) for node in result.process_roots],
        }

    @router.get("/{alert_id}/similar", summary="Alerts of the same type")
    def similar(alert_id: str, container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        return {"value": [a.to_graph() for a in container.alerts.similar(alert_id)]}

    @router.get("/{alert_id}/recommendations", summary="How similar alerts were classified before")
    def recommendations(alert_id: str, container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        rec = container.alerts.recommendations(alert_id)
        return {
            "totalClassified": rec.total_classified,
            "classifications": [
                {"classification": c, "determination": d, "count": n} for c, d, n in rec.counts
            ],
            "recentComments": [
                {"alertId": alert_id_, **comment.to_graph()}
                for alert_id_, comment in rec.recent_comments
            ],
        }

    return router


def vars_of(item: Any) -> dict[str, Any]:  # noqa: ANN401
    """A story item as camelCase JSON."""
    return {
        "time": item.time,
        "kind": item.kind,
        "title": item.title,
        "alertId": item.alert_id,
        "severity": item.severity,
        "detail": item.detail,
    }


def process_json(node: Any) -> dict[str, Any]:  # noqa: ANN401
    """A process-tree node as JSON."""
    return {
        "name": node.name,
        "commandLine": node.command_line,
        "user": node.user,
        "created": node.created,
        "children": [process_json(c) for c in node.children],
    }
