"""Mounting the web UI on the application."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from autoir.bootstrap import Container
from autoir.ui.routes import (
    action_center,
    alert_actions,
    alert_page,
    alerts,
    automation_settings,
    dashboard,
    devices_page,
    incidents,
    investigations,
    login,
    placeholders,
    settings_page,
)
from autoir.ui.templating import STATIC_DIR, Templates


def install_ui(app: FastAPI, container: Container) -> None:
    """Add the UI's routes, its static files (``/static``) and its templates to ``app``.

    Args:
        app: The application built by ``autoir.api.app.create_api``.
        container: The services the pages use.
    """
    app.state.container = container
    app.state.ui_templates = Templates()
    for module in (
        login,
        dashboard,
        alerts,
        alert_page,
        alert_actions,
        incidents,
        investigations,
        action_center,
        automation_settings,
        settings_page,
        devices_page,
        placeholders,
    ):
        app.include_router(module.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
