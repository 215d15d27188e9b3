"""The Settings page (``/settings``): the mail server, alert notification rules, users and roles.

* **Mail server** — what ``AUTOIR_MAIL__*`` configured (never a password) and what the last
  scan did, or which variables to set; "Scan now" (``POST /settings/mail/scan``) asks this
  process's mail poller to read every mailbox at once.
* **Alert notifications** — the rules of ``AlertNotificationService`` in a table with Edit,
  Turn on/off, Send test and Delete (a confirmation step first, without JavaScript). The
  add/edit form (``POST /settings/notifications``) builds the whole new list and sends it to
  ``put_rules``: all or nothing, the errors shown by their fields with what was typed kept.
* **Users, roles and API tokens** — managed with the CLI for now.

Every route needs the settings permission; the forms carry the session's CSRF token and, on
success, redirect (303) back to the page with a status to show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from autoir.domain.access.permissions import Permission
from autoir.domain.alerts.enums import ServiceSource
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable, ValidationFailed
from autoir.domain.notifications.alert_rules import (
    LOCALES,
    MAX_NAME,
    MAX_RULE_RECIPIENTS,
    SEVERITIES,
    AlertNotificationRule,
)
from autoir.domain.notifications.recipients import split_addresses
from autoir.ui.auth import RequirePage, Viewer, container_of
from autoir.ui.i18n import Formatter
from autoir.ui.labels import N_
from autoir.ui.routing import UiRoute, templates_of

router = APIRouter(route_class=UiRoute)
PAGE = "/settings"
NOTIFICATIONS = f"{PAGE}/notifications"
SETTINGS = RequirePage(Permission.SETTINGS)
SettingsViewer = Annotated[Viewer, Depends(SETTINGS)]

SEVERITY_CHOICES = tuple(s.value for s in SEVERITIES)
# The named sources first, "unknown" (alerts that name none) last.
_LAST = (ServiceSource.UNKNOWN, ServiceSource.UNKNOWN_FUTURE_VALUE)
SOURCE_CHOICES = (*(s.value for s in ServiceSource if s not in _LAST), ServiceSource.UNKNOWN.value)
NEW_RULE_SEVERITIES = ("high", "medium")
STATUSES = ("saved", "enabled", "disabled", "deleted", "tested")

# Messages chosen by the error's field and what was typed there, never by the service's text.
NAME_LENGTH = N_("Give the rule a name of 1 to %(max)s characters.")
NAME_TAKEN = N_("Another rule already has this name.")
RECIPIENTS_NONE = N_("Name at least one recipient.")
RECIPIENTS_MANY = N_("A rule mails at most %(max)s recipients.")
RECIPIENT_BAD = N_("“%(address)s” is not an email address.")
SEVERITIES_NONE = N_("Choose at least one severity.")
CHOICE_UNKNOWN = N_("Choose from the list.")
TEST_FAILED = N_("The test mail of “%(name)s” was not sent: %(why)s")
RULE_GONE = N_("No rule is named “%(name)s” any more: someone changed the list meanwhile.")
NO_MAIL_SERVER = N_("No mail server is configured, so there is nothing to scan.")
NO_MAIL_WORKER = N_(
    "No worker reads mail in this process (the worker runs elsewhere or is off): run "
    "`autoir mail scan` on the host that reads mail."
)

_TARGET = re.compile(r"\[(\d+)\](?:\.(\w+)(?:\[(\d+)\])?)?")
_FIELDS = ("name", "recipients", "severities", "serviceSources", "locale", "enabled")


@dataclass(slots=True)
class RuleForm:
    """The add/edit form of one rule, as typed (``original`` names the rule being edited)."""

    original: str = ""
    name: str = ""
    recipients_text: str = ""
    severities: tuple[str, ...] = NEW_RULE_SEVERITIES
    sources: tuple[str, ...] = ()
    locale: str = "en"
    enabled: bool = True
    is_new: bool = field(default=True)

    @classmethod
    def blank(cls, locale: str) -> RuleForm:
        """A new rule: high and medium alerts from every source, in the viewer's language."""
        return cls(locale=locale if locale in LOCALES else "en")

    @classmethod
    def from_rule(cls, rule: AlertNotificationRule) -> RuleForm:
        """The form of a stored rule."""
        body = rule.to_json()
        return cls(
            original=rule.name,
            name=rule.name,
            recipients_text="\n".join(rule.recipients),
            severities=tuple(body["severities"]),
            sources=tuple(body["serviceSources"]),
            locale=rule.locale,
            enabled=rule.enabled,
            is_new=False,
        )

    @classmethod
    def from_form(cls, posted: FormData) -> RuleForm:
        """What the browser posted."""
        original = _text(posted, "original")
        return cls(
            original=original,
            name=_text(posted, "name"),
            recipients_text=_text(posted, "recipients"),
            severities=_values(posted, "severities"),
            sources=_values(posted, "serviceSources"),
            locale=_text(posted, "locale") or "en",
            enabled=posted.get("enabled") == "true",
            is_new=not original,
        )

    @property
    def recipients(self) -> list[str]:
        """The addresses typed, one per line or separated by commas."""
        return split_addresses(self.recipients_text)

    def body(self) -> dict[str, Any]:
        """The rule's JSON for ``put_rules``."""
        return {
            "name": self.name,
            "enabled": self.enabled,
            "recipients": self.recipients,
            "severities": list(self.severities),
            "serviceSources": list(self.sources),
            "locale": self.locale,
        }


