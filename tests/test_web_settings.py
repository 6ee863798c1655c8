"""The settings screen's account and message settings, own keywords, the dashboard's
caps, a person's language on /account, and the activity log of it all."""

from __future__ import annotations

import re

import pytest
from test_web import csrf_token, log_in, outbound, send
from test_web_admin import HOSTILE, keyword_form, post_settings
from web_fixtures import PASSWORD

from smsbox import account_settings
from smsbox.account_details import AccountDetails, account_details
from smsbox.activity import COMMAND_LINE, entries
from smsbox.keywords import KeywordRules
from smsbox.message_settings import MessageSettings, message_settings
from smsbox.quotas import Quotas
from smsbox.users import create_user


def account_form(**changes: str) -> dict[str, str]:
    typed = {"name": "Cabinet Martin", "timezone": "Europe/Paris", "allow_duplicates": ""}
    return {f"account-{name}": value for name, value in (typed | changes).items() if value}


def messages_form(**changes: str) -> dict[str, str]:
    typed = {"signature": "", "validity_hours": "48", "delivery_reports": "y"}
    return {f"messages-{name}": value for name, value in (typed | changes).items() if value}


def test_the_account_name_heads_every_page_and_its_time_zone_every_time(admin, sessions):
    form = account_form(name=HOSTILE, timezone="America/New_York", allow_duplicates="y")
    assert post_settings(admin, "account", form).status_code == 302
    with sessions() as session:
        assert account_details(session) == AccountDetails(HOSTILE, "America/New_York", True)
        (logged,) = entries(session, action="settings_changed")
    assert logged.subject == "account"
    page = admin.get("/messages/send").get_data(as_text=True)
    assert HOSTILE not in page
    assert '<span class="brand">&lt;script&gt;alert(1)' in page
    assert re.search(r"<title>New SMS · &lt;script&gt;", page)
    assert "Time in America/New_York." in page


def test_an_unknown_time_zone_is_refused_and_nothing_changes(admin, sessions):
    response = post_settings(admin, "account", account_form(timezone="Europe/Nowhere"))
    assert response.status_code == 400
    assert "Europe/Nowhere is no known time zone" in response.get_data(as_text=True)
    with sessions() as session:
        assert account_details(session) == AccountDetails()
    page = admin.get("/messages/send").get_data(as_text=True)
    assert "Time in Europe/Paris." in page  # the configuration's
    assert '<span class="brand">smsbox</span>' in page


def test_the_signature_goes_with_what_staff_send_and_the_counter_counts_it(admin, sessions):
    form = messages_form(signature="ACME", validity_hours="12", delivery_reports="")
    assert post_settings(admin, "messages", form).status_code == 302
    with sessions() as session:
        assert message_settings(session) == MessageSettings("ACME", 12, delivery_reports=False)

    page = admin.get("/messages/send").get_data(as_text=True)
    assert "Signed, on a line of its own: ACME" in page
    assert "5 characters" in page  # "\nACME", before a word is typed
    token = csrf_token(admin, "/messages/send")
    signed = admin.post(
        "/messages/length?signed=1", data={"text": "Bonjour"}, headers={"X-CSRFToken": token}
    )
    unsigned = admin.post(
        "/messages/length", data={"text": "Bonjour"}, headers={"X-CSRFToken": token}
    )
    assert (signed.json["characters"], unsigned.json["characters"]) == (12, 7)

    assert send(admin, "0612345678", "Bonjour").status_code == 302
    (message,) = outbound(sessions)
    assert message.body == "Bonjour\nACME"


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        (messages_form(validity_hours="0"), "Number must be between 1 and 10584."),
        (messages_form(signature="x" * 61), "The signature is longer than 60 characters."),
    ],
)
def test_message_settings_that_cannot_be_applied_are_refused(admin, sessions, form, reason):
    response = post_settings(admin, "messages", form)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    with sessions() as session:
        assert message_settings(session) == MessageSettings()


def test_an_admin_adds_own_keywords(admin, sessions):
    typed = keyword_form(custom="PROMO | Promotions | Merci !\nVIP|Clients VIP")
    assert post_settings(admin, "keywords", typed).status_code == 302
    with sessions() as session:
        rules = account_settings.keyword_rules(session)
    assert rules.custom == (("PROMO", "Promotions", "Merci !"), ("VIP", "Clients VIP", ""))
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "PROMO | Promotions | Merci !\nVIP | Clients VIP</textarea>" in page


@pytest.mark.parametrize(
    ("custom", "reason"),
    [
        ("stop | Promotions", "The keyword stop is both opt-out and one of your own keywords."),
        ("PROMO", "PROMO: write the keyword, then | and the group"),
        (" | Promotions", "A keyword list has an empty entry (one of your own keywords)."),
    ],
)
def test_own_keywords_that_cannot_be_applied_are_refused(admin, sessions, custom, reason):
    response = post_settings(admin, "keywords", keyword_form(custom=custom))
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    with sessions() as session:
        assert account_settings.keyword_rules(session) == KeywordRules()


def test_the_dashboard_shows_only_the_caps_that_are_set_with_their_usage(admin, sessions):
    assert "Caps" not in admin.get("/dashboard").get_data(as_text=True)
    with sessions() as session:
        caps = Quotas(account_monthly=1000, user_daily=10)
        account_settings.save(session, account_settings.QUOTAS, caps, COMMAND_LINE)
        session.commit()
    send(admin, "0612345678", "un")
    page = admin.get("/dashboard").get_data(as_text=True)
    block = page.split('id="caps-heading"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<th scope=\"row\">(.*?)</th>.*?</meter>\s*(.*?)\s*</td>", block, re.S)
    assert rows == [("The account, this month", "1 of 1,000"), ("You, today", "1 of 10")]


def test_a_person_changes_their_language_on_their_account_page_and_it_is_logged(client, sessions):
    log_in(client)
    page = client.get("/account").get_data(as_text=True)
    assert '<option value="en" lang="en" selected>English</option>' in page
    token = csrf_token(client, "/account")
    changed = client.post(
        "/language", data={"csrf_token": token, "language": "fr", "next": "/account"}
    )
    assert changed.headers["Location"] == "/account"
    assert "Ma langue" in client.get("/account").get_data(as_text=True)
    with sessions() as session:
        (logged,) = entries(session, action="language_changed")
    assert (logged.actor, logged.details) == ("alice", '{"changed": ["en", "fr"]}')


def test_the_activity_page_filters_settings_changes(admin):
    post_settings(admin, "messages", messages_form(signature="ACME"))
    page = admin.get("/admin/activity?action=settings_changed").get_data(as_text=True)
    assert "settings changed" in page and "messages" in page
    assert "logged in</td>" not in page


def refusal_on(response) -> str:
    found = re.search(r'class="form-error" role="alert">(.*?)</p>', response.get_data(as_text=True))
    assert found, "no refusal on the page"
    return found.group(1)


def test_refusals_name_weekdays_and_keyword_kinds_in_french(client, sessions):
    with sessions() as session:
        create_user(session, "admin", PASSWORD, admin=True, language="fr")
        session.commit()
    log_in(client, "admin")
    hours = {"monday_start": "20:00", "monday_end": "08:00", "hours-holiday_country": "FR"}
    assert refusal_on(post_settings(client, "hours", hours)).startswith("Lundi : ")
    clash = post_settings(client, "keywords", keyword_form(help="AIDE\nstop"))
    assert refusal_on(clash) == "Le mot-clé stop est à la fois désinscription et aide."
