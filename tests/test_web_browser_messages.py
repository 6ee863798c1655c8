"""Sending and reading in a real browser: log in and send, the lists' filters and
search, the counter, a scheduled message changed and cancelled, a discussion that
shows news without a reload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from browser_fixtures import (
    HOSTILE,
    NEEDS_CHROMIUM,
    PHONE,
    log_in,
    serving,
    sync_api,
)
from daemon_fixtures import messages, start_and_settle
from message_rows import message
from sqlalchemy import select
from waiting import wait_until
from web_fixtures import PASSWORD

from smsbox.models import Direction, Message, Status, utcnow

pytestmark = NEEDS_CHROMIUM


def test_it_logs_in_and_sends_an_sms_from_a_browser(page, sessions):
    console_errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.set_default_timeout(10_000)

    page.goto("/messages/send")
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
    sync_api.expect(page).to_have_url("/discussions/+33699999999")
    assert dialogs == []
    with sessions() as session:
        assert list(session.scalars(select(Message.body))) == [HOSTILE]


def test_the_counter_follows_the_text_and_a_second_number_gets_the_message_too(page, sessions):
    console_errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.set_default_timeout(10_000)
    log_in(page)
    page.goto("/messages/send")
    counter = page.locator("#body-counter")
    text = page.get_by_label("Message")

    text.press_sequentially("Bonjour")
    sync_api.expect(counter).to_have_text("7 characters · GSM 7-bit · 1 SMS")
    text.press_sequentially(" €")  # from GSM 7-bit's extension table: 2 characters
    sync_api.expect(counter).to_have_text("10 characters · GSM 7-bit · 1 SMS")
    text.press_sequentially(" 😀")
    sync_api.expect(counter).to_have_text("12 characters · Unicode (UCS-2) · 1 SMS")
    text.fill("a" * 161)
    sync_api.expect(counter).to_have_text("161 characters · GSM 7-bit · 2 SMS")
    text.fill("Bonjour € 😀")
    sync_api.expect(counter).to_have_text("12 characters · Unicode (UCS-2) · 1 SMS")

    page.get_by_label("Number", exact=True).fill("06 12 34 56 78")
    page.get_by_role("button", name="Add a recipient").click()
    second = page.get_by_label("Number 2", exact=True)
    sync_api.expect(second).to_be_focused()
    second.fill("07 11 22 33 44")
    page.get_by_role("button", name="Send").click()

    sync_api.expect(page).to_have_url("/messages/sent")
    sync_api.expect(page.locator(".flash")).to_have_text(
        "Message queued for +33612345678, +33711223344."
    )
    rows = page.locator("table.messages tbody tr")
    sync_api.expect(rows).to_have_count(2)
    sync_api.expect(rows.locator(".number")).to_have_text(["+33711223344", "+33612345678"])
    assert console_errors == []
    with sessions() as session:
        sent = session.scalars(select(Message).order_by(Message.id)).all()
    assert [(m.number, m.body) for m in sent] == [
        ("+33612345678", "Bonjour € 😀"),
        ("+33711223344", "Bonjour € 😀"),
    ]


def test_a_text_typed_before_the_page_s_script_ran_is_counted(page, sessions):
    """A quick typist, or the browser filling the form again on going back, puts a text
    in before send.js listens to it: the counter still follows the text."""
    page.set_default_timeout(10_000)
    log_in(page)
    held_script = []
    page.route("**/static/send.js", lambda route: held_script.append(route))
    page.goto("/messages/send", wait_until="commit")
    page.get_by_label("Message").press_sequentially("Bonjour")
    # Playwright hands over the held request while it waits, not while time.sleep does.
    wait_until(lambda: page.wait_for_timeout(20) or held_script)
    held_script[0].continue_()
    sync_api.expect(page.locator("#body-counter")).to_have_text("7 characters · GSM 7-bit · 1 SMS")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_it_schedules_a_message_then_changes_and_cancels_it(browser, base_url, sessions, viewport):
    page = browser.new_context(base_url=base_url, locale="en-GB", viewport=viewport).new_page()
    page.set_default_timeout(10_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page)
    paris = ZoneInfo("Europe/Paris")
    tomorrow = (utcnow() + timedelta(days=1)).astimezone(paris).replace(second=0, microsecond=0)
    later = tomorrow + timedelta(hours=2)

    page.goto("/messages/send")
    page.get_by_label("Number", exact=True).fill("06 12 34 56 78")
    page.get_by_label("Message").fill(HOSTILE)
    page.get_by_label("Send later (optional)").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Send").click()

    sync_api.expect(page).to_have_url("/messages/scheduled")
    sync_api.expect(page.locator(".flash")).to_contain_text("Message scheduled for +33612345678")
    row = page.locator("table.messages tbody tr")
    sync_api.expect(row).to_have_count(1)
    sync_api.expect(row.locator(".body")).to_have_text(HOSTILE)
    sync_api.expect(row.locator("time")).to_have_text(tomorrow.strftime("%d/%m/%Y, %H:%M"))

    row.get_by_role("link", name="Change").click()
    sync_api.expect(page.get_by_label("Message")).to_have_value(HOSTILE)
    page.get_by_label("Message").fill("Rendez-vous à 16 h")
    page.get_by_label("Send at").fill(later.strftime("%Y-%m-%dT%H:%M"))
    sync_api.expect(page.locator("#body-counter")).to_have_text("18 characters · GSM 7-bit · 1 SMS")
    page.get_by_role("button", name="Save").click()
    sync_api.expect(page).to_have_url("/messages/scheduled")
    sync_api.expect(page.locator(".flash")).to_contain_text("Message to +33612345678 changed")
    sync_api.expect(row.locator(".body")).to_have_text("Rendez-vous à 16 h")
    sync_api.expect(row.locator("time")).to_have_text(later.strftime("%d/%m/%Y, %H:%M"))

    row.get_by_role("link", name="Cancel").click()
    sync_api.expect(page.locator("h1")).to_have_text("Cancel a scheduled message")
    page.get_by_role("button", name="Cancel this message").click()
    sync_api.expect(page.locator(".flash")).to_have_text("Message to +33612345678 cancelled.")
    sync_api.expect(page.locator(".empty")).to_contain_text("No message is waiting")
    assert dialogs == []
    with sessions() as session:
        (message,) = session.scalars(select(Message))
    assert (message.body, message.status) == ("Rendez-vous à 16 h", Status.CANCELLED)
    assert message.scheduled_at == later.astimezone(UTC)


def test_a_discussion_shows_news_and_delivery_without_a_reload(
    browser, modem_config, db, sim, start_daemon
):
    """The real daemon and a simulated modem behind the page: an SMS the network brings
    appears in the open discussion, and a reply's bubble turns delivered with its report."""
    start_and_settle(db, start_daemon)
    sim.deliver("+33698765432", "Bonjour, vous êtes ouverts ?")
    wait_until(lambda: messages(db, Direction.INBOUND))
    with serving(modem_config, db) as url:
        page = browser.new_context(base_url=url, locale="en-GB").new_page()
        page.set_default_timeout(20_000)
        console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
        page.on("dialog", lambda dialog: console_errors.append(f"dialog: {dialog.message}"))
        log_in(page)
        page.goto("/discussions")
        page.get_by_role("link", name="+33698765432").click()
        bubbles = page.locator("#bubbles .bubble")
        sync_api.expect(bubbles).to_have_count(1)

        # A mark survives only as long as the page is not loaded again.
        page.evaluate("window.notReloaded = true")
        sim.deliver("+33698765432", HOSTILE)
        sync_api.expect(bubbles.last.locator(".body")).to_have_text(HOSTILE)
        assert bubbles.last.get_attribute("class") == "bubble bubble-in"
        assert page.evaluate("window.notReloaded") is True
        wait_until(lambda: all(m.read_at for m in messages(db, Direction.INBOUND)))

        page.get_by_label("Message").fill("Oui, jusqu'à 18 h.")
        page.get_by_role("button", name="Send").click()
        reply = page.locator("#bubbles .bubble-out").last
        sync_api.expect(reply.locator(".body")).to_have_text("Oui, jusqu'à 18 h.")
        page.evaluate("window.notReloaded = true")
        sync_api.expect(reply.locator(".status")).to_have_text("delivered")
        assert page.evaluate("window.notReloaded") is True
        assert page.locator("img").count() == 0
        assert console_errors == []
    (sent,) = messages(db, Direction.OUTBOUND)
    assert (sent.number, sent.status) == ("+33698765432", Status.DELIVERED)
