"""The web UI in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from message_rows import message
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
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"

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
    pages = ["/messages/send", "/messages/sent", "/messages/received", "/messages/unread"]
    for path in [*pages, "/nowhere"]:
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


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_it_filters_searches_marks_read_and_deletes_from_the_lists(
    browser, base_url, sessions, viewport
):
    noon = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    with sessions() as session:
        session.add_all(
            [
                message("+33612345678", "budget 100% voted", noon),
                message("+33612345678", "budget 1000 voted", noon - timedelta(days=2)),
                message("+33699999999", HOSTILE, noon - timedelta(days=1)),
            ]
        )
        session.commit()
    context = browser.new_context(base_url=base_url, locale="en-GB", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page)
    rows = page.locator("table.messages tbody tr")

    page.goto("/messages/unread")
    sync_api.expect(rows).to_have_count(3)
    sync_api.expect(rows.nth(1).locator(".body")).to_contain_text(HOSTILE[:40])
    page.get_by_label("From (day)").fill("2024-03-09")
    page.get_by_role("button", name="Filter").click()
    sync_api.expect(rows).to_have_count(2)
    page.get_by_label("Search").fill("100%")
    page.get_by_role("button", name="Filter").click()
    sync_api.expect(rows).to_have_count(1)
    sync_api.expect(rows.locator(".body")).to_contain_text("budget 100% voted")

    rows.first.locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Mark read").click()
    sync_api.expect(page.locator(".flash")).to_have_text("1 message marked read.")
    sync_api.expect(page.locator(".empty")).to_have_text("No message matches.")

    page.goto("/messages/received?q=budget")
    sync_api.expect(rows).to_have_count(2)
    for row in range(2):
        rows.nth(row).locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Delete").click()
    sync_api.expect(page.locator("h1")).to_have_text("Delete messages")
    sync_api.expect(page.locator("ul.doomed li")).to_have_count(2)
    page.get_by_role("button", name="Delete these 2 messages").click()
    sync_api.expect(page.locator(".flash")).to_have_text("2 messages deleted.")
    sync_api.expect(page).to_have_url("/messages/received?q=budget")

    page.goto("/messages/received")
    sync_api.expect(rows).to_have_count(1)
    # A click on the row, here on its date, lands on the number's link stretched over it.
    date = rows.first.locator(".when").bounding_box()
    assert date is not None
    page.mouse.click(date["x"] + date["width"] / 2, date["y"] + date["height"] / 2)
    sync_api.expect(page).to_have_url("/discussions/%2B33699999999")
    assert dialogs == []
    with sessions() as session:
        assert list(session.scalars(select(Message.body))) == [HOSTILE]
