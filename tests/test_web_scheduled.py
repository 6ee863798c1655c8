"""The Scheduled page through the Flask test client: the list, changing a message,
cancelling one, and the messages that are no longer there to change."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from outbox_rows import queue
from sqlalchemy import select
from test_web import csrf_token, log_in, outbound
from test_web_send import HOSTILE, errors_of, local

from smsbox import account_settings
from smsbox.account_details import AccountDetails
from smsbox.activity import COMMAND_LINE
from smsbox.models import ActivityEntry, Message, Status, utcnow
from smsbox.outbox import release_due_scheduled

PARIS = ZoneInfo("Europe/Paris")
ROW = re.compile(r'<tr id="scheduled-(\d+)">')


def scheduled(sessions, *numbers: str, delay=timedelta(hours=1), text="hello") -> list[int]:
    return queue(sessions, *numbers, scheduled_at=utcnow() + delay, text=text)


def edit(client, message_id: int, **fields):
    path = f"/messages/scheduled/{message_id}"
    token = csrf_token(client, "/messages/send")
    return client.post(path, data={"csrf_token": token, **fields})


def cancel(client, message_id: int, token: str | None = None):
    token = token or csrf_token(client, "/messages/send")
    return client.post(f"/messages/scheduled/{message_id}/cancel", data={"csrf_token": token})


def test_it_asks_visitors_to_log_in(client, sessions):
    (message_id,) = scheduled(sessions, "0612345678")
    for path in (
        "/messages/scheduled",
        f"/messages/scheduled/{message_id}",
        f"/messages/scheduled/{message_id}/cancel",
    ):
        assert client.get(path).status_code == 302


def test_it_lists_the_waiting_messages_soonest_first_in_local_time(client, sessions):
    later = scheduled(sessions, "0611111111", delay=timedelta(days=2))
    soon = scheduled(sessions, "0622222222", delay=timedelta(hours=2), text=HOSTILE)
    queue(sessions, "0633333333", text="queued now")
    log_in(client)
    html = client.get("/messages/scheduled").get_data(as_text=True)
    assert [int(found) for found in ROW.findall(html)] == [*soon, *later]
    assert "queued now" not in html
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    (message,) = [m for m in outbound(sessions) if m.id == soon[0]]
    # In Paris time, the British way (the client is English).
    assert message.scheduled_at.astimezone(PARIS).strftime("%d/%m/%Y, %H:%M") in html
    assert 'href="/messages/scheduled" aria-current="page"' in html


def test_it_names_the_modem_a_message_asked_for(client, sessions, modem_id):
    by_modem, anyone = scheduled(sessions, "0611111111", "0622222222")
    with sessions() as session:
        session.get_one(Message, by_modem).requested_modem_id = modem_id
        session.commit()
    log_in(client)
    html = client.get("/messages/scheduled").get_data(as_text=True)
    rows = dict(re.findall(r'<tr id="scheduled-(\d+)">(.*?)</tr>', html, re.S))
    assert '<div class="contact">by sim1</div>' in rows[str(by_modem)]
    assert "by sim1" not in rows[str(anyone)]


def test_it_shows_the_times_in_the_accounts_zone(client, sessions):
    with sessions() as session:
        account_settings.save(
            session,
            account_settings.ACCOUNT,
            AccountDetails(timezone="America/New_York"),
            COMMAND_LINE,
        )
        session.commit()
    (message_id,) = scheduled(sessions, "0611111111", delay=timedelta(days=3))
    log_in(client)
    html = client.get("/messages/scheduled").get_data(as_text=True)
    (message,) = [m for m in outbound(sessions) if m.id == message_id]
    new_york = message.scheduled_at.astimezone(ZoneInfo("America/New_York"))
    assert f">{new_york:%d/%m/%Y, %H:%M}</time>" in html
    assert f"{message.scheduled_at.astimezone(PARIS):%H:%M}</time>" not in html


def test_it_says_when_nothing_waits(client):
    log_in(client)
    html = client.get("/messages/scheduled").get_data(as_text=True)
    assert "No message is waiting for its time." in html


def test_it_pages_through_the_waiting_messages(client, sessions):
    ids = [
        scheduled(sessions, f"06000000{n:02d}", delay=timedelta(minutes=10 + n))[0]
        for n in range(12)
    ]
    log_in(client)
    first = client.get("/messages/scheduled?size=10").get_data(as_text=True)
    assert [int(found) for found in ROW.findall(first)] == ids[:10]
    later = re.search(r'href="([^"]*after=[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get(later).get_data(as_text=True)
    assert [int(found) for found in ROW.findall(second)] == ids[10:]
    assert ">Later<" not in second
    assert ">Soonest<" in second


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("size=1000", "1000 rows per page is not offered"),
        ("size=<script>", "&lt;script&gt; rows per page is not offered"),
        ("after=12-x", "this page link is damaged"),
        ("after=' OR 1=1 --", "this page link is damaged"),
        ("after=99999999999999999999-1", "this page link is damaged"),
    ],
)
def test_it_refuses_a_page_address_that_names_no_page(client, query, reason):
    log_in(client)
    response = client.get(f"/messages/scheduled?{query}")
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)


def test_it_changes_the_text_and_time_of_a_waiting_message(client, sessions):
    (message_id,) = scheduled(sessions, "0612345678", text="first")
    log_in(client)
    form = client.get(f"/messages/scheduled/{message_id}").get_data(as_text=True)
    assert "first</textarea>" in form
    (message,) = outbound(sessions)
    shown = message.scheduled_at.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{shown}"' in form
    assert "5 characters · GSM 7-bit · 1 SMS" in form

    typed = local(timedelta(days=3))
    response = edit(client, message_id, body="second 😀", send_at=typed)
    assert response.status_code == 302
    assert response.headers["Location"] == "/messages/scheduled"
    (message,) = outbound(sessions)
    assert message.body == "second 😀"
    assert message.status == Status.SCHEDULED
    assert message.scheduled_at.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") == typed
    assert "Message to +33612345678 changed" in client.get("/messages/scheduled").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"body": "", "send_at": "2030-01-01T10:00"}, "body", "The message is empty."),
        ({"body": "hi", "send_at": ""}, "send_at", "Enter the date and time to send it."),
        ({"body": "hi", "send_at": "2020-01-01T10:00"}, "send_at", "is in the past"),
        ({"body": "hi", "send_at": "2027-03-28T02:30"}, "send_at", "does not exist"),
        ({"body": "hi\x00", "send_at": "2026-12-24T10:00"}, "body", "control character"),
        ({"body": "a" * 1601, "send_at": "2026-12-24T10:00"}, "body", "longer than 1600"),
    ],
)
def test_it_refuses_a_change_the_send_form_would_refuse(client, sessions, fields, field, reason):
    (message_id,) = scheduled(sessions, "0612345678", text="first")
    log_in(client)
    response = edit(client, message_id, **fields)
    assert response.status_code == 400
    [error] = errors_of(response.get_data(as_text=True), field)
    assert reason in error
    (message,) = outbound(sessions)
    assert message.body == "first"


def released(sessions) -> None:
    """The daemon's release, as if the message's time had come before the person's click."""
    with sessions() as session:
        release_due_scheduled(session, now=utcnow() + timedelta(days=400))
        session.commit()


