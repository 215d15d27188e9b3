"""The alert queue: filters, sort, paging, and bulk management of the selected alerts."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import QueryParams

from autoir.domain.access.permissions import Permission
from autoir.domain.errors import QueryInvalid, ValidationFailed
from autoir.domain.queries.fields import ALERT_FIELDS
from autoir.domain.queries.filters import ListQuery
from autoir.odata import parse_list_query
from autoir.ui.assets import first_asset
from autoir.ui.auth import ManageViewer, ReadViewer, Viewer, container_of, safe_next
from autoir.ui.filter_terms import ENTITY_TYPES, PAGE_SIZES, RANGE_OPTIONS, encode
from autoir.ui.labels import (
    ALERT_STATUS_OPTIONS,
    CLASSIFICATION_OPTIONS,
    DETECTION_SOURCE_OPTIONS,
    INVESTIGATION_STATE_OPTIONS,
    N_,
    SERVICE_SOURCE_OPTIONS,
    SEVERITY_OPTIONS,
    allowed_determinations,
)
from autoir.ui.queue_filters import COUNT_LIMIT, QueueForm
from autoir.ui.routing import UiRoute, templates_of
from autoir.ui.triage_form import TriageInput, translate_errors, triage_input

router = APIRouter(route_class=UiRoute)
NO_SELECTION = N_("Select at least one alert.")

COLUMNS = (
    ("severity", "severity"),
    ("title", "title"),
    ("status", "status"),
    ("incident", "incidentId"),
    ("service", "serviceSource"),
    ("detection", "detectionSource"),
    ("assets", None),
    ("investigation", "investigationState"),
    ("assigned", "assignedTo"),
    ("classification", "classification"),
    ("first", "firstActivityDateTime"),
    ("created", "createdDateTime"),
)


def render_queue(
    request: Request,
    viewer: Viewer,
    params: QueryParams,
    *,
    bulk_errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The queue page for URL parameters ``params``."""
    container = container_of(request)
    form = QueueForm.from_params(params)
    now = container.ctx.clock.now()
    me = viewer.principal.name
    filter_text = form.odata_filter(now, me)
    error = None
    rows: list[Any] = []
    total = 0
    total_capped = False
    try:
        query = replace(
            form.list_query(now, me, container.ctx.policy.max_page), count_limit=COUNT_LIMIT
        )
        page, _ = container.alerts.queue(query)
        rows = [(alert, first_asset(alert.evidence)) for alert in page.items]
        total = page.total or 0
        total_capped = page.total_is_lower_bound
    except QueryInvalid as exc:
        error = str(exc)
        status_code = 400
    # AutoIR's users and whoever the shown alerts are assigned to: a GROUP BY over the whole
    # queue cost hundreds of milliseconds at a million alerts.
    assignees = sorted(
        {u.username for u in container.access.users()}
        | {alert.assigned_to for alert, _ in rows if alert.assigned_to}
    )
    start = form.skip + 1 if rows else 0
    context = {
        "form": form,
        "filter_text": filter_text or "",
        "query_error": error,
        "date_errors": form.invalid_dates(now),
        "rows": rows,
        "total": total,
        "total_capped": total_capped,
        "start": start,
        "end": form.skip + len(rows),
        "prev_url": form.url(skip=max(0, form.skip - form.top)) if form.skip else None,
        "next_url": form.url(skip=form.skip + form.top) if form.skip + form.top < total else None,
        "size_urls": [(n, form.url(top=n, skip=0)) for n in PAGE_SIZES],
        "columns": COLUMNS,
        "options": {
            "severity": SEVERITY_OPTIONS,
            "status": ALERT_STATUS_OPTIONS,
            "service": SERVICE_SOURCE_OPTIONS,
            "detection": DETECTION_SOURCE_OPTIONS,
            "investigation": INVESTIGATION_STATE_OPTIONS,
            "classification": CLASSIFICATION_OPTIONS,
            "ranges": RANGE_OPTIONS,
            "entity_types": ENTITY_TYPES,
        },
        "assignees": assignees,
        "determinations": allowed_determinations(),
        "return_to": form.url(),
        "updated": params.get("updated"),
        "bulk_errors": bulk_errors or [],
        "can_manage": viewer.can(Permission.MANAGE_ALERTS),
    }
    return templates_of(request).render(
        request, "alerts/queue.html", context, viewer=viewer, status_code=status_code
    )


@router.get("/alerts")
def queue(request: Request, viewer: ReadViewer) -> Response:
    """The alert queue (filters in the URL; the default view on a first visit)."""
    return render_queue(request, viewer, request.query_params)


@router.post("/alerts/bulk")
def bulk_manage(
    request: Request,
    viewer: ManageViewer,
    triage: Annotated[TriageInput, Depends(triage_input)],
    ids: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies form defaults
    scope: Annotated[str, Form()] = "selected",
    filter_text: Annotated[str, Form()] = "",
    return_to: Annotated[str, Form()] = "/alerts",
) -> Response:
    """Apply status, assignment, classification and a comment to the selected alerts.

    ``scope=all`` manages every alert matching the queue's filter instead of the selection.
    """
    container = container_of(request)
    back = safe_next(return_to, "/alerts")
    templates = templates_of(request)
    params = QueryParams(urlsplit(back).query)
    try:
        changes = triage.changes(viewer.principal.name, templates, viewer.locale)
        if scope == "all":
            query = (
                parse_list_query(
                    ALERT_FIELDS,
                    filter_text=filter_text,
                    orderby=None,
                    top=None,
                    skip=None,
                    count=None,
                    max_top=container.ctx.policy.max_page,
                    entity_filters=True,
                )
                if filter_text.strip()
                else container.alerts.effective_query(ListQuery())
            )
            target = container.triage.ids_for(query)
        else:
            target = list(dict.fromkeys(i for i in ids if i))
        if not target:
            message = templates.gettext(viewer.locale, NO_SELECTION)
            return render_queue(request, viewer, params, bulk_errors=[message], status_code=422)
        changed = container.triage.update_many(target, changes, viewer.principal)
    except (ValidationFailed, QueryInvalid) as exc:
        return render_queue(
            request,
            viewer,
            params,
            bulk_errors=translate_errors(exc, templates, viewer.locale),
            status_code=422,
        )
    pairs = [(k, v) for k, v in parse_qsl(urlsplit(back).query) if k != "updated"]
    pairs.append(("updated", str(len(changed))))
    return RedirectResponse(f"{urlsplit(back).path}?{encode(pairs)}", status_code=303)
