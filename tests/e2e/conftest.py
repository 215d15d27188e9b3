"""End-to-end fixtures: the real CLI loads the demo tenant and serves it; Chromium drives the UI.

The browser is Debian's Chromium (``/usr/bin/chromium``); Playwright never downloads one here.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.pages import free_port, open_page

PASSWORD = "e2e-password-123"
ANALYST = "analyst@fabrikam.example"
FRENCH_ANALYST = "lea@fabrikam.example"


@dataclass(frozen=True)
class Server:
    url: str
    data_dir: Path


def _cli(*args: str, data_dir: Path, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "autoir.cli.main", *args, "--data-dir", str(data_dir)],
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"autoir serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    pytest.fail("autoir serve did not become healthy within 60 s")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    _cli("demo", data_dir=data_dir)
    _cli(
        "user",
        "create",
        "--username",
        ANALYST,
        "--role",
        "Security operator",
        "--display-name",
        "Alex Analyst",
        "--password-stdin",
        data_dir=data_dir,
        stdin=PASSWORD + "\n",
    )
    _cli(
        "user",
        "create",
        "--username",
        FRENCH_ANALYST,
        "--role",
        "Security operator",
        "--display-name",
        "Léa Moreau",
        "--password-stdin",
        data_dir=data_dir,
        stdin=PASSWORD + "\n",
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autoir.cli.main",
            "serve",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(url, process)
        yield Server(url, data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def page(browser: Any, server: Server, request: pytest.FixtureRequest) -> Iterator[Any]:
    expected = ("Failed to load resource",)
    with open_page(browser, server.url, request.node.name, width=1600, expected=expected) as tab:
        yield tab


def sign_in(page: Any, username: str = ANALYST) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
