"""Mounting the web UI on the application."""

from __future__ import annotations

from fastapi import FastAPI

from autoir.bootstrap import Container


def install_ui(app: FastAPI, container: Container) -> None:
    """Add the UI's routes and static files to ``app``."""
    del app, container
