"""The dashboard: queue tiles, 30-day alert volume charts and top alert types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from autoir.bootstrap import Container
from autoir.domain.access.permissions import Permission
from autoir.domain.alerts.enums import AlertSeverity, ServiceSource
from autoir.domain.queries.fields import ALERT_FIELDS, INCIDENT_FIELDS
from autoir.odata import parse_list_query
from autoir.ports.repositories import VolumeBucket
from autoir.ui.auth import ReadViewer, Viewer, container_of
from autoir.ui.filter_terms import timestamp
from autoir.ui.queue_filters import COUNT_LIMIT
from autoir.ui.routing import UiRoute, templates_of

router = APIRouter(route_class=UiRoute)
Label = Callable[[object, str], str]
DAYS = 30
SEVERITY_ORDER = ("high", "medium", "low", "informational", "unknown")
SEVERITY_COLOURS = {
    "high": "#d13438",
    "medium": "#ca5010",
    "low": "#c19c00",
    "informational": "#0078d4",
    "unknown": "#8a8886",
}
SOURCE_COLOURS = (
    "#0078d4",
    "#8764b8",
    "#038387",
    "#ca5010",
    "#498205",
    "#c239b3",
    "#986f0b",
    "#4f6bed",
    "#69797e",
    "#e3008c",
    "#00b7c3",
)


def _count(container: Container, filter_text: str, *, incidents: bool = False) -> tuple[int, bool]:
    """A tile's count and whether it stopped at the cap (shown as "10,000+")."""
    query = replace(
        parse_list_query(
            INCIDENT_FIELDS if incidents else ALERT_FIELDS,
            filter_text=filter_text,
            orderby=None,
            top="1",
            skip=None,
            count="true",
            max_top=1,
            entity_filters=not incidents,
        ),
        count_limit=None if incidents else COUNT_LIMIT,
    )
    page = container.incidents.search(query) if incidents else container.alerts.queue(query)[0]
    return page.total or 0, page.total_is_lower_bound


def _series(buckets: list[VolumeBucket], days: list[str], order: list[str]) -> list[dict[str, Any]]:
    counts: dict[str, dict[str, int]] = {}
    for bucket in buckets:
        counts.setdefault(bucket.key, {})[bucket.day] = bucket.count
    keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order)
    return [{"key": k, "data": [counts[k].get(day, 0) for day in days]} for k in keys]


def _chart(
    buckets: list[VolumeBucket],
    days: list[str],
    order: list[str],
    colour: dict[str, str],
    label: Label,
    vocabulary: str,
) -> dict[str, Any]:
    series = _series(buckets, days, order)
    return {
        "labels": days,
        "datasets": [
            {
                "label": label(s["key"], vocabulary),
                "data": s["data"],
                "backgroundColor": colour.get(s["key"], "#8a8886"),
            }
            for s in series
        ],
        "total": sum(sum(s["data"]) for s in series),
    }


def _queue_url(filter_text: str) -> str:
    return "/alerts?" + urlencode({"f": "1", "filter": filter_text})


def dashboard_context(container: Container, viewer: Viewer, label: Label) -> dict[str, Any]:
    """Tiles, charts and top alert types for the dashboard."""
    now = container.ctx.clock.now()
    day_ago = timestamp(now - timedelta(hours=24))
    # Whole days: the charts are per day, and a stable filter lets the service reuse its summary.
    month_ago = timestamp(
        (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    )
    open_status = "status in ('new', 'inProgress')"
    tiles = [
        (
            "new24h",
            f"createdDateTime ge {day_ago}",
            "bell",
        ),
        ("highOpen", f"severity eq 'high' and {open_status}", "alert"),
        (
            "awaiting",
            f"status eq 'new' and assignedTo eq null and createdDateTime ge {month_ago}",
            "inbox",
        ),
    ]
    tile_values = {
        key: dict(zip(("count", "capped"), _count(container, text), strict=True))
        | {"url": _queue_url(text), "icon": icon}
        for key, text, icon in tiles
    }
    active = "status in ('active', 'inProgress')"
    tile_values["incidents"] = {
        "count": _count(container, active, incidents=True)[0],
        "capped": False,
        "url": "/incidents?status=active&status=inProgress",
        "icon": "layers",
    }
    first_day = (now - timedelta(days=DAYS - 1)).date()
    days = [(first_day + timedelta(days=n)).isoformat() for n in range(DAYS)]
    sources = [s.value for s in ServiceSource]
    source_colours = dict(zip(sources, SOURCE_COLOURS * 2, strict=False))
    by_severity = _chart(
        container.alerts.volume(days=DAYS, by="severity"),
        days,
        list(SEVERITY_ORDER),
        SEVERITY_COLOURS,
        label,
        "severity",
    )
    by_source = _chart(
        container.alerts.volume(days=DAYS, by="serviceSource"),
        days,
        sources,
        source_colours,
        label,
        "serviceSource",
    )
    recent = parse_list_query(
        ALERT_FIELDS,
        filter_text=f"createdDateTime ge {month_ago}",
        orderby=None,
        top="1",
        skip=None,
        count=None,
        max_top=1,
    )
    titles = sorted(
        container.alerts.counts_by("title", recent).items(), key=lambda kv: (-kv[1], kv[0])
    )[:8]
    severities = container.alerts.counts_by(
        "severity",
        parse_list_query(
            ALERT_FIELDS,
            filter_text=open_status,
            orderby=None,
            top="1",
            skip=None,
            count=None,
            max_top=1,
        ),
    )
    return {
        "tiles": tile_values,
        "charts": {"severity": by_severity, "source": by_source},
        "top_titles": [
            {
                "title": t,
                "count": n,
                "url": _queue_url(f"title eq '{t.replace(chr(39), chr(39) * 2)}'"),
            }
            for t, n in titles
        ],
        "top_max": max((n for _, n in titles), default=0),
        "open_by_severity": [
            (s, severities.get(s, 0)) for s in SEVERITY_ORDER if s != AlertSeverity.UNKNOWN.value
        ],
        "viewer_can_manage": viewer.can(Permission.MANAGE_ALERTS),
    }


@router.get("/")
@router.get("/dashboard")
def dashboard(request: Request, viewer: ReadViewer) -> Response:
    """Tiles and charts over the last 30 days."""
    templates = templates_of(request)
    label = templates.label_function(viewer.locale)
    context = dashboard_context(container_of(request), viewer, label)
    return templates.render(request, "dashboard.html", context, viewer=viewer)
