"""The New SMS page through the Flask test client: several numbers, a time to send, the
sending modem, the counter, and every bad input refused with its reason."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from test_quotas import save
from test_web import csrf_token, log_in, outbound
from web_fixtures import PASSWORD

from smsbox.activity import Action, entries
from smsbox.config import ModemConfig
from smsbox.models import Modem, Status, utcnow
from smsbox.optouts import opt_out
from smsbox.outbox import MAX_BODY_LENGTH
from smsbox.quotas import Quotas
from smsbox.users import create_user
from web import create_app

PARIS = ZoneInfo("Europe/Paris")
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def post_send(client, **fields):
    data = {"body": "Bonjour", "csrf_token": csrf_token(client, "/messages/send"), **fields}
    return client.post("/messages/send", data=data)


def local(delay: timedelta) -> str:
    """A time `delay` from now as a datetime-local field in Paris sends it."""
    return (utcnow() + delay).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def errors_of(html: str, field: str) -> list[str]:
    found = re.search(rf'<ul class="field-errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_it_queues_one_message_per_number_each_once_in_one_go(client, sessions):
    log_in(client)
    response = post_send(
        client, number=["06 12 34 56 78; 0698765432", "+33612345678", "07 11 22 33 44"]
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/messages/sent"
    sent = outbound(sessions)
    assert [(m.number, m.raw_number, m.status) for m in sent] == [
        ("+33612345678", "06 12 34 56 78", Status.QUEUED),
        ("+33698765432", "0698765432", Status.QUEUED),
        ("+33711223344", "07 11 22 33 44", Status.QUEUED),
    ]
    assert {m.body for m in sent} == {"Bonjour"}
    flash = client.get("/messages/sent").get_data(as_text=True)
    assert "Message queued for +33612345678, +33698765432, +33711223344." in flash


def test_a_bad_number_among_good_ones_refuses_the_form_naming_it_and_keeping_all(client, sessions):
    log_in(client)
    response = post_send(
        client, number=["0612345678, 12", "<b>abc</b>", "0698765432"], body="Réunion à 14 h"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert errors_of(html, "number") == [
        "“12” has the wrong number of digits for its country",
        "“&lt;b&gt;abc&lt;/b&gt;” is not a phone number",
    ]
    assert 'value="0612345678, 12"' in html
    assert 'value="&lt;b&gt;abc&lt;/b&gt;"' in html
    assert 'value="0698765432"' in html
    assert "Réunion à 14 h</textarea>" in html
    assert outbound(sessions) == []


TOO_MANY = ",".join(f"06123456{n:02d}" for n in range(100)) + ",0712345678"


@pytest.mark.parametrize(
    ("numbers", "reason"),
    [
        ([], "the number is empty"),
        ([""], "the number is empty"),
        ([" ,; "], "the number is empty"),
        ([TOO_MANY], "at most 100 numbers at once"),
    ],
)
def test_it_refuses_no_number_or_too_many(client, sessions, numbers, reason):
    log_in(client)
    response = post_send(client, number=numbers)
    assert response.status_code == 400
    assert errors_of(response.get_data(as_text=True), "number") == [reason]
    assert outbound(sessions) == []


def test_it_shows_every_error_of_the_form_at_once(client, sessions):
    log_in(client)
    response = post_send(client, number="12", body="", send_at="yesterday")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert errors_of(html, "number") == ["“12” has the wrong number of digits for its country"]
    assert errors_of(html, "body") == ["The message is empty."]
    assert errors_of(html, "send_at") == [
        "“yesterday” is not a date and time: write it as 2024-01-31T14:30"
    ]


def test_it_refuses_a_text_over_the_limit_and_counts_it(client, sessions):
    log_in(client)
    response = post_send(client, number="0612345678", body="a" * (MAX_BODY_LENGTH + 1))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert errors_of(html, "body") == ["the message is longer than 1600 characters"]
    assert "1,601 characters: more than the 1,600 a message may have." in html
    assert outbound(sessions) == []


def test_the_counter_shows_the_servers_figures_after_a_refused_submit(client):
    log_in(client)
    page = client.get("/messages/send").get_data(as_text=True)
    assert '<p class="counter" id="body-counter" aria-live="polite">0 characters' in page
    html = post_send(client, number="12", body="Prix : 5 €").get_data(as_text=True)
    assert "11 characters · GSM 7-bit · 1 SMS" in html
    html = post_send(client, number="12", body="Bravo 😀").get_data(as_text=True)
    assert "8 characters · Unicode (UCS-2) · 1 SMS" in html


def test_it_schedules_the_message_for_the_local_time_typed(client, sessions):
    log_in(client)
    typed = local(timedelta(days=1))
    response = post_send(client, number="0612345678, 0698765432", send_at=typed)
    assert response.status_code == 302
    assert response.headers["Location"] == "/messages/scheduled"
    sent = outbound(sessions)
    assert [m.status for m in sent] == [Status.SCHEDULED, Status.SCHEDULED]
    for message in sent:
        assert message.scheduled_at.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") == typed
    page = client.get("/messages/scheduled").get_data(as_text=True)
    assert "Message scheduled for +33612345678, +33698765432 on" in page


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2020-01-01T10:00", "2020-01-01 10:00 is in the past"),
        (
            "2027-03-28T02:30",
            "2027-03-28 02:30 does not exist in Europe/Paris: the clocks go forward at "
            "that hour; choose another time",
        ),
        ("2026-02-30T10:00", "“2026-02-30T10:00” is not a date and time"),
        ("'; DROP TABLE messages; --", "is not a date and time"),
    ],
)
def test_it_refuses_a_time_that_cannot_be_sent_at(client, sessions, typed, reason):
    log_in(client)
    response = post_send(client, number="0612345678", send_at=typed)
    assert response.status_code == 400
    [error] = errors_of(response.get_data(as_text=True), "send_at")
    assert reason.replace("'", "&#39;") in error
    assert outbound(sessions) == []


def test_it_hides_the_modem_choice_when_one_modem_or_none_sends(client):
    log_in(client)
    assert 'id="modem"' not in client.get("/messages/send").get_data(as_text=True)


@pytest.fixture
def two_modems(config, sessions):
    """The app of a box with two sending modems and one that only receives."""
    with sessions() as session:
        create_user(session, "alice", PASSWORD, language="en")
        session.commit()
    modems = (
        ModemConfig(name="bureau", device="/dev/ttyUSB0"),
        ModemConfig(name="<atelier>", device="/dev/ttyUSB1", role="send"),
        ModemConfig(name="accueil", device="/dev/ttyUSB2", role="receive"),
    )
    client = create_app(dataclasses.replace(config, modems=modems), sessions).test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_it_sends_through_the_modem_chosen_among_those_that_send(two_modems, sessions):
    log_in(two_modems)
    page = two_modems.get("/messages/send").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="([^"]*)"', page)
    assert options == ["", "bureau", "&lt;atelier&gt;"]
    response = post_send(two_modems, number="0612345678", modem="<atelier>")
    assert response.status_code == 302
    (message,) = outbound(sessions)
    with sessions() as session:
        modem = session.scalar(select(Modem).where(Modem.name == "<atelier>"))
    assert message.requested_modem_id == modem.id

    post_send(two_modems, number="0698765432", modem="")
    assert outbound(sessions)[1].requested_modem_id is None


@pytest.mark.parametrize("modem", ["accueil", "nowhere", "x" * 500])
def test_it_refuses_a_modem_that_does_not_send(two_modems, sessions, modem):
    log_in(two_modems)
    response = post_send(two_modems, number="0612345678", modem=modem)
    assert response.status_code == 400
    [error] = errors_of(response.get_data(as_text=True), "modem")
    assert error == f"“{modem[:40]}” is no modem that sends."
    assert outbound(sessions) == []


def test_it_escapes_a_hostile_text_kept_after_an_error(client):
    log_in(client)
    html = post_send(client, number="12", body=HOSTILE).get_data(as_text=True)
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- the counter's JSON -------------------------------------------------------------------


def length_of(client, text: str, token: str | None = None):
    token = token or csrf_token(client, "/messages/send")
    return client.post("/messages/length", data={"text": text}, headers={"X-CSRFToken": token})


@pytest.mark.parametrize(
    ("text", "alphabet", "units", "parts", "shown"),
    [
        ("Bonjour", "gsm7", 7, 1, "7 characters · GSM 7-bit · 1 SMS"),
        ("Bonjour €", "gsm7", 10, 1, "10 characters · GSM 7-bit · 1 SMS"),
        ("Bonjour € 😀", "ucs2", 12, 1, "12 characters · Unicode (UCS-2) · 1 SMS"),
        ("a" * 161, "gsm7", 161, 2, "161 characters · GSM 7-bit · 2 SMS"),
        ("line\r\nbreak", "gsm7", 10, 1, "10 characters · GSM 7-bit · 1 SMS"),
        ("", "gsm7", 0, 0, "0 characters · GSM 7-bit · 0 SMS"),
    ],
)
def test_it_measures_the_text_as_the_modem_will_send_it(
    client, text, alphabet, units, parts, shown
):
    log_in(client)
    response = length_of(client, text)
    assert response.status_code == 200
    assert response.json == {
        "alphabet": alphabet,
        "units": units,
        "parts": parts,
        "characters": len(text.replace("\r\n", "\n")),
        "too_long": False,
        "text": shown,
    }


def test_it_says_when_the_text_is_over_the_limit(client):
    log_in(client)
    response = length_of(client, "é" * 5000)
    assert response.json["too_long"] is True
    assert response.json["text"] == "5,000 characters: more than the 1,600 a message may have."


def test_the_counter_refuses_a_request_without_its_csrf_token_or_login(client):
    assert length_of(client, "hi", token=csrf_token(client, "/login")).status_code == 302
    log_in(client)
    assert client.post("/messages/length", data={"text": "hi"}).status_code == 400
    assert length_of(client, "hi", token="forged").status_code == 400
    assert client.get("/messages/length").status_code == 405


def test_it_warns_of_numbers_on_the_stop_list_which_the_daemon_will_block(client, sessions):
    with sessions() as session:
        opt_out(session, "+33698765432")
        session.commit()
    log_in(client)
    response = post_send(client, number="0612345678, 06 98 76 54 32")
    assert response.status_code == 302
    page = client.get("/messages/sent").get_data(as_text=True)
    assert "On the STOP list, so not sent unless they leave it first: +33698765432." in page
    assert [m.status for m in outbound(sessions)] == [Status.QUEUED, Status.QUEUED]


def test_a_send_to_several_numbers_counts_each_against_the_caps_all_or_nothing(client, sessions):
    save(sessions, Quotas(user_daily=2))
    log_in(client)
    response = post_send(client, number="0611111111, 0622222222, 0633333333", body="trois")
    assert response.status_code == 400
    assert "would pass your daily cap of 2" in response.get_data(as_text=True)
    assert outbound(sessions) == []
    assert post_send(client, number="0611111111, 0622222222").status_code == 302
    assert len(outbound(sessions)) == 2
    with sessions() as session:
        (entry,) = entries(session, action=Action.MESSAGES_QUEUED)
    assert (entry.subject, entry.user_id) == ("+33611111111, +33622222222", 1)
