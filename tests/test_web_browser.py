"""The web UI in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from smsbox.models import Direction, Message, Status
from smsbox.users import create_user
from web import create_app

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
PASSWORD = "correct horse battery"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"
)


@pytest.fixture
def base_url(config, sessions) -> Iterator[str]:
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


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_fits_a_phone_screen_in_either_language(browser, base_url, sessions, language):
    with sessions() as session:
        create_user(session, "camille", PASSWORD, language=language)
        session.commit()
    page = browser.new_context(base_url=base_url, viewport=PHONE, locale="fr-FR").new_page()
    log_in(page, "camille")
    for path in ["/messages/send", "/messages/sent", "/messages/received", "/nowhere"]:
        page.goto(path)
        sync_api.expect(page.locator("html")).to_have_attribute("lang", language)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
        logout = page.locator(".logout button").bounding_box()
        assert logout is not None and logout["x"] + logout["width"] <= PHONE["width"], path


def test_it_logs_in_and_sends_an_sms_from_a_browser(page, sessions):
    console_errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.set_default_timeout(10_000)

    page.goto("/")
    sync_api.expect(page).to_have_url("/login?next=%2Fmessages%2Fsend")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    sync_api.expect(page).to_have_url("/messages/send")
    page.get_by_label("Number").fill("06 12 34 56 78")
    page.get_by_label("Message").fill("Bonjour é ç €")
    page.get_by_role("button", name="Send").click()

    sync_api.expect(page).to_have_url("/messages/sent")
    sync_api.expect(page.locator(".flash")).to_have_text("Message queued for +33612345678.")
    row = page.locator("table.messages tbody tr").first
    sync_api.expect(row.locator(".number")).to_have_text("+33612345678")
    sync_api.expect(row.locator(".body")).to_have_text("Bonjour é ç €")
    sync_api.expect(row.locator(".status")).to_have_text("queued")
    # The stylesheet loaded under the CSP: the header bar is styled.
    assert page.locator("header.top").evaluate("e => getComputedStyle(e).display") == "flex"
    assert console_errors == []

    with sessions() as session:
        [message] = session.scalars(select(Message).where(Message.direction == Direction.OUTBOUND))
    assert (message.number, message.body, message.status) == (
        "+33612345678",
        "Bonjour é ç €",
        Status.QUEUED,
    )
