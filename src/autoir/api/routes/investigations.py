"""Investigations at ``/api/v1/investigations``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from autoir.api.body import read_json, require_object
from autoir.api.deps import ContainerDep, ReadData, ResponseActions
from autoir.api.investigation_json import detail_json, investigation_json
from autoir.api.paging import page_body
from autoir.api.routes.alerts import CountQ, FilterQ, OrderQ, SkipQ, TopQ
from autoir.domain.queries.fields import INVESTIGATION_FIELDS
from autoir.odata import parse_list_query


def build_router() -> APIRouter:
    """The investigation routes."""
    router = APIRouter(tags=["investigations"])

    @router.get("", summary="List investigations")
    def list_investigations(
        request: Request,
        container: ContainerDep,
        _p: ReadData,
        filter_text: FilterQ = None,
        orderby: OrderQ = None,
        top: TopQ = None,
        skip: SkipQ = None,
        count: CountQ = None,
    ) -> dict[str, Any]:
        query = parse_list_query(
            INVESTIGATION_FIELDS,
            filter_text=filter_text,
            orderby=orderby,
            top=top,
            skip=skip,
            count=count,
            max_top=container.ctx.policy.max_page,
            entity_filters=True,
        )
        page = container.automation.investigations.search(query)
        items = [investigation_json(record) for record in page.items]
        return page_body(request, query, items, page.total, "$metadata#investigations")

    @router.get("/{investigation_id}", summary="Get an investigation with graph, evidence, log")
    def get_investigation(
        investigation_id: str, container: ContainerDep, _p: ReadData
    ) -> dict[str, Any]:
        return detail_json(container.automation.investigations.get(investigation_id))

    @router.post("", status_code=201, summary="Start an investigation of an entity")
    async def start_investigation(
        request: Request, container: ContainerDep, principal: ResponseActions
    ) -> dict[str, Any]:
        body = require_object(
            await read_json(request, 64 * 1024), '{"entityType": "email|mailbox|device|user"}'
        )
        automation = container.automation
        record = await run_in_threadpool(automation.investigations.start_manual, principal, body)
        await run_in_threadpool(automation.queue.enqueue_advance, record.id)
        return investigation_json(record)

    @router.post("/{investigation_id}/cancel", summary="Stop an investigation")
    async def cancel_investigation(
        investigation_id: str, container: ContainerDep, principal: ResponseActions
    ) -> dict[str, Any]:
        record = await run_in_threadpool(
            container.automation.investigations.cancel, investigation_id, principal
        )
        return investigation_json(record)

    return router
