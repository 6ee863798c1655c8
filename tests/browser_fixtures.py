"""The real browser's test fixtures (a pytest plugin, named in conftest.py): Debian's
Chromium driven by Playwright, the web app served on a free port, a logged-in page,
and the phone's width the pages must fit."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from web_fixtures import PASSWORD
from werkzeug.serving import make_server

from smsbox.config import Config
from smsbox.users import create_user
from web import create_app

try:
    from playwright import sync_api
except ImportError:  # the browser tests skip themselves, the others run
    sync_api = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NEEDS_CHROMIUM = pytest.mark.skipif(
    sync_api is None or not CHROMIUM.exists(),
    reason=f"playwright or {CHROMIUM} is missing (pip install '.[test]', apt install chromium)",
)
PHONE = {"width": 390, "height": 844}
# What a stranger's SMS, a caller's name or a modem's error may hold: shown, never run.
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@contextmanager
def serving(config: Config, sessions) -> Iterator[str]:
    """The web app on `config` served on a free local port, with the user alice."""
    with sessions() as session:
        create_user(session, "alice", PASSWORD, language="en")
        session.commit()
    server = make_server("127.0.0.1", 0, create_app(config, sessions), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def base_url(config, sessions) -> Iterator[str]:
    with serving(config, sessions) as url:
        yield url


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, base_url):
    """A page in a browser set to British English (the pages are French by default)."""
    return browser.new_context(base_url=base_url, locale="en-GB").new_page()


def log_in(page, name: str = "alice") -> None:
    page.goto("/login")
    page.locator("#name").fill(name)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    sync_api.expect(page.locator(".logout")).to_be_visible()


def screenshots_directory(tmp_path: Path) -> Path:
    """Where the phone screenshots go: SMSBOX_SCREENSHOTS when set (to look at them),
    else the test's own temporary directory."""
    directory = Path(os.environ.get("SMSBOX_SCREENSHOTS") or tmp_path / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def assert_fits_a_phone(page, name: str) -> None:
    """Nothing wider than the screen, and every link of the navigation and the logout
    button on it, where a finger reaches them."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide"
    reachable = page.locator("header.top nav a, .logout button")
    for index in range(reachable.count()):
        control = reachable.nth(index)
        box = control.bounding_box()
        assert control.is_visible() and box is not None, f"{name}: {control.inner_text()}"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            f"{name}: {control.inner_text()} is off the screen"
        )
