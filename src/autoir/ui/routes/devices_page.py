"""The Devices page (``/devices``): the read-only inventory of enrolled endpoint agents.

One row per device, most recently seen first (``AgentService.devices``): its name, health
(active while its last heartbeat is at most three intervals old), OS, IP addresses, logged-on
users, device group, agent version and when it was last seen. ``?page=`` pages through the
inventory; the counts of active and inactive devices at the top cover all of it. With no device
enrolled the page says how to enrol a host.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from autoir.domain.access.permissions import Permission
from autoir.domain.timestamps import parse_timestamp
from autoir.ui.auth import RequirePage, Viewer, container_of
from autoir.ui.routing import UiRoute, templates_of

router = APIRouter(route_class=UiRoute)
PAGE = "/devices"
PAGE_SIZE = 50
DevicesViewer = Annotated[Viewer, Depends(RequirePage(Permission.READ_SECURITY_DATA))]


@dataclass(frozen=True, slots=True)
class DeviceRow:
    """One device as the table shows it."""

    device_id: str
    name: str
    health: str
    os: str
    ips: tuple[str, ...]
    users: tuple[str, ...]
    group: str | None
    agent_version: str | None
    last_seen: datetime | None
    seen_ago: timedelta | None

    @classmethod
    def from_evidence(cls, device: Mapping[str, Any], now: datetime) -> DeviceRow:
        """A row from a device's ``deviceEvidence`` JSON, its age as of ``now``."""
        last_seen = parse_timestamp(str(device.get("lastSeenDateTime") or ""))
        os_parts = (device.get("osPlatform"), device.get("version"), device.get("osBuild"))
        return cls(
            device_id=str(device.get("mdeDeviceId") or ""),
            name=str(device.get("deviceDnsName") or device.get("mdeDeviceId") or ""),
            health=str(device.get("healthStatus") or "inactive"),
            os=" · ".join(str(part) for part in os_parts if part),
            ips=tuple(str(ip) for ip in device.get("ipInterfaces") or ()),
            users=tuple(_user(user) for user in device.get("loggedOnUsers") or ()),
            group=device.get("rbacGroupName") or None,
            agent_version=device.get("agentVersion") or None,
            last_seen=last_seen,
            seen_ago=max(timedelta(0), now - last_seen) if last_seen else None,
        )


def _user(user: Mapping[str, Any]) -> str:
    """``DOMAIN`` backslash ``name``, or the bare name when the account has no domain."""
    name = str(user.get("accountName") or "")
    domain = user.get("domainName")
    return f"{domain}\\{name}" if domain else name


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@router.get(PAGE)
def devices_page(request: Request, viewer: DevicesViewer) -> Response:
    """The device inventory (``?page=`` from 1)."""
    container = container_of(request)
    now = container.ctx.clock.now()
    counts = container.agents.health_counts()
    total = counts["active"] + counts["inactive"]
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(_page_number(request.query_params.get("page")), pages)
    start = (page - 1) * PAGE_SIZE
    devices, _total = container.agents.devices(PAGE_SIZE, start)
    shown = [DeviceRow.from_evidence(d, now) for d in devices]
    context = {
        "devices": shown,
        "total": total,
        "counts": counts,
        "page": page,
        "pages": pages,
        "start": start + 1 if shown else 0,
        "end": start + len(shown),
        "prev_url": f"{PAGE}?page={page - 1}" if page > 1 else None,
        "next_url": f"{PAGE}?page={page + 1}" if page < pages else None,
        "heartbeat_seconds": container.agents.heartbeat_seconds,
        "now": now,
    }
    return templates_of(request).render(request, "devices/index.html", context, viewer=viewer)
