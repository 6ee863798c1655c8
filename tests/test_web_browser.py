"""Every page in a real browser (Debian's Chromium driven by Playwright): each fits a
phone's screen in French and English, and hostile text shows as text."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from browser_fixtures import (
    HOSTILE,
    NEEDS_CHROMIUM,
    PHONE,
    assert_fits_a_phone,
    log_in,
    screenshots_directory,
    sync_api,
)
from campaign_rows import add_contacts, group_of
from message_rows import message
from modem_rows import reported_modem
from web_fixtures import PASSWORD

from smsbox.activity import COMMAND_LINE
from smsbox.campaigns.recurring import Frequency, Rule, add_recurrence
from smsbox.campaigns.store import CampaignRequest, send_campaign
from smsbox.config import WebhooksConfig
from smsbox.contacts.details import check_contact
from smsbox.contacts.groups import add_members, create_group
from smsbox.contacts.store import save_contact
from smsbox.models import IncomingCall, utcnow
from smsbox.outbox import queue_message
from smsbox.users import create_user
from smsbox.webhooks.deliveries import Attempt, claim_due, record_attempts
from smsbox.webhooks.endpoints import add_endpoint
from smsbox.webhooks.event_types import EVENT_TYPES

pytestmark = NEEDS_CHROMIUM


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
