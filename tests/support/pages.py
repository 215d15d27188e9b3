"""The web UI in Chromium: the app served on a free port in this process, and a browser tab on it.

Each test module keeps its own ``server_url`` and ``page`` fixtures, since they say which data the
server needs and which console errors the page expects; their bodies are ``serve`` and
``open_page``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` under uvicorn in a thread; yields its base URL and stops it afterwards."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the UI server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@contextmanager
def open_page(
    browser: Any,
    base_url: str,
    name: str,
    *,
    width: int = 1440,
    height: int = 1000,
    expected: tuple[str, ...] = (),
) -> Iterator[Any]:
    """A tab on ``base_url`` (in US English) that fails on any page or console error.

    ``expected`` are the console errors the test provokes (a console error whose text contains
    one of them is not a failure). Afterwards the tab is saved as ``SCREENSHOTS/<name>.png``.
    """
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, locale="en-US"
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not any(e in m.text for e in expected)
            else None
        ),
    )
    yield tab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()
    assert not errors, f"browser errors: {errors}"


def expect(locator: Any) -> Any:
    """Playwright's ``expect`` (imported late: Playwright is only needed by browser tests)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)
