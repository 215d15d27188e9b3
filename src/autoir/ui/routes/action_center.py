"""The Action Center: pending and history lists, one action, decisions and manual actions.

Reading needs the read permission; every decision needs the response permission, and the
service also checks each action type's own (reference §6.1). Decisions come back to the page
they were made on (``return_to``): a redirect with a notice, or that page again with the reason
a decision was refused (one action type at a time, decided meanwhile, not undoable…).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData, QueryParams

from autoir.domain.access.permissions import Principal
from autoir.domain.errors import Conflict, NotFound, QueryInvalid, ValidationFailed
from autoir.domain.remediation.action import RemediationAction
from autoir.ui.action_filters import TABS, TIME_RANGES, ActionForm
from autoir.ui.action_menus import PARAMETERS
from autoir.ui.action_view import (
    ActionRights,
    message_rows,
    per_day_chart,
    result_summary,
    wait_time,
)
from autoir.ui.auth import ReadViewer, Viewer, container_of, safe_next
from autoir.ui.filter_terms import PAGE_SIZES, encode
from autoir.ui.labels import (
    ACTION_SOURCE_OPTIONS,
    ACTION_STATUS_OPTIONS,
    ACTION_TYPE_OPTIONS,
    N_,
)
from autoir.ui.routes.investigations import RespondViewer, render_investigation
from autoir.ui.routing import UiRoute, templates_of
from autoir.ui.triage_form import translate_errors

router = APIRouter(route_class=UiRoute)
CHART_LIMIT = 5000
NOTICE_KEYS = ("decided", "n", "requested")
NO_SELECTION = N_("Select at least one action.")
MIXED_TYPES = N_("Approve or reject actions of one type at a time. The selection holds: %(types)s.")
REQUEST_FAILED = N_("The action could not be submitted.")
Ids = Annotated[list[str], Form()]
Text = Annotated[str, Form()]


def render_action_center(
    request: Request,
    viewer: Viewer,
    params: QueryParams,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The Pending or History tab with its filters (and the chart on History)."""
    container = container_of(request)
    center = container.automation.remediation.center
    templates = templates_of(request)
    form = ActionForm.from_params(params)
    now = container.ctx.clock.now()
    max_page = container.ctx.policy.max_page
    query_error = None
    items: list[RemediationAction] = []
    total = 0
    counts: dict[str, int] = {}
    chart = None
    try:
        page = center.search(form.search(now, max_page))
        items, total = list(page.items), page.total or 0
        for tab in TABS:
            other = center.search(
                ActionForm(tab=tab, time_range=form.time_range).search(now, max_page, top=1)
            )
            counts[tab] = other.total or 0
        if form.tab == "history":
            recent = center.search(form.search(now, max_page, top=CHART_LIMIT)).items
            days = TIME_RANGES[form.time_range].days + 1
            label = templates.label_function(viewer.locale)
            chart = per_day_chart(recent, now, days, label)
            chart["capped"] = len(recent) >= CHART_LIMIT
    except QueryInvalid as exc:
        query_error = str(exc)
    context = {
        "form": form,
        "filter_text": form.odata_filter() or "",
        "query_error": query_error,
        "errors": errors or [],
        "actions": items,
        "total": total,
        "counts": counts,
        "chart": chart,
        "rights": ActionRights(viewer),
        "now": now,
        "wait_time": wait_time,
        "summary": result_summary,
        "start": form.skip + 1 if items else 0,
        "end": form.skip + len(items),
        "prev_url": form.url(skip=max(0, form.skip - form.top)) if form.skip else None,
        "next_url": form.url(skip=form.skip + form.top) if form.skip + form.top < total else None,
        "size_urls": [(n, form.url(top=n, skip=0)) for n in PAGE_SIZES],
        "tab_urls": {tab: ActionForm(tab=tab, time_range=form.time_range).url() for tab in TABS},
        "export_url": form.export_url(),
        "return_to": form.url(),
        "notice": _notice(params),
        "options": {
            "type": ACTION_TYPE_OPTIONS,
            "status": tuple(s for s in ACTION_STATUS_OPTIONS if s != "pending"),
            "source": ACTION_SOURCE_OPTIONS,
            "ranges": tuple(TIME_RANGES),
        },
    }
    return templates.render(
        request,
        "action_center/list.html",
        context,
        viewer=viewer,
        status_code=status_code if query_error is None else 400,
    )


