"""One Chromium per test process, shared by the UI and end-to-end browser tests.

Playwright's sync API runs its own event loop; a second ``sync_playwright()`` in the same process
while the first is open fails ("Sync API inside the asyncio loop"). Under xdist a worker may run
tests of both folders, so there is exactly one session-scoped browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (skips, or fails in CI, when it is missing)."""
    if not CHROMIUM.exists():
        if os.environ.get("AUTOIR_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail("Debian chromium is not installed: apt-get install chromium")
        pytest.skip("Debian chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
