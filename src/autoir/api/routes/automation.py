"""Automation settings at ``/api/v1/settings/automation`` (reference §2.6, §3.1).

``GET`` returns the policy, ``PUT`` replaces it whole (the GET body can be sent back: the
read-only ``lastModifiedBy``/``lastModifiedDateTime`` are ignored), ``POST /preview`` shows which
device group a device falls in and what a malicious file or device action would do there.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from autoir.api.body import read_json, require_object
from autoir.api.deps import ContainerDep, ReadData, Settings
from autoir.bootstrap import Container
from autoir.domain.remediation.automation import AutomationPolicy
from autoir.domain.timestamps import format_timestamp
from autoir.services.automation_settings import AutomationPreview

MAX_BODY = 512 * 1024
READ_ONLY = ("lastModifiedBy", "lastModifiedDateTime")


def _policy_json(container: Container, policy: AutomationPolicy) -> dict[str, Any]:
    modified = container.automation_settings.modified()
    return policy.to_json() | {
        "lastModifiedBy": modified.by if modified else None,
        "lastModifiedDateTime": format_timestamp(modified.at) if modified else None,
    }


def _preview_json(preview: AutomationPreview) -> dict[str, Any]:
    facts, group = preview.device, preview.group
    return {
        "device": {
            "mdeDeviceId": facts.device_id,
            "deviceDnsName": facts.dns_name,
            "osPlatform": facts.os_platform,
            "tags": list(facts.tags),
            "ipAddresses": list(facts.ip_addresses),
        },
        "deviceGroup": {
            "name": group.name,
            "rank": None if group.is_default else group.rank,
            "automationLevel": group.automation_level.value,
            "automationLevelLabel": group.automation_level.label,
            "isDefault": group.is_default,
        },
        "filePath": preview.file_path,
        "folderClass": preview.folder_class.value if preview.folder_class else None,
        "decisions": [
            {"actionType": action.value, "mode": decision.mode.value, "reason": decision.reason}
            for action, decision in preview.decisions
        ],
    }


def build_router() -> APIRouter:
    """The automation settings routes."""
    router = APIRouter(tags=["settings"])

    @router.get("", summary="Get the automation settings")
    def get_automation(container: ContainerDep, _p: ReadData) -> dict[str, Any]:
        return _policy_json(container, container.automation_settings.get())

    @router.put("", summary="Replace the automation settings")
    async def put_automation(
        request: Request, container: ContainerDep, principal: Settings
    ) -> dict[str, Any]:
        body = require_object(
            await read_json(request, MAX_BODY), '{"deviceGroups": [...], "email": {...}}'
        )
        body = {k: v for k, v in body.items() if k not in READ_ONLY}
        service = container.automation_settings
        policy = await run_in_threadpool(service.put, principal, body)
        return await run_in_threadpool(_policy_json, container, policy)

    @router.post("/preview", summary="Show a device's group and what automation would do")
    async def preview_automation(
        request: Request, container: ContainerDep, _p: ReadData
    ) -> dict[str, Any]:
        body = require_object(
            await read_json(request, MAX_BODY), '{"device": {...}, "filePath": "..."}'
        )
        preview = await run_in_threadpool(container.automation_settings.preview, body)
        return _preview_json(preview)

    return router
