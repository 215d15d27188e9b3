"""Automation settings: who decides whether a remediation runs by itself (reference §2.6, §3.1).

``/settings/automation`` shows the device groups by rank with their automation levels, the
default group, the email opt-ins and the pending-action expiry; anyone with the read permission
sees them read-only. Saving needs the settings permission and sends the whole document through
``AutomationSettingsService.put``: all or nothing, the errors shown by their fields with what was
typed kept. The editing buttons (add, move, delete a group or a rule) post the form to
``/settings/automation/edit``, which changes the form, not the settings (htmx swaps the form;
without JavaScript the page comes back whole). The preview box asks
``POST /api/v1/settings/automation/preview`` as the user types, with the unsaved form.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from autoir.domain.access.permissions import Permission
from autoir.domain.errors import ValidationFailed
from autoir.domain.remediation.automation import MAX_CLUSTER_LIMIT, MAX_EXPIRY_DAYS
from autoir.domain.remediation.device_groups import (
    DEFAULT_GROUP_NAME,
    MAX_DESCRIPTION,
    MAX_TEXT,
)
from autoir.ui.auth import ReadViewer, RequirePage, Viewer, container_of
from autoir.ui.automation_form import (
    LEVELS,
    RULE_KEYS,
    AutomationForm,
    field_errors,
    field_id,
    first_field,
)
from autoir.ui.i18n import Formatter
from autoir.ui.routing import UiRoute, templates_of

router = APIRouter(route_class=UiRoute)
PAGE = "/settings/automation"
PREVIEW_API = "/api/v1/settings/automation/preview"
SETTINGS = RequirePage(Permission.SETTINGS)
SettingsViewer = Annotated[Viewer, Depends(SETTINGS)]


def render_settings(
    request: Request,
    viewer: Viewer,
    form: AutomationForm | None = None,
    *,
    errors: dict[str, str] | None = None,
    general_errors: list[str] | None = None,
    focus: str | None = None,
    is_dirty: bool = False,
    status_code: int = 200,
) -> Response:
    """The settings page: the stored policy, or ``form`` as typed (with its errors)."""
    service = container_of(request).automation_settings
    form = form or AutomationForm.from_policy(service.get())
    errors = errors or {}
    with_errors = {
        i
        for i in range(len(form.groups))
        if any(t.startswith(f"deviceGroups[{i}]") for t in errors)
    }
    context = {
        "form": form,
        "modified": service.modified(),
        "is_editable": viewer.can(Permission.SETTINGS),
        "errors": errors,
        "general_errors": general_errors or [],
        "groups_with_errors": with_errors,
        "open_groups": {i for i, g in enumerate(form.groups) if g.is_open} | with_errors,
        "is_default_open": form.is_default_open or "defaultAutomationLevel" in errors,
        "focus": focus,
        "is_dirty": is_dirty,
        "is_saved": request.query_params.get("saved") == "1" and not errors,
        "levels": LEVELS,
        "rule_keys": RULE_KEYS,
        "default_group_name": DEFAULT_GROUP_NAME,
        "fid": field_id,
        "limits": {
            "text": MAX_TEXT,
            "description": MAX_DESCRIPTION,
            "cluster": MAX_CLUSTER_LIMIT,
            "expiry": MAX_EXPIRY_DAYS,
        },
        "preview_url": PREVIEW_API,
    }
    return templates_of(request).render(
        request, "settings/automation.html", context, viewer=viewer, status_code=status_code
    )


@router.get(PAGE)
def automation_settings(request: Request, viewer: ReadViewer) -> Response:
    """The automation settings (read-only without the settings permission)."""
    return render_settings(request, viewer)


@router.post(PAGE)
async def save_automation_settings(request: Request, viewer: SettingsViewer) -> Response:
    """Replace the whole policy with the form; on errors, the form again with its input."""
    posted = await request.form()
    opened = [v for v in posted.getlist("open") if isinstance(v, str)]
    form = AutomationForm.from_form(posted, opened)
    service = container_of(request).automation_settings
    try:
        await run_in_threadpool(service.put, viewer.principal, form.body())
    except ValidationFailed as exc:
        templates = templates_of(request)
        by_field, others = field_errors(
            exc,
            form,
            lambda message: templates.gettext(viewer.locale, message),
            lambda value: Formatter(viewer.locale).number(value),
        )
        return render_settings(
            request,
            viewer,
            form,
            errors=by_field,
            general_errors=others,
            focus=first_field(list(by_field)),
            is_dirty=True,
            status_code=422,
        )
    return RedirectResponse(f"{PAGE}?saved=1", status_code=303)


@router.post(f"{PAGE}/edit")
async def edit_automation_settings(request: Request, viewer: SettingsViewer) -> Response:
    """Add, move or delete a group or a rule in the form (``op``); nothing is saved."""
    posted = await request.form()
    opened = [v for v in posted.getlist("open") if isinstance(v, str)]
    raw_op = posted.get("op")
    op = raw_op if isinstance(raw_op, str) else ""
    form, focus = AutomationForm.from_form(posted, opened).apply(op)
    # Showing or hiding an editor changes nothing; the script marks typing in "dirty".
    is_toggle = op.partition(":")[0] in ("edit", "edit-default")
    is_dirty = posted.get("dirty") == "1" or (focus is not None and not is_toggle)
    return render_settings(request, viewer, form, focus=focus, is_dirty=is_dirty)
