"""Incidents: the list and one incident (its alerts, impacted assets, manage pane, comments)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from autoir.domain.access.permissions import Permission
from autoir.domain.alerts.classification import is_determination_allowed
from autoir.domain.alerts.enums import AlertClassification, AlertDetermination, parse_enum
from autoir.domain.alerts.enums import IncidentStatus as S
from autoir.domain.errors import FieldError, QueryInvalid, ValidationFailed
from autoir.services.incidents import parse_incident_changes
from autoir.ui.assets import impacted_assets
from autoir.ui.auth import ManageViewer, ReadViewer, Viewer, container_of, is_htmx
from autoir.ui.filter_terms import PAGE_SIZES
from autoir.ui.incident_filters import IncidentForm
from autoir.ui.labels import (
    CLASSIFICATION_OPTIONS,
    INCIDENT_SETTABLE_STATUSES,
    INCIDENT_STATUS_OPTIONS,
    SEVERITY_OPTIONS,
    allowed_determinations,
)
from autoir.ui.routing import UiRoute, templates_of
from autoir.ui.triage_form import NOTHING_MESSAGE, PAIR_MESSAGE, translate_errors

router = APIRouter(route_class=UiRoute)


@router.get("/incidents")
def incident_list(request: Request, viewer: ReadViewer) -> Response:
    """Incidents, most recently updated first; merged ones hidden unless asked for."""
    container = container_of(request)
    form = IncidentForm.from_params(request.query_params)
    error = None
    items: list[Any] = []
    total = 0
    try:
        page = container.incidents.search(
            form.list_query(viewer.principal.name, container.ctx.policy.max_page)
        )
        items, total = page.items, page.total or 0
    except QueryInvalid as exc:
        error = str(exc)
    context = {
        "form": form,
        "filter_text": form.odata_filter(viewer.principal.name) or "",
        "query_error": error,
        "incidents": items,
        "total": total,
        "start": form.skip + 1 if items else 0,
        "end": form.skip + len(items),
        "prev_url": form.url(skip=max(0, form.skip - form.top)) if form.skip else None,
        "next_url": form.url(skip=form.skip + form.top) if form.skip + form.top < total else None,
        "size_urls": [(n, form.url(top=n, skip=0)) for n in PAGE_SIZES],
        "options": {
            "status": INCIDENT_STATUS_OPTIONS,
            "severity": SEVERITY_OPTIONS,
            "classification": CLASSIFICATION_OPTIONS,
        },
    }
    return templates_of(request).render(
        request, "incidents/list.html", context, viewer=viewer, status_code=400 if error else 200
    )


def render_incident(
    request: Request,
    viewer: Viewer,
    incident_id: str,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The incident page."""
    container = container_of(request)
    incident = container.incidents.get(incident_id)
    alerts = container.incidents.alerts(incident_id)
    evidence = [ev for alert in alerts for ev in alert.evidence]
    context = {
        "incident": incident,
        "alerts": alerts,
        "assets": impacted_assets(evidence),
        "comments": sorted(
            container.incidents.comments(incident_id), key=lambda c: c.created, reverse=True
        ),
        "statuses": INCIDENT_SETTABLE_STATUSES,
        "classifications": CLASSIFICATION_OPTIONS,
        "determinations": allowed_determinations(),
        "errors": errors or [],
        "saved": request.query_params.get("saved"),
        "can_manage": viewer.can(Permission.MANAGE_ALERTS) and incident.status is not S.REDIRECTED,
    }
    return templates_of(request).render(
        request, "incidents/page.html", context, viewer=viewer, status_code=status_code
    )


@router.get("/incidents/{incident_id}")
def incident_page(incident_id: str, request: Request, viewer: ReadViewer) -> Response:
    """One incident."""
    return render_incident(request, viewer, incident_id)


@router.post("/incidents/{incident_id}/manage")
def manage_incident(
    incident_id: str,
    request: Request,
    viewer: ManageViewer,
    status: Annotated[str, Form()] = "",
    assigned_to: Annotated[str, Form()] = "",
    classification: Annotated[str, Form()] = "",
    determination: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Change status, owner, classification/determination and tags; add a comment."""
    container = container_of(request)
    templates = templates_of(request)
    current = container.incidents.get(incident_id)
    wanted: dict[str, Any] = {
        "status": status or current.status.value,
        "assignedTo": assigned_to.strip() or None,
        "classification": classification or None,
        "determination": determination or None,
        "customTags": [t.strip() for t in tags.split(",") if t.strip()],
    }
    existing = {
        "status": current.status.value,
        "assignedTo": current.assigned_to,
        "classification": current.classification.value if current.classification else None,
        "determination": current.determination.value if current.determination else None,
        "customTags": list(current.custom_tags),
    }
    body = {k: v for k, v in wanted.items() if existing[k] != v}
    try:
        c = parse_enum(AlertClassification, classification) if classification else None
        d = parse_enum(AlertDetermination, determination) if determination else None
        if not is_determination_allowed(c, d):
            raise ValidationFailed(  # noqa: TRY301 - the same message path as the service's
                [FieldError("determination", templates.gettext(viewer.locale, PAIR_MESSAGE))]
            )
        if "classification" in body or "determination" in body:
            body["classification"], body["determination"] = (
                wanted["classification"],
                wanted["determination"],
            )
        if not body and not comment.strip():
            raise ValidationFailed(  # noqa: TRY301
                [FieldError("body", templates.gettext(viewer.locale, NOTHING_MESSAGE))]
            )
        if body:
            container.incidents.update(incident_id, parse_incident_changes(body), viewer.principal)
        if comment.strip():
            container.incidents.add_comment(incident_id, comment, viewer.principal)
    except ValidationFailed as exc:
        return render_incident(
            request,
            viewer,
            incident_id,
            errors=translate_errors(exc, templates, viewer.locale),
            status_code=422,
        )
    if is_htmx(request):
        return render_incident(request, viewer, incident_id)
    return RedirectResponse(f"/incidents/{incident_id}?saved=1", status_code=303)