def _notice(params: QueryParams) -> dict[str, Any] | None:
    decided = params.get("decided")
    if decided not in {"approved", "rejected", "undone", "cancelled", "commented"}:
        return None
    try:
        count = max(1, int(params.get("n") or 1))
    except ValueError:
        count = 1
    return {"decided": decided, "count": count}


def render_action(
    request: Request,
    viewer: Viewer,
    action_id: str,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """One action: target, decision, result, comments, its undo or original."""
    center = container_of(request).automation.remediation.center
    action = center.get(action_id)
    linked = {
        a.id: a for a in center.get_many([i for i in (action.undo_of, action.undone_by) if i])
    }
    now = container_of(request).ctx.clock.now()
    context = {
        "action": action,
        "rights": ActionRights(viewer),
        "original": linked.get(action.undo_of or ""),
        "undo": linked.get(action.undone_by or ""),
        "messages": message_rows(action),
        "summary": result_summary(action),
        "wait": wait_time(action, now),
        "details": sorted(
            (k, v) for k, v in action.properties.items() if v not in (None, "", [], {})
        ),
        "device_details": action.result.get("details")
        if isinstance(action.result.get("details"), dict)
        else {},
        "errors": errors or [],
        "notice": _notice(request.query_params),
        "return_to": f"/action-center/{action.id}",
    }
    return templates_of(request).render(
        request, "action_center/page.html", context, viewer=viewer, status_code=status_code
    )


@router.get("/action-center")
def action_center(request: Request, viewer: ReadViewer) -> Response:
    """The Action Center (``?tab=pending|history``)."""
    return render_action_center(request, viewer, request.query_params)


@router.get("/action-center/{action_id}")
def action_page(action_id: str, request: Request, viewer: ReadViewer) -> Response:
    """One action."""
    return render_action(request, viewer, action_id)


def _back(return_to: str) -> str:
    return safe_next(return_to, "/action-center")


def _refused(request: Request, viewer: Viewer, return_to: str, errors: list[str]) -> Response:
    """The page the decision came from, with the reason it was refused."""
    back = urlsplit(_back(return_to))
    parts = back.path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "investigations":  # noqa: PLR2004 - /investigations/{id}
        return render_investigation(
            request, viewer, parts[1], action_errors=errors, status_code=422
        )
    if len(parts) == 2 and parts[0] == "action-center":  # noqa: PLR2004 - /action-center/{id}
        return render_action(request, viewer, parts[1], errors=errors, status_code=422)
    params = QueryParams([(k, v) for k, v in parse_qsl(back.query) if k not in NOTICE_KEYS])
    return render_action_center(request, viewer, params, errors=errors, status_code=422)


def _done(return_to: str, **notice: str) -> Response:
    back = urlsplit(_back(return_to))
    pairs = [(k, v) for k, v in parse_qsl(back.query) if k not in NOTICE_KEYS]
    pairs.extend(notice.items())
    fragment = f"#{back.fragment}" if back.fragment else ""
    return RedirectResponse(f"{back.path}?{encode(pairs)}{fragment}", status_code=303)


def _messages(request: Request, viewer: Viewer, exc: Exception) -> list[str]:
    templates = templates_of(request)
    if isinstance(exc, ValidationFailed):
        return translate_errors(exc, templates, viewer.locale)
    return [str(exc)]


async def _decide(
    request: Request, viewer: Viewer, verb: str, ids: list[str], comment: str, return_to: str
) -> Response:
    templates = templates_of(request)
    center = container_of(request).automation.remediation.center
    chosen = list(dict.fromkeys(i for i in ids if i))
    if not chosen:
        message = templates.gettext(viewer.locale, NO_SELECTION)
        return _refused(request, viewer, return_to, [message])
    types = sorted({a.action_type.value for a in center.get_many(chosen)})
    if len(types) > 1:
        label = templates.label_function(viewer.locale)
        names = ", ".join(label(t, "actionType") for t in types)
        message = templates.gettext(viewer.locale, MIXED_TYPES) % {"types": names}
        return _refused(request, viewer, return_to, [message])
    decision = center.approve if verb == "approved" else center.reject
    try:
        done = await run_in_threadpool(decision, viewer.principal, chosen, comment.strip() or None)
    except (ValidationFailed, Conflict, NotFound) as exc:
        return _refused(request, viewer, return_to, _messages(request, viewer, exc))
    return _done(return_to, decided=verb, n=str(len(done)))


@router.post("/action-center/approve")
async def approve_actions(
    request: Request,
    viewer: RespondViewer,
    ids: Ids = [],  # noqa: B006 - FastAPI copies form defaults
    comment: Text = "",
    return_to: Text = "/action-center",
) -> Response:
    """Approve the selected pending actions (one type at a time), with an optional comment."""
    return await _decide(request, viewer, "approved", ids, comment, return_to)


@router.post("/action-center/reject")
async def reject_actions(
    request: Request,
    viewer: RespondViewer,
    ids: Ids = [],  # noqa: B006 - FastAPI copies form defaults
    comment: Text = "",
    return_to: Text = "/action-center",
) -> Response:
    """Reject the selected pending actions (one type at a time), with an optional comment."""
    return await _decide(request, viewer, "rejected", ids, comment, return_to)


async def _act_on(
    request: Request,
    viewer: Viewer,
    operation: Callable[[Principal, str, str | None], RemediationAction],
    action_id: str,
    comment: str,
    return_to: str,
    decided: str,
) -> Response:
    """Undo or cancel one action: back to ``return_to`` with a notice, or refused with why."""
    try:
        await run_in_threadpool(operation, viewer.principal, action_id, comment.strip() or None)
    except Conflict as exc:
        return _refused(request, viewer, return_to, _messages(request, viewer, exc))
    return _done(return_to, decided=decided)


@router.post("/action-center/{action_id}/undo")
async def undo_action(
    action_id: str,
    request: Request,
    viewer: RespondViewer,
    comment: Text = "",
    return_to: Text = "/action-center?tab=history",
) -> Response:
    """Undo a completed reversible action (the undo runs as an action of its own)."""
    center = container_of(request).automation.remediation.center
    return await _act_on(request, viewer, center.undo, action_id, comment, return_to, "undone")


@router.post("/action-center/{action_id}/cancel")
async def cancel_action(
    action_id: str,
    request: Request,
    viewer: RespondViewer,
    comment: Text = "",
    return_to: Text = "/action-center?tab=history",
) -> Response:
    """Cancel an action that has not started executing."""
    center = container_of(request).automation.remediation.center
    return await _act_on(request, viewer, center.cancel, action_id, comment, return_to, "cancelled")


@router.post("/action-center/{action_id}/comments")
async def comment_action(
    action_id: str, request: Request, viewer: RespondViewer, comment: Text = ""
) -> Response:
    """Add a comment to an action."""
    center = container_of(request).automation.remediation.center
    return_to = f"/action-center/{action_id}"
    try:
        await run_in_threadpool(center.comment, viewer.principal, action_id, comment)
    except ValidationFailed as exc:
        return _refused(request, viewer, return_to, _messages(request, viewer, exc))
    return _done(return_to, decided="commented")


def manual_body(form: FormData) -> dict[str, Any]:
    """``POST /api/v1/actions``'s body from the "Take action" form's fields."""
    target: dict[str, Any] = {}
    for key in dict.fromkeys(k for k in form if k.startswith("target.")):
        name = key.removeprefix("target.")
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        target[name] = values if name == "networkMessageIds" else (values[0] if values else "")
    action_type = str(form.get("action_type") or "")
    parameters = {
        name: form.get(name)
        for spec_type, (name, _options) in PARAMETERS.items()
        if spec_type.value == action_type and form.get(name)
    }
    return {
        "actionType": action_type,
        "target": target,
        "parameters": parameters,
        "comment": str(form.get("comment") or "").strip() or None,
        "investigationId": str(form.get("investigation_id") or "").strip() or None,
    }


@router.post("/action-center")
async def request_action(request: Request, viewer: RespondViewer) -> Response:
    """Take a manual action on an entity ("Take action" menus); back to the page it came from."""
    form = await request.form()
    return_to = str(form.get("return_to") or "/action-center")
    center = container_of(request).automation.remediation.center
    templates = templates_of(request)
    try:
        action = await run_in_threadpool(center.request, viewer.principal, manual_body(form))
    except ValidationFailed as exc:
        message = templates.gettext(viewer.locale, REQUEST_FAILED)
        return templates.render(
            request,
            "error.html",
            {
                "title": message,
                "message": message,
                "details": translate_errors(exc, templates, viewer.locale),
                "status": 422,
            },
            viewer=viewer,
            status_code=422,
        )
    return _done(return_to, requested=action.id)
