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
        create_user(session, "alice", PASSWORD)
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
def page(base_url):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=base_url)
            yield context.new_page()
        finally:
            browser.close()


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
