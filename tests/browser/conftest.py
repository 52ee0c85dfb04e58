"""Browser-test fixtures: apps served by a real WSGI server on a free loopback port, driven by
Debian's chromium through Playwright.

The browser is never downloaded (no ``playwright install``): CI installs the distribution's
chromium with apt, which keeps the runs offline-friendly and the browser patched by the
distribution. Without it, the tests fail in CI (a silently skipped browser suite would pass a
release untested) and skip locally with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.live import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Pages here answer in milliseconds; a short timeout turns a wrong selector into a quick,
# readable failure instead of Playwright's 30-second default.
TIMEOUT_MS = 5000


def _chromium_missing() -> None:
    message = (
        f"Debian's chromium is not installed at {CHROMIUM}: install it with "
        "'apt-get install chromium' (.ci/run does). The browser tests never download a browser."
    )
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium for the session: launching it is the slowest step of a test."""
    if not CHROMIUM.exists():
        _chromium_missing()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], str]]:
    """Serve a WSGI app under a real server thread; returns its base URL. Every app served in
    a test stops when the test ends."""
    with ExitStack() as stack:
        yield lambda app: stack.enter_context(serving(app))


@pytest.fixture
def page(browser: Browser, live_server: Callable[[Any], str]) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test. It depends on ``live_server`` so that it
    closes first: open keep-alive connections would otherwise hold the server's shutdown."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()