def _text(posted: FormData, key: str) -> str:
    value = posted.get(key)
    return value if isinstance(value, str) else ""


def _values(posted: FormData, key: str) -> tuple[str, ...]:
    return tuple(v for v in posted.getlist(key) if isinstance(v, str))


def rule_errors(
    exc: ValidationFailed,
    at: int,
    form: RuleForm,
    say: Callable[[str], str],
    number: Callable[[int], str],
) -> tuple[dict[str, list[str]], list[str]]:
    """The errors of rule ``at`` by field (in the viewer's language), and any others.

    Args:
        exc: What ``put_rules`` raised for the whole list.
        at: The index of the rule being added or edited in that list.
        form: What was typed.
        say: The viewer's gettext.
        number: Formats a number for the viewer.
    """
    by_field: dict[str, list[str]] = {}
    others: list[str] = []
    for error in exc.errors:
        found = _TARGET.fullmatch(error.target)
        key = found[2] if found else None
        message = None
        if found and int(found[1]) == at and key in _FIELDS:
            message = _message(key, found[3], form, say, number)
        if message is None or key is None:
            text = f"{error.target}: {error.message}"
            if text not in others:
                others.append(text)
        elif message not in by_field.setdefault(key, []):
            by_field[key].append(message)
    return by_field, others


def _message(  # noqa: PLR0911 - one message per kind of field
    key: str,
    index: str | None,
    form: RuleForm,
    say: Callable[[str], str],
    number: Callable[[int], str],
) -> str | None:
    if key == "name":
        if form.name.strip() and len(form.name) <= MAX_NAME:
            return say(NAME_TAKEN)
        return say(NAME_LENGTH) % {"max": number(MAX_NAME)}
    if key == "recipients":
        addresses = form.recipients
        if index is not None:
            if int(index) >= len(addresses):
                return None
            return say(RECIPIENT_BAD) % {"address": addresses[int(index)][:300]}
        if not addresses:
            return say(RECIPIENTS_NONE)
        return say(RECIPIENTS_MANY) % {"max": number(MAX_RULE_RECIPIENTS)}
    if key == "severities" and not form.severities:
        return say(SEVERITIES_NONE)
    return say(CHOICE_UNKNOWN)


async def _posted_rule(
    request: Request, viewer: Viewer
) -> tuple[list[AlertNotificationRule], int] | Response:
    """The stored rules and the index of the one named by the form, or the page saying it went."""
    name = _text(await request.form(), "name")
    rules = await run_in_threadpool(container_of(request).alert_notifications.rules)
    index = _find(rules, name)
    if index is None:
        problem = _say(request, viewer, RULE_GONE) % {"name": name}
        return render_page(request, viewer, problem=problem, status_code=409)
    return rules, index


def _find(rules: list[AlertNotificationRule], name: str) -> int | None:
    wanted = name.strip().casefold()
    return next((i for i, r in enumerate(rules) if r.name.casefold() == wanted), None)


