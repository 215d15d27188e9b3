"""One alert: header, story, assets, evidence, details, manage pane, comments, similar alerts."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from autoir.domain.access.permissions import Permission
from autoir.domain.errors import ValidationFailed
from autoir.domain.queries.filters import ListQuery
from autoir.ui.action_menus import alert_menus
from autoir.ui.action_view import ActionRights
from autoir.ui.assets import evidence_groups, impacted_assets
from autoir.ui.auth import ManageViewer, ReadViewer, Viewer, container_of, is_htmx
from autoir.ui.investigation_view import manual_subjects
from autoir.ui.labels import CLASSIFICATION_OPTIONS, N_, allowed_determinations
from autoir.ui.routes.investigations import requested_action
from autoir.ui.routing import UiRoute, templates_of
from autoir.ui.triage_form import TriageInput, translate_errors, triage_input

router = APIRouter(route_class=UiRoute)
EMPTY_COMMENT = N_("Write a comment first.")

# Properties shown in the header or their own section; the rest go to the details list.
SHOWN = frozenset(
    {
        "@odata.type",
        "id",
        "title",
        "description",
        "recommendedActions",
        "evidence",
        "comments",
        "severity",
        "status",
        "mitreTechniques",
    }
)


def _value_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def render_alert(
    request: Request,
    viewer: Viewer,
    alert_id: str,
    *,
    errors: list[str] | None = None,
    similar_errors: list[str] | None = None,
    saved: str | None = None,
    status_code: int = 200,
) -> Response:
    """The alert page."""
    container = container_of(request)
    alert, comments = container.alerts.get(alert_id)
    graph = alert.to_graph()
    similar_ids: list[str] = []
    can_manage = viewer.can(Permission.MANAGE_ALERTS)
    if can_manage:
        try:
            node = container.triage.similar_filter(alert_id)
            similar_ids = container.triage.ids_for(ListQuery(filter=node))
        except ValidationFailed:
            similar_ids = []
    investigations = container.automation.investigations
    investigation_id = investigations.ids_for([alert_id]).get(alert_id)
    context = {
        "alert": alert,
        "graph": graph,
        "investigation_id": investigation_id,
        "action_menus": alert_menus(alert.evidence, ActionRights(viewer)),
        "requested": requested_action(request),
        "return_to": f"/alerts/{alert_id}",
        "investigate_subjects": manual_subjects(alert),
        "can_respond": viewer.can(Permission.RESPONSE_ACTIONS),
        "comments": sorted(comments, key=lambda c: c.created, reverse=True),
        "story": container.alerts.story(alert_id),
        "similar": container.alerts.similar(alert_id),
        "similar_count": len(similar_ids),
        "recommendation": container.alerts.recommendations(alert_id),
        "assets": impacted_assets(alert.evidence),
        "evidence_groups": evidence_groups(alert.evidence),
        "details": [
            (key, _value_text(value))
            for key, value in sorted(graph.items())
            if key not in SHOWN and value not in (None, "", [], {})
        ],
        "classifications": CLASSIFICATION_OPTIONS,
        "determinations": allowed_determinations(),
        "errors": errors or [],
        "similar_errors": similar_errors or [],
        "saved": saved or request.query_params.get("saved"),
        "can_manage": can_manage,
    }
    return templates_of(request).render(
        request, "alerts/page.html", context, viewer=viewer, status_code=status_code
    )


@router.get("/alerts/{alert_id}")
def alert_page(alert_id: str, request: Request, viewer: ReadViewer) -> Response:
    """The alert page."""
    return render_alert(request, viewer, alert_id)


def _done(request: Request, viewer: Viewer, alert_id: str, saved: str) -> Response:
    """After a change: the page again for htmx (swapped in place), else a redirect (PRG)."""
    if is_htmx(request):
        return render_alert(request, viewer, alert_id, saved=saved)
    return RedirectResponse(f"/alerts/{alert_id}?saved={saved}", status_code=303)


@router.post("/alerts/{alert_id}/manage")
def manage_alert(
    alert_id: str,
    request: Request,
    viewer: ManageViewer,
    triage: Annotated[TriageInput, Depends(triage_input)],
) -> Response:
    """Change status, assignment, classification/determination, tags; add a comment."""
    container = container_of(request)
    templates = templates_of(request)
    alert, _ = container.alerts.get(alert_id)
    try:
        changes = triage.changes(viewer.principal.name, templates, viewer.locale, current=alert)
        container.triage.update(alert_id, changes, viewer.principal)
    except ValidationFailed as exc:
        return render_alert(
            request,
            viewer,
            alert_id,
            errors=translate_errors(exc, templates, viewer.locale),
            status_code=422,
        )
    return _done(request, viewer, alert_id, "manage")


@router.post("/alerts/{alert_id}/comments")
def comment_alert(
    alert_id: str,
    request: Request,
    viewer: ManageViewer,
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Add a comment."""
    templates = templates_of(request)
    try:
        container_of(request).triage.add_comment(alert_id, comment, viewer.principal)
    except ValidationFailed:
        message = templates.gettext(viewer.locale, EMPTY_COMMENT)
        return render_alert(request, viewer, alert_id, errors=[message], status_code=422)
    return _done(request, viewer, alert_id, "comment")


@router.post("/alerts/{alert_id}/similar")
def manage_similar(
    alert_id: str,
    request: Request,
    viewer: ManageViewer,
    triage: Annotated[TriageInput, Depends(triage_input)],
) -> Response:
    """Apply the same changes to this alert and every similar one (same type and entity)."""
    container = container_of(request)
    templates = templates_of(request)
    try:
        changes = triage.changes(viewer.principal.name, templates, viewer.locale)
        node = container.triage.similar_filter(alert_id)
        ids = container.triage.ids_for(ListQuery(filter=node))
        container.triage.update_many(sorted({*ids, alert_id}), changes, viewer.principal)
    except ValidationFailed as exc:
        return render_alert(
            request,
            viewer,
            alert_id,
            similar_errors=translate_errors(exc, templates, viewer.locale),
            status_code=422,
        )
    return _done(request, viewer, alert_id, "similar")
