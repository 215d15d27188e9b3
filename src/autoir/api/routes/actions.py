"""The Action Center at ``/api/v1/actions``: list, export, approve, reject, undo, cancel, manual.

Routes require the response permission (reading: read security data); each action type also
requires its own permission, which the service checks (reference §6.1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from autoir.api.action_json import action_json, actions_csv, catalogue_json
from autoir.api.body import read_json, require_object
from autoir.api.deps import ContainerDep, ReadData, ResponseActions
from autoir.api.errors import BadRequest
from autoir.api.paging import page_body
from autoir.api.routes.alerts import CountQ, FilterQ, OrderQ, SkipQ, TopQ
from autoir.bootstrap import Container
from autoir.domain.access.permissions import Principal
from autoir.domain.queries.fields import ACTION_FIELDS
from autoir.domain.remediation.action import RemediationAction
from autoir.domain.remediation.lifecycle import ActionStatus
from autoir.odata import parse_list_query
from autoir.ports.actions import ActionSearch

MAX_BODY = 256 * 1024
EXPORT_LIMIT = 100_000
TIME_RANGES = {
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=30),
    "6months": timedelta(days=182),
}
TABS = {
    "pending": frozenset({ActionStatus.PENDING}),
    "history": frozenset(s for s in ActionStatus if s.is_history),
}
TabQ = Annotated[
    str | None, Query(description="pending (awaiting approval) or history (everything decided)")
]
RangeQ = Annotated[
    str | None,
    Query(alias="timeRange", description="day, week, month (30 days) or 6months, by last update"),
]


def _search(
    container: Container,
    tab: str | None,
    time_range: str | None,
    filter_text: str | None,
    orderby: str | None,
    top: str | None,
    skip: str | None,
    count: str | None,
    *,
    max_top: int | None = None,
) -> ActionSearch:
    if tab is not None and tab not in TABS:
        raise BadRequest(f"tab must be one of {', '.join(TABS)}, not {tab!r}.")
    if time_range is not None and time_range not in TIME_RANGES:
        raise BadRequest(f"timeRange must be one of {', '.join(TIME_RANGES)}, not {time_range!r}.")
    query = parse_list_query(
        ACTION_FIELDS,
        filter_text=filter_text,
        orderby=orderby,
        top=top,
        skip=skip,
        count=count,
        max_top=max_top or container.ctx.policy.max_page,
    )
    since = container.ctx.clock.now() - TIME_RANGES[time_range] if time_range is not None else None
    return ActionSearch(query, TABS[tab] if tab else None, since)


async def _ids_body(request: Request) -> tuple[list[str], str | None]:
    body = require_object(await read_json(request, MAX_BODY), '{"ids": [...], "comment": "..."}')
    ids = body.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadRequest('"ids" must be a list of action ids.')
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise BadRequest('"comment" must be a string.')
    return ids, comment


async def _comment_body(request: Request) -> str | None:
    raw = await read_json(request, MAX_BODY) if await request.body() else {}
    body = require_object(raw, '{"comment": "..."}')
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise BadRequest('"comment" must be a string.')
    return comment


_Many = Callable[[Principal, Sequence[str], str | None], list[RemediationAction]]
_One = Callable[[Principal, str, str | None], RemediationAction]


async def _decide_many(request: Request, decide: _Many, principal: Principal) -> dict[str, Any]:
    ids, comment = await _ids_body(request)
    actions = await run_in_threadpool(decide, principal, ids, comment)
    return {"value": [action_json(a) for a in actions]}


async def _decide_one(
    request: Request, decide: _One, principal: Principal, action_id: str
) -> dict[str, Any]:
    comment = await _comment_body(request)
    return action_json(await run_in_threadpool(decide, principal, action_id, comment))


def build_router() -> APIRouter:
    """The Action Center routes."""
    router = APIRouter(tags=["actions"])

    @router.get("", summary="List actions (Pending and History tabs)")
    def list_actions(
        request: Request,
        container: ContainerDep,
        _p: ReadData,
        tab: TabQ = None,
        time_range: RangeQ = None,
        filter_text: FilterQ = None,
        orderby: OrderQ = None,
        top: TopQ = None,
        skip: SkipQ = None,
        count: CountQ = None,
    ) -> dict[str, Any]:
        search = _search(container, tab, time_range, filter_text, orderby, top, skip, count)
        page = container.automation.remediation.center.search(search)
        items = [action_json(a) for a in page.items]
        return page_body(request, search.query, items, page.total, "$metadata#actions")

    @router.get("/export.csv", summary="Export actions as CSV (same options as the list)")
    def export_actions(
        container: ContainerDep,
        _p: ReadData,
        tab: TabQ = None,
        time_range: RangeQ = None,
        filter_text: FilterQ = None,
        orderby: OrderQ = None,
    ) -> Response:
        search = _search(
            container,
            tab,
            time_range,
            filter_text,
            orderby,
            str(EXPORT_LIMIT),
            None,
            None,
            max_top=EXPORT_LIMIT,
        )
        page = container.automation.remediation.center.search(search)
        return Response(
            actions_csv(page.items),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="actions.csv"'},
        )

    @router.get("/catalogue", summary="Action types: permission, targets, undo, destructive")
    def catalogue(_p: ReadData) -> dict[str, Any]:
        return {"value": catalogue_json()}

    @router.get("/{action_id}", summary="Get an action")
    def get_action(action_id: str, container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        return action_json(container.automation.remediation.center.get(action_id))

    @router.post("", status_code=201, summary="Take a manual action on an entity")
    async def request_action(
        request: Request, container: ContainerDep, principal: ResponseActions
    ) -> dict[str, Any]:
        body = require_object(
            await read_json(request, MAX_BODY), '{"actionType": "...", "target": {"kind": ...}}'
        )
        center = container.automation.remediation.center
        return action_json(await run_in_threadpool(center.request, principal, body))

    @router.post("/approve", summary="Approve pending actions of one type")
    async def approve(
        request: Request, container: ContainerDep, principal: ResponseActions
    ) -> dict[str, Any]:
        return await _decide_many(
            request, container.automation.remediation.center.approve, principal
        )

    @router.post("/reject", summary="Reject pending actions of one type")
    async def reject(
        request: Request, container: ContainerDep, principal: ResponseActions
    ) -> dict[str, Any]:
        return await _decide_many(
            request, container.automation.remediation.center.reject, principal
        )

    @router.post("/{action_id}/undo", status_code=201, summary="Undo a completed action")
    async def undo(
        action_id: str, request: Request, container: ContainerDep, principal: ResponseActions
    ) -> dict[str, Any]:
        center = container.automation.remediation.center
        return await _decide_one(request, center.undo, principal, action_id)

    @router.post("/{action_id}/cancel", summary="Cancel an action that has not run yet")
    async def cancel(
        action_id: str, request: Request, container: ContainerDep, principal: ResponseActions
    ) -> dict[str, Any]:
        center = container.automation.remediation.center
        return await _decide_one(request, center.cancel, principal, action_id)

    @router.post("/{action_id}/comments", summary="Comment on an action")
    async def comment(
        action_id: str, request: Request, container: ContainerDep, principal: ResponseActions
    ) -> dict[str, Any]:
        text = await _comment_body(request)
        center = container.automation.remediation.center
        return action_json(
            await run_in_threadpool(center.comment, principal, action_id, text or "")
        )

    return router
