"""Actions from the alert page's header: "Resolve" in one click, and "Notify users".

"Notify users" opens a compose page: recipients from the alert's evidence, subject and body
drafted in the viewer's language (another language on request, for users who read it), all
editable. Sending records a comment on the alert and returns to it with a notice. Errors come
back on the same form, in the viewer's language, with what was typed kept.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from autoir.domain.errors import ConnectorError, ValidationFailed
from autoir.domain.notifications.recipients import (
    MAX_BODY,
    MAX_RECIPIENTS,
    MAX_SUBJECT,
    split_addresses,
)
from autoir.ui.auth import ManageViewer, Viewer, container_of
from autoir.ui.i18n import LANGUAGE_NAMES
from autoir.ui.labels import N_
from autoir.ui.routes.alert_page import render_alert
from autoir.ui.routing import UiRoute, templates_of
from autoir.ui.templating import Templates
from autoir.ui.triage_form import TriageInput, translate_errors

router = APIRouter(route_class=UiRoute)

NO_RECIPIENT = N_("Add at least one recipient.")
TOO_MANY = N_("Send to at most %(max)s recipients at once.")
BAD_ADDRESS = N_("%(address)s is not an email address.")
BAD_SUBJECT = N_("The subject must be one line of at most %(max)s characters.")
BAD_BODY = N_("The message must not be empty or longer than %(max)s characters.")
NOT_SENT = N_("The mail could not be sent: %(reason)s")


def _form_errors(
    exc: ValidationFailed, addresses: list[str], templates: Templates, locale: str
) -> list[str]:
    """The service's field errors, said in the viewer's language."""

    def say(message: str, **values: object) -> str:
        return templates.gettext(locale, message) % values

    messages: list[str] = []
    for error in exc.errors:
        target = error.target
        if target.startswith("recipients["):
            index = int(target[len("recipients[") : -1])
            text = say(BAD_ADDRESS, address=addresses[index] if index < len(addresses) else "?")
        elif target == "recipients":
            text = say(TOO_MANY, max=MAX_RECIPIENTS) if addresses else say(NO_RECIPIENT)
        elif target == "subject":
            text = say(BAD_SUBJECT, max=MAX_SUBJECT)
        elif target == "body":
            text = say(BAD_BODY, max=MAX_BODY)
        else:  # pragma: no cover - the form sends no other field
            text = f"{target}: {error.message}"
        if text not in messages:
            messages.append(text)
    return messages


def _compose(
    request: Request,
    viewer: Viewer,
    alert_id: str,
    *,
    locale: str,
    recipients: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    container = container_of(request)
    alert, _ = container.alerts.get(alert_id)
    draft = container.notifications.draft_for_alert(alert_id, locale)
    context = {
        "alert": alert,
        "draft": draft,
        "draft_languages": [
            (code, LANGUAGE_NAMES.get(code, code)) for code in container.notifications.locales
        ],
        "recipients": "\n".join(draft.recipients) if recipients is None else recipients,
        "subject": draft.subject if subject is None else subject,
        "body": draft.body if body is None else body,
        "errors": errors or [],
        "max_recipients": MAX_RECIPIENTS,
        "max_subject": MAX_SUBJECT,
        "max_body": MAX_BODY,
    }
    return templates_of(request).render(
        request, "alerts/notify.html", context, viewer=viewer, status_code=status_code
    )


def _draft_locale(request: Request, viewer: Viewer, asked: str | None) -> str:
    """The draft's language: the one asked for if there are templates for it, else the UI's."""
    notifications = container_of(request).notifications
    for candidate in (asked, viewer.locale):
        if candidate:
            try:
                return notifications.language(candidate)
            except ValidationFailed:
                continue
    return notifications.language(None)


@router.get("/alerts/{alert_id}/notify")
def notify_form(alert_id: str, request: Request, viewer: ManageViewer) -> Response:
    """The compose form, pre-filled from the draft."""
    locale = _draft_locale(request, viewer, request.query_params.get("locale"))
    return _compose(request, viewer, alert_id, locale=locale)


@router.post("/alerts/{alert_id}/notify")
def notify_users(
    alert_id: str,
    request: Request,
    viewer: ManageViewer,
    recipients: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    locale: Annotated[str, Form()] = "",
) -> Response:
    """Send the notification; back to the alert with a notice, or to the form with errors."""
    container = container_of(request)
    templates = templates_of(request)
    addresses = split_addresses(recipients)
    kept = {"recipients": recipients, "subject": subject, "body": body}
    draft_locale = _draft_locale(request, viewer, locale)
    try:
        sent = container.notifications.send_for_alert(
            viewer.principal, alert_id, addresses, subject, body
        )
    except ValidationFailed as exc:
        errors = _form_errors(exc, addresses, templates, viewer.locale)
        return _compose(
            request, viewer, alert_id, locale=draft_locale, errors=errors, status_code=422, **kept
        )
    except ConnectorError as exc:
        message = templates.gettext(viewer.locale, NOT_SENT) % {"reason": str(exc)}
        return _compose(
            request,
            viewer,
            alert_id,
            locale=draft_locale,
            errors=[message],
            status_code=502,
            **kept,
        )
    return RedirectResponse(f"/alerts/{alert_id}?notified={len(sent.recipients)}", status_code=303)


@router.post("/alerts/{alert_id}/resolve")
def resolve_alert(
    alert_id: str,
    request: Request,
    viewer: ManageViewer,
    classification: Annotated[str, Form()] = "",
    determination: Annotated[str, Form()] = "",
) -> Response:
    """Set the status to resolved, with a classification and determination if chosen."""
    container = container_of(request)
    templates = templates_of(request)
    container.alerts.get(alert_id)  # a 404 page for an unknown alert
    triage = TriageInput(
        status="resolved", classification=classification, determination=determination
    )
    try:
        changes = triage.changes(viewer.principal.name, templates, viewer.locale)
        container.triage.update(alert_id, changes, viewer.principal)
    except ValidationFailed as exc:
        return render_alert(
            request,
            viewer,
            alert_id,
            errors=translate_errors(exc, templates, viewer.locale),
            status_code=422,
        )
    return RedirectResponse(f"/alerts/{alert_id}?resolved=1", status_code=303)
