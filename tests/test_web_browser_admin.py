"""Administration and the dashboard in a real browser: a cap, the STOP list, the
account's name and signature, and the dashboard and calls page after the daemon's work."""

from __future__ import annotations

from browser_fixtures import (
    NEEDS_CHROMIUM,
    log_in,
    serving,
    sync_api,
)
from daemon_fixtures import ON_THE_NETWORK, messages, start_and_settle
from outbox_rows import queue
from sqlalchemy import select
from waiting import wait_until
from web_fixtures import PASSWORD

from smsbox.calls import list_calls
from smsbox.models import Direction, Message
from smsbox.users import create_user

pytestmark = NEEDS_CHROMIUM


def admin_page(browser, base_url, sessions):
    """A page logged in as "root", an administrator, in English."""
    with sessions() as session:
        create_user(session, "root", PASSWORD, language="en", admin=True)
        session.commit()
    page = browser.new_context(base_url=base_url).new_page()
    page.set_default_timeout(10_000)
    log_in(page, "root")
    return page


def test_an_admin_sets_a_cap_and_keeps_a_number_off_the_stop_list_in_a_browser(
    browser, base_url, sessions
):
    page = admin_page(browser, base_url, sessions)

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Each user, a day").fill("5")
    page.get_by_role("button", name="Save the caps").click()
    sync_api.expect(page.locator(".flash")).to_contain_text("Settings saved")
    sync_api.expect(page.get_by_label("Each user, a day")).to_have_value("5")

    page.get_by_role("link", name="STOP list").click()
    page.get_by_label("Number", exact=True).fill("06 98 76 54 32")
    page.get_by_label("Reason").first.fill("asked by phone")
    page.get_by_role("button", name="Add to the STOP list").click()
    row = page.locator("table.optouts tbody tr").first
    sync_api.expect(row).to_contain_text("+33698765432")
    sync_api.expect(row).to_contain_text("asked by phone")
    row.get_by_role("button", name="Remove").click()
    sync_api.expect(page.locator(".empty")).to_have_text("Nobody is on the STOP list.")

    page.get_by_role("link", name="Activity").click()
    sync_api.expect(page.locator("table.activity")).to_contain_text("removed from the STOP list")


def test_an_admin_names_the_account_and_signs_messages_and_the_counter_counts_it(
    browser, base_url, sessions
):
    page = admin_page(browser, base_url, sessions)

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Account name, shown at the top of every page").fill("Cabinet Martin")
    page.get_by_role("button", name="Save the account").click()
    sync_api.expect(page.locator(".brand")).to_have_text("Cabinet Martin")
    sync_api.expect(page).to_have_title("Settings · Cabinet Martin")
    page.get_by_label("Signature added to every message").fill("Cabinet Martin")
    page.get_by_role("button", name="Save the message settings").click()
    sync_api.expect(page.locator(".flash")).to_contain_text("Settings saved")
    page.get_by_label("Time zone of the pages").fill("Mars/Olympus")
    page.get_by_role("button", name="Save the account").click()
    sync_api.expect(page.locator("#account .form-error")).to_contain_text(
        "Mars/Olympus is no known time zone"
    )

    page.get_by_role("link", name="New SMS").click()
    page.get_by_label("Message").press_sequentially("Bonjour")
    # "Bonjour", a line break and the 14 characters of the signature.
    sync_api.expect(page.locator("#body-counter")).to_have_text("22 characters · GSM 7-bit · 1 SMS")
    page.get_by_label("Number", exact=True).fill("06 12 34 56 78")
    page.get_by_role("button", name="Send").click()
    sync_api.expect(page).to_have_url("/messages/sent")
    with sessions() as session:
        (sent,) = session.scalars(select(Message)).all()
    assert sent.body == "Bonjour\nCabinet Martin"


def test_the_dashboard_counts_a_message_the_daemon_sent_and_the_calls_page_a_call(
    browser, modem_config, db, sim, start_daemon
):
    """The real daemon and a simulated modem: the page after login is the dashboard,
    with the message sent today and the modem online; the call rung is on the calls page."""
    start_and_settle(db, start_daemon)
    queue(db, "0698765432", text="Bonjour du tableau de bord")
    wait_until(lambda: [m.status in ON_THE_NETWORK for m in messages(db, Direction.OUTBOUND)])
    sim.call("+33612345678", rings=2, interval=0.3)
    wait_until(lambda: [(c.number, c.rings) for c in calls(db)] == [("+33612345678", 2)])
    with serving(modem_config, db) as url:
        page = browser.new_context(base_url=url, locale="en-GB").new_page()
        page.set_default_timeout(20_000)
        log_in(page)
        sync_api.expect(page).to_have_url("/dashboard")
        sent_today = page.get_by_role("row", name="Sent").get_by_role("cell").first
        sync_api.expect(sent_today).to_have_text("1")
        card = page.locator(".modem-card")
        sync_api.expect(card.locator("h3")).to_have_text("sim")
        sync_api.expect(card.locator(".badge")).to_have_text("online")
        sync_api.expect(page.locator(".chart-svg rect.bar-sent")).to_have_count(1)

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Calls").click()
        row = page.locator("table.calls tbody tr")
        sync_api.expect(row).to_have_count(1)
        sync_api.expect(row.locator(".number")).to_have_text("+33612345678")
        sync_api.expect(row.locator(".rings")).to_have_text("2")
        sync_api.expect(row.locator(".modem")).to_have_text("sim")


def calls(db) -> list:
    with db() as session:
        return list_calls(session, 10)
