"""Actions from the alert page's header: "Resolve" in one click, "Notify users", "Suppress".

"Notify users" opens a compose page: recipients from the alert's evidence, subject and body
drafted in the viewer's language (another language on request, for users who read it), all
editable. Sending records a comment on the alert and returns to it with a notice. Errors come
back on the same form, in the viewer's language, with what was typed kept.

"Suppress" opens a form pre-filled from the alert's suppression draft (issue 7): a period
(1, 7 or 30 days, or until removed), hide or resolve, which of the alert's IOCs to keep, and the
scope (organisation, this device, this user). It shows how many alerts of the last 30 days the
rule would have matched (recounted with "Preview"); saving creates the rule, which then applies
to every new alert at ingest, and returns to the alert with a notice naming the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from autoir.bootstrap import Container
from autoir.domain.access.permissions import Permission
from autoir.domain.alerts.enums import parse_enum
from autoir.domain.errors import ConnectorError, PermissionDenied, ValidationFailed
from autoir.domain.notifications.recipients import (
    MAX_BODY,
    MAX_RECIPIENTS,
    MAX_SUBJECT,
    split_addresses,
)
from autoir.domain.suppression.rule import (
    Condition,
    ScopeKind,
    SuppressionAction,
    SuppressionRule,
)
from autoir.services.suppression_rules import alert_targets
from autoir.ui.auth import ManageViewer, RequirePage, Viewer, container_of
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


# --- Suppress (issue 4's action; a suppression rule with an expiry, issue 7) -----------------

SUPPRESS_PERIODS: dict[str, int | None] = {"1d": 1, "7d": 7, "30d": 30, "forever": None}
SUPPRESS_PERIOD_LABELS = {
    "1d": N_("1 day"),
    "7d": N_("7 days"),
    "30d": N_("30 days"),
    "forever": N_("Until I remove it"),
}
EVIDENCE_TYPE_LABELS = {
    "file": N_("File"),
    "process": N_("Process"),
    "scheduledTask": N_("Scheduled task"),
    "amsiScript": N_("AMSI script"),
    "wmiEvent": N_("WMI event"),
    "ip": N_("IP address"),
    "url": N_("URL"),
    "user": N_("User"),
    "device": N_("Device"),
    "mailbox": N_("Mailbox"),
    "message": N_("Email message"),
}
SUPPRESS_NO_CONDITION = N_("Keep at least one condition: this alert has no detector id.")
SUPPRESS_NO_TARGET = N_("The alert names no device or user for that scope.")
SUPPRESS_USERS_ADMIN = N_("A rule scoped to a user needs the administrator role.")
SUPPRESS_INVALID = N_("The rule could not be saved: %(reason)s")
TUNING = RequirePage(Permission.DETECTION_TUNING)
TuningViewer = Annotated[Viewer, Depends(TUNING)]


@dataclass(frozen=True, slots=True)
class SuppressChoices:
    """What the Suppress form asks: period, action, conditions kept, scope."""

    period: str = "7d"
    action: str = "hide"
    keep: frozenset[int] | None = None  # None: every condition (the form's first display)
    scope: str = "organization"

    def rule(self, container: Container, alert_id: str) -> SuppressionRule:
        """The rule these choices make from the alert's draft."""
        draft = container.suppression.draft_for_alert(alert_id)
        count = len(draft.conditions.items) if draft.conditions else 0
        return container.suppression.draft_with(
            alert_id,
            days=SUPPRESS_PERIODS.get(self.period, 7),
            action=parse_enum(SuppressionAction, self.action) or SuppressionAction.HIDE,
            keep=set(range(count)) if self.keep is None else set(self.keep),
            scope=parse_enum(ScopeKind, self.scope) or ScopeKind.ORGANIZATION,
        )


def _suppress_errors(exc: ValidationFailed, templates: Templates, locale: str) -> list[str]:
    messages = []
    for error in exc.errors:
        if error.target == "conditions":
            text = templates.gettext(locale, SUPPRESS_NO_CONDITION)
        elif error.target == "scope":
            text = templates.gettext(locale, SUPPRESS_NO_TARGET)
        else:
            text = templates.gettext(locale, SUPPRESS_INVALID) % {"reason": error.message}
        messages.append(text)
    return messages or [str(exc)]


def _suppress_page(
    request: Request,
    viewer: Viewer,
    alert_id: str,
    choices: SuppressChoices,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    container = container_of(request)
    templates = templates_of(request)
    alert, _ = container.alerts.get(alert_id)
    draft = container.suppression.draft_for_alert(alert_id)  # custom detections: refused here
    conditions = list(draft.conditions.items) if draft.conditions else []
    keep = set(range(len(conditions))) if choices.keep is None else set(choices.keep)
    dry_run = None
    errors = list(errors or [])
    try:
        dry_run = container.suppression.dry_run(choices.rule(container, alert_id).to_json())
    except ValidationFailed as exc:
        errors.extend(m for m in _suppress_errors(exc, templates, viewer.locale) if m not in errors)
    context = {
        "alert": alert,
        "draft": draft,
        "conditions": [
            (i, c, EVIDENCE_TYPE_LABELS.get(c.evidence_type.value, c.evidence_type.value))
            for i, c in enumerate(conditions)
            if isinstance(c, Condition)
        ],
        "keep": keep,
        "choices": choices,
        "periods": list(SUPPRESS_PERIOD_LABELS.items()),
        "targets": alert_targets(alert),
        "dry_run": dry_run,
        "errors": errors,
    }
    return templates.render(
        request, "alerts/suppress.html", context, viewer=viewer, status_code=status_code
    )


@router.get("/alerts/{alert_id}/suppress")
def suppress_form(alert_id: str, request: Request, viewer: TuningViewer) -> Response:
    """The Suppress form, pre-filled from the alert's draft, with its dry-run count."""
    try:
        return _suppress_page(request, viewer, alert_id, SuppressChoices())
    except ValidationFailed as exc:  # a custom detection: said on the alert page
        return render_alert(
            request, viewer, alert_id, errors=[exc.errors[0].message], status_code=400
        )


@router.post("/alerts/{alert_id}/suppress")
async def suppress_alert(alert_id: str, request: Request, viewer: TuningViewer) -> Response:
    """Preview (recount with the choices) or save the rule; back to the alert with a notice."""
    form = await request.form()
    keep = frozenset(int(v) for v in form.getlist("keep") if isinstance(v, str) and v.isdigit())
    choices = SuppressChoices(
        period=str(form.get("period") or "7d"),
        action=str(form.get("action") or "hide"),
        keep=keep,
        scope=str(form.get("scope") or "organization"),
    )
    if form.get("intent") != "save":
        return await run_in_threadpool(_suppress_page, request, viewer, alert_id, choices)
    container = container_of(request)
    templates = templates_of(request)
    try:
        rule = await run_in_threadpool(choices.rule, container, alert_id)
        stored = await run_in_threadpool(
            container.suppression.create, viewer.principal, rule.to_json()
        )
    except ValidationFailed as exc:
        errors = _suppress_errors(exc, templates, viewer.locale)
        return await run_in_threadpool(
            partial(_suppress_page, errors=errors, status_code=422),
            request,
            viewer,
            alert_id,
            choices,
        )
    except PermissionDenied:
        errors = [templates.gettext(viewer.locale, SUPPRESS_USERS_ADMIN)]
        return await run_in_threadpool(
            partial(_suppress_page, errors=errors, status_code=403),
            request,
            viewer,
            alert_id,
            choices,
        )
    query = urlencode({"suppressed": stored.rule.name})
    return RedirectResponse(f"/alerts/{alert_id}?{query}", status_code=303)
