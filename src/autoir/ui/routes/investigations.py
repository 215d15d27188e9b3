"""Investigations: the list, one investigation (graph and tabs), cancel, and analyst starts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from autoir.bootstrap import Container
from autoir.domain.access.permissions import Permission
from autoir.domain.alerts.record import AlertRecord
from autoir.domain.errors import NotFound, QueryInvalid, ValidationFailed
from autoir.domain.queries.fields import ALERT_FIELDS
from autoir.domain.remediation.action import RemediationAction
from autoir.odata import parse_list_query
from autoir.ui.action_menus import investigation_menus
from autoir.ui.action_view import ActionRights, wait_time
from autoir.ui.auth import ReadViewer, RequirePage, Viewer, container_of
from autoir.ui.filter_terms import PAGE_SIZES, RANGE_OPTIONS, enum_term
from autoir.ui.investigation_filters import InvestigationForm
from autoir.ui.investigation_view import investigation_view, status_breakdown
from autoir.ui.labels import (
    INVESTIGATION_STATUS_OPTIONS,
    INVESTIGATION_TYPE_OPTIONS,
    N_,
)
from autoir.ui.routing import UiRoute, templates_of
from autoir.ui.triage_form import translate_errors

router = APIRouter(route_class=UiRoute)
RESPOND = RequirePage(Permission.RESPONSE_ACTIONS)
RespondViewer = Annotated[Viewer, Depends(RESPOND)]
START_FAILED = N_("The investigation could not be started.")


def _triggering_alerts(container: Container, ids: list[str]) -> dict[str, AlertRecord]:
    """The page's triggering alerts in one query (detection source and severity columns)."""
    if not ids:
        return {}
    query = parse_list_query(
        ALERT_FIELDS,
        filter_text=enum_term("id", ids),  # eq for one id: the parser rejects "in ('a')"
        orderby=None,
        top=str(len(ids)),
        skip=None,
        count=None,
        max_top=len(ids),
    )
    page, _ = container.alerts.queue(query)
    return {alert.id: alert for alert in page.items}


@router.get("/investigations")
def investigation_list(request: Request, viewer: ReadViewer) -> Response:
    """Investigations, newest first, with filters, sorting, paging and a status breakdown."""
    container = container_of(request)
    service = container.automation.investigations
    form = InvestigationForm.from_params(request.query_params)
    now = container.ctx.clock.now()
    error = None
    items: list[Any] = []
    total = 0
    try:
        page = service.search(form.list_query(now, container.ctx.policy.max_page))
        items, total = page.items, page.total or 0
    except QueryInvalid as exc:
        error = str(exc)
    bad_dates = form.invalid_dates(now)
    breakdown = status_breakdown(
        service.status_counts(form.since(now)), INVESTIGATION_STATUS_OPTIONS
    )
    triggers = _triggering_alerts(
        container, [i.triggering_alert_id for i in items if i.triggering_alert_id]
    )
    context = {
        "form": form,
        "filter_text": form.odata_filter(now) or "",
        "query_error": error,
        "bad_dates": bad_dates,
        "investigations": items,
        "triggers": triggers,
        "total": total,
        "start": form.skip + 1 if items else 0,
        "end": form.skip + len(items),
        "prev_url": form.url(skip=max(0, form.skip - form.top)) if form.skip else None,
        "next_url": form.url(skip=form.skip + form.top) if form.skip + form.top < total else None,
        "size_urls": [(n, form.url(top=n, skip=0)) for n in PAGE_SIZES],
        "breakdown": breakdown,
        "breakdown_total": sum(n for _, n in breakdown),
        "status_urls": {s: form.url(status=(s,), skip=0) for s, _ in breakdown},
        "options": {
            "status": INVESTIGATION_STATUS_OPTIONS,
            "type": INVESTIGATION_TYPE_OPTIONS,
            "ranges": RANGE_OPTIONS,
        },
    }
    return templates_of(request).render(
        request,
        "investigations/list.html",
        context,
        viewer=viewer,
        status_code=400 if error else 200,
    )


def requested_action(request: Request) -> RemediationAction | None:
    """The action a "Take action" form just submitted (``?requested=<id>``), if it exists."""
    action_id = request.query_params.get("requested")
    if not action_id:
        return None
    try:
        return container_of(request).automation.remediation.center.get(action_id)
    except NotFound:
        return None


def render_investigation(
    request: Request,
    viewer: Viewer,
    investigation_id: str,
    *,
    errors: list[str] | None = None,
    action_errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The investigation page."""
    container = container_of(request)
    detail = container.automation.investigations.get(investigation_id)
    now = container.ctx.clock.now()
    view = investigation_view(detail, now)
    record = detail.record
    rights = ActionRights(viewer)
    context = {
        "inv": record,
        "view": view,
        "errors": errors or [],
        "action_errors": action_errors or [],
        "cancelled": request.query_params.get("cancelled"),
        "started": request.query_params.get("started"),
        "decided": request.query_params.get("decided"),
        "requested": requested_action(request),
        "can_cancel": viewer.can(Permission.RESPONSE_ACTIONS) and not record.status.is_final,
        "rights": rights,
        "menus": investigation_menus(view.evidence, rights),
        "now": now,
        "wait_time": wait_time,
        "return_to": f"/investigations/{record.id}",
    }
    return templates_of(request).render(
        request, "investigations/page.html", context, viewer=viewer, status_code=status_code
    )


@router.get("/investigations/{investigation_id}")
def investigation_page(investigation_id: str, request: Request, viewer: ReadViewer) -> Response:
    """One investigation: header, graph and tabs."""
    return render_investigation(request, viewer, investigation_id)


@router.post("/investigations/{investigation_id}/cancel")
async def cancel_investigation(
    investigation_id: str, request: Request, viewer: RespondViewer
) -> Response:
    """Stop the investigation (``terminatedByUser``); a finished one says why it cannot."""
    container = container_of(request)
    templates = templates_of(request)
    try:
        await run_in_threadpool(
            container.automation.investigations.cancel, investigation_id, viewer.principal
        )
    except ValidationFailed as exc:
        return render_investigation(
            request,
            viewer,
            investigation_id,
            errors=translate_errors(exc, templates, viewer.locale),
            status_code=422,
        )
    return RedirectResponse(f"/investigations/{investigation_id}?cancelled=1", status_code=303)


@router.post("/investigations")
async def start_investigation(
    request: Request,
    viewer: RespondViewer,
    entity: Annotated[str, Form()] = "",
) -> Response:
    """Start an analyst-triggered investigation of ``type:value`` (email, mailbox, device, user)."""
    container = container_of(request)
    templates = templates_of(request)
    entity_type, _, value = entity.partition(":")
    automation = container.automation
    try:
        record = await run_in_threadpool(
            automation.investigations.start_manual,
            viewer.principal,
            {"entityType": entity_type, "value": value},
        )
    except ValidationFailed as exc:
        message = templates.gettext(viewer.locale, START_FAILED)
        details = translate_errors(exc, templates, viewer.locale)
        return templates.render(
            request,
            "error.html",
            {"title": message, "message": message, "details": details, "status": 422},
            viewer=viewer,
            status_code=422,
        )
    await run_in_threadpool(automation.queue.enqueue_advance, record.id)
    return RedirectResponse(f"/investigations/{record.id}?started=1", status_code=303)
