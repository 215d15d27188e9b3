"""Notify users of an alert: ``/api/v1/alerts/{id}/notification-draft`` and ``.../notify``.

``GET notification-draft?locale=fr`` returns recipients from the alert's evidence and a subject
and body in the language asked for (the caller's language by default); ``POST notify`` sends
``{"recipients": [...], "subject": "...", "body": "..."}`` and records a comment on the alert.
Mounted under ``/api/v1/alerts``: the alert routes have no two-segment path with these names.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from autoir.api.body import read_json, require_object
from autoir.api.deps import ContainerDep, ManageAlerts, ReadData
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.services.notifications import NotificationDraft, NotificationSent

MAX_BODY = 512 * 1024
PROPERTIES = ("recipients", "subject", "body")

LocaleQ = Annotated[
    str | None, Query(description="Language of the draft: en or fr (default: the caller's).")
]


def draft_json(draft: NotificationDraft) -> dict[str, Any]:
    """A draft as camelCase JSON."""
    return {
        "alertId": draft.alert_id,
        "locale": draft.locale,
        "recipients": list(draft.recipients),
        "omittedRecipients": draft.omitted,
        "subject": draft.subject,
        "body": draft.body,
    }


def sent_json(sent: NotificationSent) -> dict[str, Any]:
    """A sent notification as camelCase JSON."""
    return {
        "alertId": sent.alert_id,
        "messageId": sent.message_id,
        "recipients": list(sent.recipients),
        "subject": sent.subject,
        "comment": sent.comment.to_graph(),
    }


def build_router() -> APIRouter:
    """The notification routes of an alert."""
    router = APIRouter(tags=["alerts"])

    @router.get(
        "/{alert_id}/notification-draft",
        summary="Draft a notification to the users the alert affects",
    )
    def notification_draft(
        alert_id: str, container: ContainerDep, principal: ReadData, locale: LocaleQ = None
    ) -> dict[str, Any]:
        service = container.notifications
        draft = service.draft_for_alert(alert_id, locale or principal.locale)
        return draft_json(draft)

    @router.post(
        "/{alert_id}/notify",
        summary="Send a notification to users; records a comment on the alert",
    )
    async def notify(
        alert_id: str, request: Request, container: ContainerDep, principal: ManageAlerts
    ) -> dict[str, Any]:
        body = require_object(
            await read_json(request, MAX_BODY), '{"recipients": [...], "subject", "body"}'
        )
        unknown = [key for key in body if key not in PROPERTIES]
        if unknown:
            raise ValidationFailed(
                [
                    FieldError(key, f"is not a property; expected {', '.join(PROPERTIES)}")
                    for key in unknown[:20]
                ]
            )
        sent = await run_in_threadpool(
            container.notifications.send_for_alert,
            principal,
            alert_id,
            body.get("recipients"),
            body.get("subject"),
            body.get("body"),
        )
        return sent_json(sent)

    return router
