"""The web UI in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from campaign_rows import add_contacts, group_of
from daemon_fixtures import ON_THE_NETWORK, messages, start_and_settle
from message_rows import message
from modem_rows import reported_modem
from outbox_rows import queue
from sqlalchemy import select
from waiting import wait_until
from werkzeug.serving import make_server

from smsbox.activity import COMMAND_LINE
from smsbox.calls import list_calls
from smsbox.campaigns.recurring import Frequency, Rule, add_recurrence
from smsbox.campaigns.store import CampaignRequest, send_campaign
from smsbox.config import Config, WebhooksConfig
from smsbox.contacts.details import check_contact
from smsbox.contacts.groups import add_members, create_group
from smsbox.contacts.store import save_contact
from smsbox.models import Direction, IncomingCall, Message, Status, utcnow
from smsbox.outbox import queue_message
from smsbox.users import create_user
from smsbox.webhooks.deliveries import Attempt, claim_due, record_attempts
from smsbox.webhooks.endpoints import add_endpoint
from smsbox.webhooks.event_types import EVENT_TYPES
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


PHONE = {"width": 390, "height": 844}


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


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_fits_a_phone_screen_in_either_language(
    browser, base_url, sessions, tmp_path, language
):
    with sessions() as session:
        create_user(session, "camille", PASSWORD, language=language, admin=True)
        create_user(session, "dominique", PASSWORD, language=language)
        session.add(message("+33612345678", HOSTILE + " Bonjour " * 30, utcnow()))
        session.commit()
    page = browser.new_context(base_url=base_url, viewport=PHONE, locale="fr-FR").new_page()
    with sessions() as session:
        queue_message(session, "0612345678", "Bonjour " * 40, default_region="FR")
        waiting = queue_message(
            session,
            "0612345678",
            "Rappel : rendez-vous demain " * 10,
            default_region="FR",
            scheduled_at=utcnow() + timedelta(days=1),
        )
        session.commit()
    modem_id = add_troubled_modem(sessions, "Le modem du secrétariat, au fond du couloir " * 2)
    with sessions() as session:
        long_name = "Marie-Hélène de La Tour d'Auvergne " * 5
        contact, _ = save_contact(
            session, check_contact(long_name, "0612345678", "FR"), allow_duplicates=False
        )
        group = create_group(session, "Clients fidèles du magasin de la rue de la République")
        add_members(session, group, [contact.id])
        session.commit()
        contact_id, group_id = contact.id, group.id
    campaign_id = long_campaign(sessions)
    webhook_id = add_webhook_with_a_failed_delivery(sessions)
    screenshots = screenshots_directory(tmp_path)
    # Before logging in, the pages speak the browser's language.
    browser_language = {"fr": "fr-FR", "en": "en-GB"}[language]
    stranger = browser.new_context(base_url=base_url, viewport=PHONE, locale=browser_language)
    login = stranger.new_page()
    login.goto("/login")
    sync_api.expect(login.locator("html")).to_have_attribute("lang", language)
    assert_fits_a_phone(login, "login")
    login.screenshot(path=screenshots / f"{language}-login.png", full_page=True)
    log_in(page, "dominique")
    page.goto("/admin/users")  # refused to one who is no administrator
    assert_fits_a_phone(page, "refused")
    page.screenshot(path=screenshots / f"{language}-refused.png", full_page=True)
    page.locator(".logout button").click()
    log_in(page, "camille")
    for name, path in [
        ("dashboard", "/dashboard"),
        ("calls", "/calls"),
        ("modems", "/modems"),
        ("modem", f"/modems/{modem_id}"),
        ("discussions", "/discussions"),
        ("discussion", "/discussions/+33612345678"),
        ("send", "/messages/send"),
        ("scheduled", "/messages/scheduled"),
        ("scheduled-edit", f"/messages/scheduled/{waiting.id}"),
        ("scheduled-cancel", f"/messages/scheduled/{waiting.id}/cancel"),
        ("sent", "/messages/sent"),
        ("received", "/messages/received"),
        ("unread", "/messages/unread"),
        ("bad-page-size", "/messages/sent?size=7"),
        ("settings", "/admin/settings"),
        ("optouts", "/admin/optouts"),
        ("activity", "/admin/activity"),
        ("users", "/admin/users"),
        ("apikeys", "/admin/apikeys"),
        ("webhooks", "/admin/webhooks"),
        ("webhook", f"/admin/webhooks/{webhook_id}"),
        ("account", "/account"),
        ("contacts", "/contacts/"),
        ("contact-new", "/contacts/new"),
        ("contact", f"/contacts/{contact_id}"),
        ("contact-delete", f"/contacts/{contact_id}/delete"),
        ("groups", "/contacts/groups"),
        ("group", f"/contacts/groups/{group_id}"),
        ("group-delete", f"/contacts/groups/{group_id}/delete"),
        ("contacts-import", "/contacts/import"),
        ("contacts-export", "/contacts/export"),
        ("campaigns", "/campaigns/"),
        ("campaign", f"/campaigns/{campaign_id}"),
        ("recurring", "/campaigns/recurring"),
        ("not-found", "/nowhere"),
    ]:
        page.goto(path)
        sync_api.expect(page.locator("html")).to_have_attribute("lang", language)
        assert_fits_a_phone(page, name)
        page.screenshot(path=screenshots / f"{language}-{name}.png", full_page=True)


def long_campaign(sessions) -> int:
    """A campaign with a long name and text, to a group, scheduled and recurring."""
    with sessions() as session:
        group = group_of(
            session, "Les clients du magasin de Saint-Étienne", add_contacts(session, range(2))
        )
        text = "Bonjour {name}, nos soldes d'hiver commencent samedi " * 4
        campaign = send_campaign(
            session,
            CampaignRequest(text, groups=[group], send_at=utcnow() + timedelta(days=1)),
            COMMAND_LINE,
            default_region="FR",
            zone=ZoneInfo("Europe/Paris"),
        )
        add_recurrence(
            session,
            text=text,
            rule=Rule(Frequency.WEEKLY, time(9), (0, 1, 2, 3, 4, 5)),
            groups=[group],
            numbers=[],
            zone=ZoneInfo("Europe/Paris"),
            default_region="FR",
        )
        session.commit()
        return campaign.id


def add_webhook_with_a_failed_delivery(sessions) -> int:
    """A webhook with a long URL, and an inbound message's delivery to it that failed
    with a long answer."""
    with sessions() as session:
        added = add_endpoint(
            session,
            "https://192.168.1.20/integrations/crm/sms/webhooks/received?" + "token=x" * 30,
            EVENT_TYPES,
            created_by="camille",
        )
        session.add(message("+33612345678", "Bonjour", utcnow()))
        session.commit()
        (claim,) = claim_due(session, lambda _: 1, limit=1)
        record_attempts(
            session, [(claim, Attempt(500, "Internal Server Error " * 30))], WebhooksConfig()
        )
        session.commit()
        return added.endpoint.id


def add_troubled_modem(sessions, trouble: str) -> int:
    """A modem in error whose operator name and error are `trouble`, and a call it took
    from a number that is `trouble` too, as far as it fits."""
    with sessions() as session:
        device = "/dev/serial/by-id/usb-SimTech_SIM7600-if02"
        modem_id = reported_modem(
            session, "bureau", device, errors=(trouble,), state="error", operator=trouble[:64]
        )
        caller = trouble[:32]
        at = datetime.now(UTC)
        session.add(
            IncomingCall(number=caller, raw_number=caller, received_at=at, modem_id=modem_id)
        )
        session.commit()
        return modem_id


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


def test_hostile_names_errors_and_callers_show_as_text_and_run_nothing(page, sessions):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    modem_id = add_troubled_modem(sessions, HOSTILE)
    log_in(page)

    sync_api.expect(page.locator(".modem-card .error")).to_have_text(HOSTILE)
    sync_api.expect(page.locator(".modem-card dd").nth(1)).to_have_text(HOSTILE)
    page.goto(f"/modems/{modem_id}")
    sync_api.expect(page.locator("ol.errors .error")).to_have_text(HOSTILE)
    sync_api.expect(page.locator(".error-now dd")).to_have_text(HOSTILE)
    page.goto("/calls")
    sync_api.expect(page.locator("table.calls .number")).to_have_text(HOSTILE[:32])
    for path in ("/dashboard", "/modems", f"/modems/{modem_id}", "/calls"):
        page.goto(path)
        assert page.locator("img").count() == 0, path
        assert page.locator("main script").count() == 0, path
    assert dialogs == []
