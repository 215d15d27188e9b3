"""URL clicks (reference §5.7, Management Activity record type 41 ``TIUrlClickData``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from autoir.domain.errors import FieldError
from autoir.domain.telemetry.kinds import TelemetryKind
from autoir.domain.telemetry.normalize import content_id, normalize_url, url_host
from autoir.domain.telemetry.reader import FieldReader
from autoir.domain.timestamps import format_timestamp


class UrlClickAction(StrEnum):
    """``URLClickAction``; the Management API sends the numbers, both spellings are accepted."""

    NONE = "none"
    ALLOWED = "allowed"
    BLOCK_PAGE = "blockPage"
    PENDING_DETONATION_PAGE = "pendingDetonationPage"
    BLOCK_PAGE_OVERRIDE = "blockPageOverride"
    PENDING_DETONATION_PAGE_OVERRIDE = "pendingDetonationPageOverride"

    @property
    def reached_site(self) -> bool:
        """Whether the user got through to the site (allowed, or clicked through a warning)."""
        return self in {
            UrlClickAction.ALLOWED,
            UrlClickAction.BLOCK_PAGE_OVERRIDE,
            UrlClickAction.PENDING_DETONATION_PAGE_OVERRIDE,
        }


CLICK_ACTION_CODES = dict(enumerate(UrlClickAction))


@dataclass(frozen=True, slots=True)
class UrlClick:
    """A user's click on a (wrapped) URL; ``network_message_id`` is the mail it came from."""

    id: str
    user: str
    url: str
    clicked_at: datetime
    action: UrlClickAction = UrlClickAction.NONE
    app_name: str | None = None
    network_message_id: str | None = None
    user_ip: str | None = None

    @property
    def url_domain(self) -> str | None:
        """Host of the clicked URL."""
        return url_host(self.url)

    def to_json(self) -> dict[str, Any]:
        """The click in its ingest format."""
        return {
            "id": self.id,
            "userId": self.user,
            "appName": self.app_name,
            "urlClickAction": self.action.value,
            "sourceId": self.network_message_id,
            "timeOfClick": format_timestamp(self.clicked_at),
            "url": self.url,
            "userIp": self.user_ip,
        }


def _action(r: FieldReader) -> UrlClickAction | None:
    raw = r.payload.get("urlClickAction")
    if isinstance(raw, int) and not isinstance(raw, bool):
        action = CLICK_ACTION_CODES.get(raw)
        if action is None:
            r.fail(
                "urlClickAction", f"unknown code {raw}; expected 0 to {len(CLICK_ACTION_CODES) - 1}"
            )
        return action
    return r.enum("urlClickAction", UrlClickAction)


def parse_url_click(payload: object, target: str, errors: list[FieldError]) -> UrlClick | None:
    """Check one click; return the record, or None after appending its field errors."""
    if not isinstance(payload, dict):
        errors.append(FieldError(target, "must be a JSON object"))
        return None
    r = FieldReader(payload, target, errors)
    click_id = r.string("id", max_length=128)
    user = r.string("userId", max_length=320)
    r.require("userId", user)
    url = r.string("url", max_length=8192)
    r.require("url", url)
    clicked = r.time("timeOfClick")
    r.require("timeOfClick", clicked)
    action = _action(r) or UrlClickAction.NONE
    app = r.string("appName", max_length=256)
    source = r.string("sourceId", max_length=256)
    user_ip = r.ip("userIp")
    if not r.ok or user is None or url is None or clicked is None:
        return None
    user = user.strip().lower()
    url = normalize_url(url)
    parts = (user, url, format_timestamp(clicked), action.value, app, source, user_ip)
    return UrlClick(
        id=click_id.strip() if click_id else content_id(TelemetryKind.URL_CLICKS, parts),
        user=user,
        url=url,
        clicked_at=clicked,
        action=action,
        app_name=app,
        network_message_id=source.strip() if source else None,
        user_ip=user_ip,
    )
