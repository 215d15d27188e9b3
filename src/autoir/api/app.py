"""The FastAPI application."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from autoir import __version__
from autoir.api.errors import install_error_handlers
from autoir.api.routes import (
    actions,
    agents,
    alerts,
    automation,
    health,
    incidents,
    investigations,
    mail_settings,
    notifications,
    suppression_rules,
    telemetry,
    url_blocks,
)
from autoir.bootstrap import Container


def create_api(container: Container, *, extra_routers: list[APIRouter] | None = None) -> FastAPI:
    """Build the API application around a container; ``extra_routers`` lets the UI mount itself."""
    app = FastAPI(
        title="AutoIR",
        version=__version__,
        description="Automated investigation and response. Alerts and incidents follow the "
        "Microsoft Graph security API shapes.",
    )
    app.state.container = container
    app.state.ready = False
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(alerts.build_router(graph=False), prefix="/api/v1/alerts")
    app.include_router(notifications.build_router(), prefix="/api/v1/alerts")
    app.include_router(suppression_rules.build_draft_router(), prefix="/api/v1/alerts")
    app.include_router(suppression_rules.build_router(), prefix="/api/v1/suppression-rules")
    app.include_router(incidents.build_router(), prefix="/api/v1/incidents")
    app.include_router(investigations.build_router(), prefix="/api/v1/investigations")
    app.include_router(actions.build_router(), prefix="/api/v1/actions")
    app.include_router(telemetry.router, prefix="/api/v1/telemetry")
    app.include_router(url_blocks.router, prefix="/api/v1/url-blocks")
    app.include_router(url_blocks.click_router)
    app.include_router(automation.build_router(), prefix="/api/v1/settings/automation")
    app.include_router(mail_settings.build_mail_router(), prefix="/api/v1/settings/mail")
    app.include_router(
        mail_settings.build_notifications_router(),
        prefix="/api/v1/settings/alert-notifications",
    )
    app.include_router(agents.build_router())
    app.include_router(agents.build_agent_router())
    app.include_router(alerts.build_router(graph=True), prefix="/v1.0/security/alerts_v2")
    app.include_router(incidents.build_router(), prefix="/v1.0/security/incidents")
    for router in extra_routers or []:
        app.include_router(router)
    return app