def render_page(
    request: Request,
    viewer: Viewer,
    *,
    form: RuleForm | None = None,
    errors: Mapping[str, list[str]] | None = None,
    general_errors: list[str] | None = None,
    problem: str | None = None,
    scan_error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The page; ``form`` open when adding or editing (from the query or as typed)."""
    container = container_of(request)
    rules = container.alert_notifications.rules()
    query = request.query_params
    if form is None:
        edited = _find(rules, query["edit"]) if "edit" in query else None
        if edited is not None:
            form = RuleForm.from_rule(rules[edited])
        elif query.get("add") == "1":
            form = RuleForm.blank(viewer.locale)
        elif "edit" in query:
            problem = problem or _say(request, viewer, RULE_GONE) % {"name": query["edit"]}
    deleting = _find(rules, query["delete"]) if "delete" in query and form is None else None
    status = query.get("saved") if query.get("saved") in STATUSES else None
    subject_index = _find(rules, query.get("rule", "")) if status else None
    errors = errors or {}
    context = {
        "mail": container.mail_status(),
        "is_scan_requested": query.get("scan") == "requested" and scan_error is None,
        "scan_error": scan_error,
        "rules": rules,
        "form": form,
        "errors": errors,
        "general_errors": general_errors or [],
        "problem": problem,
        "deleting": rules[deleting] if deleting is not None else None,
        "status": status,
        "status_rule": query.get("rule", ""),
        "status_recipients": (
            list(rules[subject_index].recipients) if subject_index is not None else []
        ),
        "severity_choices": SEVERITY_CHOICES,
        "source_choices": SOURCE_CHOICES,
        "locale_choices": LOCALES,
        "max_name": MAX_NAME,
        "focus": _focus(errors) if errors else ("rule-name" if form else None),
        "quote": lambda text: quote(text, safe=""),
    }
    return templates_of(request).render(
        request, "settings/index.html", context, viewer=viewer, status_code=status_code
    )


def _focus(errors: Mapping[str, list[str]]) -> str:
    ids = {
        "name": "rule-name",
        "recipients": "rule-recipients",
        "severities": "rule-severity-high",
        "serviceSources": "rule-source-0",
        "locale": "rule-locale",
        "enabled": "rule-enabled",
    }
    return next((ids[key] for key in ids if key in errors), "rule-name")


def _say(request: Request, viewer: Viewer, message: str) -> str:
    return templates_of(request).gettext(viewer.locale, message)


def _done(status: str, rule: str = "") -> RedirectResponse:
    query = f"?saved={status}" + (f"&rule={quote(rule, safe='')}" if rule else "")
    return RedirectResponse(f"{PAGE}{query}#notifications", status_code=303)


@router.get(PAGE)
def settings_page(request: Request, viewer: SettingsViewer) -> Response:
    """The settings: mail server, alert notification rules, users and roles."""
    return render_page(request, viewer)


@router.post(f"{PAGE}/mail/scan")
def scan_mail_now(request: Request, viewer: SettingsViewer) -> Response:
    """Ask this process's mail poller to read every mailbox now."""
    container = container_of(request)
    poller = container.automation.mail_poller
    if container.mail is None or poller is None:
        error = NO_MAIL_SERVER
    elif not poller.running:
        error = NO_MAIL_WORKER
    else:
        poller.request_scan()
        return RedirectResponse(f"{PAGE}?scan=requested#mail", status_code=303)
    return render_page(request, viewer, scan_error=_say(request, viewer, error), status_code=409)


@router.post(NOTIFICATIONS)
async def save_rule(request: Request, viewer: SettingsViewer) -> Response:
    """Add or replace one rule: the whole new list goes to ``put_rules``, all or nothing."""
    form = RuleForm.from_form(await request.form())
    service = container_of(request).alert_notifications
    rules = await run_in_threadpool(service.rules)
    bodies = [r.to_json() for r in rules]
    if form.is_new:
        bodies.append(form.body())
        at = len(bodies) - 1
    else:
        index = _find(rules, form.original)
        if index is None:
            problem = _say(request, viewer, RULE_GONE) % {"name": form.original}
            return render_page(request, viewer, form=form, problem=problem, status_code=409)
        bodies[index] = form.body()
        at = index
    try:
        await run_in_threadpool(service.put_rules, viewer.principal, bodies)
    except ValidationFailed as exc:
        by_field, others = rule_errors(
            exc,
            at,
            form,
            lambda message: _say(request, viewer, message),
            lambda value: Formatter(viewer.locale).number(value),
        )
        return render_page(
            request,
            viewer,
            form=form,
            errors=by_field,
            general_errors=others,
            status_code=400,
        )
    return _done("saved", form.name.strip())


async def _change(
    request: Request,
    viewer: Viewer,
    change: Callable[[list[dict[str, Any]], int], str],
) -> Response:
    """Apply ``change`` to the named rule (posted as ``name``) and save the list."""
    found = await _posted_rule(request, viewer)
    if isinstance(found, Response):
        return found
    rules, index = found
    service = container_of(request).alert_notifications
    bodies = [r.to_json() for r in rules]
    status = change(bodies, index)
    try:
        await run_in_threadpool(service.put_rules, viewer.principal, bodies)
    except ValidationFailed as exc:
        others = [f"{e.target}: {e.message}" for e in exc.errors]
        return render_page(request, viewer, general_errors=others, status_code=400)
    return _done(status, rules[index].name)


@router.post(f"{NOTIFICATIONS}/toggle")
async def toggle_rule(request: Request, viewer: SettingsViewer) -> Response:
    """Turn a rule on or off."""

    def toggle(bodies: list[dict[str, Any]], index: int) -> str:
        bodies[index]["enabled"] = not bodies[index]["enabled"]
        return "enabled" if bodies[index]["enabled"] else "disabled"

    return await _change(request, viewer, toggle)


@router.post(f"{NOTIFICATIONS}/delete")
async def delete_rule(request: Request, viewer: SettingsViewer) -> Response:
    """Delete a rule (the page asked for confirmation first)."""

    def delete(bodies: list[dict[str, Any]], index: int) -> str:
        del bodies[index]
        return "deleted"

    return await _change(request, viewer, delete)


@router.post(f"{NOTIFICATIONS}/test")
async def test_rule(request: Request, viewer: SettingsViewer) -> Response:
    """Mail a stored rule's recipients a test message now."""
    found = await _posted_rule(request, viewer)
    if isinstance(found, Response):
        return found
    rules, index = found
    service = container_of(request).alert_notifications
    try:
        await run_in_threadpool(service.send_test, rules[index])
    except (ConnectorUnavailable, ConnectorRejected) as exc:
        problem = _say(request, viewer, TEST_FAILED) % {"name": rules[index].name, "why": exc}
        return render_page(request, viewer, problem=problem, status_code=502)
    return _done("tested", rules[index].name)