def test_a_message_that_left_meanwhile_is_not_changed_and_the_page_says_so(client, sessions):
    (message_id,) = scheduled(sessions, "0612345678", text="first")
    log_in(client)
    client.get(f"/messages/scheduled/{message_id}")
    released(sessions)
    response = edit(client, message_id, body="second", send_at=local(timedelta(days=1)))
    assert response.status_code == 409
    assert "already left the schedule" in response.get_data(as_text=True)
    (message,) = outbound(sessions)
    assert (message.body, message.status) == ("first", Status.QUEUED)
    assert client.get(f"/messages/scheduled/{message_id}").status_code == 409
    # No modem took it yet: calling it off still keeps it from leaving.
    assert cancel(client, message_id).status_code == 302
    assert outbound(sessions)[0].status == Status.CANCELLED


@pytest.mark.parametrize(
    "path",
    [
        "/messages/scheduled/999999",
        "/messages/scheduled/999999/cancel",
        "/messages/scheduled/99999999999999999999999",
        "/messages/scheduled/-1",
        "/messages/scheduled/abc",
        "/messages/scheduled/1%27%20OR%201=1",
    ],
)
def test_an_id_that_names_no_scheduled_message_is_not_found(client, path):
    log_in(client)
    for response in (client.get(path), client.post(path, data={"csrf_token": "x"})):
        assert response.status_code in (404, 400), path
    assert client.get(path).status_code == 404


def test_a_received_messages_id_names_no_scheduled_message(client, sessions):
    with sessions() as session:
        message = Message(
            direction="in",
            number="+33612345678",
            raw_number="0612345678",
            body="hi",
            status=Status.RECEIVED,
        )
        session.add(message)
        session.commit()
        message_id = message.id
    log_in(client)
    response = client.get(f"/messages/scheduled/{message_id}")
    assert response.status_code == 404
    assert "there is no such scheduled message" in response.get_data(as_text=True)


def test_it_cancels_after_asking_and_keeps_the_message_as_cancelled(client, sessions):
    (message_id,) = scheduled(sessions, "0612345678", text=HOSTILE)
    log_in(client)
    confirm = client.get(f"/messages/scheduled/{message_id}/cancel").get_data(as_text=True)
    assert "will not be sent" in confirm
    assert HOSTILE not in confirm
    assert outbound(sessions)[0].status == Status.SCHEDULED  # asking changes nothing

    assert client.post(f"/messages/scheduled/{message_id}/cancel").status_code == 400
    assert outbound(sessions)[0].status == Status.SCHEDULED

    response = cancel(client, message_id)
    assert response.status_code == 302
    assert outbound(sessions)[0].status == Status.CANCELLED
    listing = client.get("/messages/scheduled").get_data(as_text=True)
    assert "Message to +33612345678 cancelled." in listing
    assert ROW.findall(listing) == []
    sent = client.get("/messages/sent?status=cancelled").get_data(as_text=True)
    assert '<span class="status status-cancelled">cancelled</span>' in sent

    again = cancel(client, message_id)
    assert again.status_code == 409
    assert "this message was cancelled" in again.get_data(as_text=True)
    with sessions() as session:
        logged = session.execute(select(ActivityEntry.action, ActivityEntry.subject)).all()
    assert ("message_cancelled", "+33612345678") in logged
