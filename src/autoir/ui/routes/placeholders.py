"""Areas of the product map that this version does not provide yet: an honest page each."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from autoir.ui.auth import RequirePage, Viewer
from autoir.ui.navigation import PLANNED, PlannedArea
from autoir.ui.routing import UiRoute, templates_of

router = APIRouter(route_class=UiRoute)


def _add_page(area: PlannedArea) -> None:
    guard = RequirePage(area.permission)

    def page(request: Request, viewer: Viewer = Depends(guard)) -> Response:
        return templates_of(request).render(
            request, "placeholder.html", {"area": area}, viewer=viewer
        )

    page.__doc__ = f"{area.key}: not available in this version yet."
    router.add_api_route(f"/{area.key}", page, methods=["GET"], name=f"ui-{area.key}")


for _area in PLANNED.values():
    _add_page(_area)
