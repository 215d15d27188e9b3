"""Composing the web application (API + UI) and running it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from autoir.api.app import create_api
from autoir.bootstrap import Container
from autoir.ui.app import install_ui


def create_app(container: Container, *, on_ready: Callable[[], None] | None = None) -> FastAPI:
    """The whole web application: REST API, Graph-compatible paths and the web UI."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ready = True
        if on_ready is not None:
            on_ready()
        yield
        app.state.ready = False

    app = create_api(container)
    app.router.lifespan_context = lifespan
    install_ui(app, container)
    return app
