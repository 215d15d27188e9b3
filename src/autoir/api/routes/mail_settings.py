"""The mail server and alert notifications under ``/api/v1/settings``.

* ``GET /api/v1/settings/mail`` — the configured mail server (no secrets) and the last scan;
  ``POST /api/v1/settings/mail/scan`` asks this process's mail poller to read every mailbox now.
* ``GET``/``PUT /api/v1/settings/alert-notifications`` — the alert notification rules (the list,
  replaced whole); ``POST /api/v1/settings/alert-notifications/test`` mails one rule's
  recipients a test message (the rule in the body, saved or not).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from autoir.api.body import read_json
from autoir.api.deps import ContainerDep, Settings
from autoir.domain.errors import Conflict, FieldError, ValidationFailed
from autoir.domain.notifications.alert_rules import parse_rules

MAX_BODY = 256 * 1024


def build_mail_router() -> APIRouter:
    """``/api/v1/settings/mail``."""
    router = APIRouter(tags=["settings"])

    @router.get("", summary="The mail server and its last scan")
    def get_mail(container: ContainerDep, _p: Settings) -> dict[str, Any]:
        return container.mail_status()

    @router.post("/scan", summary="Read every mailbox now", status_code=202)
    def scan_now(container: ContainerDep, _p: Settings) -> dict[str, Any]:
        poller = container.automation.mail_poller
        if container.mail is None or poller is None:
            raise Conflict("No mail server is configured (AUTOIR_MAIL__IMAP_HOST).")
        if not poller.running:
            raise Conflict("No worker reads mail in this process: run `autoir mail scan`.")
        poller.request_scan()
        return {"requested": True}

    return router


def build_notifications_router() -> APIRouter:
    """``/api/v1/settings/alert-notifications``."""
    router = APIRouter(tags=["settings"])

    @router.get("", summary="The alert notification rules")
    def get_rules(container: ContainerDep, _p: Settings) -> dict[str, Any]:
        return {"value": [r.to_json() for r in container.alert_notifications.rules()]}

    @router.put("", summary="Replace the alert notification rules")
    async def put_rules(
        request: Request, container: ContainerDep, principal: Settings
    ) -> dict[str, Any]:
        body = await read_json(request, MAX_BODY)
        rules_body = body.get("value") if isinstance(body, dict) else body
        service = container.alert_notifications
        rules = await run_in_threadpool(service.put_rules, principal, rules_body)
        return {"value": [r.to_json() for r in rules]}

    @router.post("/test", summary="Mail a rule's recipients a test message")
    async def send_test(request: Request, container: ContainerDep, _p: Settings) -> JSONResponse:
        body = await read_json(request, MAX_BODY)
        (rule,) = _one_rule(body)
        message_id = await run_in_threadpool(container.alert_notifications.send_test, rule)
        return JSONResponse({"messageId": message_id, "recipients": list(rule.recipients)})

    return router


def _one_rule(body: object) -> list[Any]:
    if not isinstance(body, dict):
        raise ValidationFailed([FieldError("value", "expected one rule as a JSON object")])
    return parse_rules([body])
