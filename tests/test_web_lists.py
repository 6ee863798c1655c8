"""The sent, received and unread pages through the Flask test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from message_rows import message
from sqlalchemy import select
from test_web import csrf_token, log_in

from smsbox.models import Direction, Message, Status

NOON = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
ROW = re.compile(r'<input type="checkbox" name="id" value="(\d+)"')
OLDER = re.compile(r'href="([^"]*older=[^"]*)"')


def store(sessions, *messages: Message) -> list[int]:
    with sessions() as session:
        session.add_all(messages)
        session.commit()
        return [m.id for m in messages]


def received(count: int, **fields) -> list[Message]:
    return [
        message("+33611111111", f"text {i}", NOON + timedelta(minutes=i), **fields)
        for i in range(count)
    ]


def shown_ids(html: str) -> list[int]:
    return [int(found) for found in ROW.findall(html)]


@pytest.mark.parametrize("size", [10, 25, 50, 100])
def test_it_shows_the_rows_per_page_asked_and_pages_on(client, sessions, size):
    ids = store(sessions, *received(120))
    log_in(client)
    html = client.get(f"/messages/received?size={size}").get_data(as_text=True)
    assert shown_ids(html) == ids[::-1][:size]
    (older,) = OLDER.findall(html)
    assert f"size={size}" in older
    second = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert shown_ids(second) == ids[::-1][size : 2 * size]


@pytest.mark.parametrize("size", ["0", "7", "1000", "-25", "abc", "25.0"])
def test_it_refuses_a_page_size_no_list_offers(client, size):
    log_in(client)
    response = client.get(f"/messages/sent?size={size}")
    assert response.status_code == 400
    assert "rows per page is not offered: choose 10, 25, 50 or 100" in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "cursor", ["", "abc", "99999999999999999999-1", str(2**63), "-3", "1e3", "1-2-3", "'; --"]
)
@pytest.mark.parametrize("direction", ["older", "newer"])
@pytest.mark.parametrize("path", ["/messages/sent", "/messages/received", "/messages/unread"])
def test_it_refuses_a_damaged_page_link(client, path, direction, cursor):
    log_in(client)
    response = client.get(path, query_string={direction: cursor})
    assert response.status_code == 400
    assert "this page link is damaged" in response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["2024-02-30", "31/01/2024", "<b>x</b>"])
def test_it_refuses_a_bad_date_saying_so(client, day):
    log_in(client)
    response = client.get("/messages/received", query_string={"from": day})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "is not a date: write it as YYYY-MM-DD" in html
    assert "<b>x</b>" not in html


def test_it_refuses_a_state_received_messages_do_not_have(client):
    log_in(client)
    assert client.get("/messages/received?status=failed").status_code == 400
    assert client.get("/messages/sent?status=nonsense").status_code == 400
    assert client.get("/messages/sent?status=failed").status_code == 200


def test_it_filters_searches_and_links_each_row_to_its_discussion(client, sessions):
    store(
        sessions,
        message("+33612345678", "budget 100% voted", NOON),
        message("+33699999999", "budget 1000 voted", NOON),
        message(
            "+33699999999", "failed one", NOON, direction=Direction.OUTBOUND, status=Status.FAILED
        ),
        message("+33699999999", "sent one", NOON, direction=Direction.OUTBOUND),
    )
    log_in(client)
    html = client.get("/messages/received", query_string={"q": "100%"}).get_data(as_text=True)
    assert "budget 100% voted" in html and "budget 1000" not in html
    assert 'href="/discussions/+33612345678"' in html
    assert 'value="100%"' in html  # the search stays in its box
    html = client.get("/messages/sent?status=failed").get_data(as_text=True)
    assert "failed one" in html and "sent one" not in html
    html = client.get("/messages/received?q=nothing+like+it").get_data(as_text=True)
    assert "No message matches." in html


def test_it_shortens_long_texts_with_the_whole_one_click_away(client, sessions):
    long_text = "word " * 60
    store(sessions, message("+33612345678", long_text, NOON))
    log_in(client)
    html = client.get("/messages/received").get_data(as_text=True)
    assert f"<summary>{long_text[:80]}…</summary>" in html
    assert f'<div class="whole">{long_text}</div>' in html


@pytest.mark.parametrize("path", ["/messages/received", "/messages/unread"])
def test_it_shows_hostile_bodies_and_searches_as_text(client, sessions, path):
    store(
        sessions, message("+33612345678", HOSTILE, NOON), message("+33612345678", HOSTILE * 3, NOON)
    )
    log_in(client)
    for query in ({}, {"q": HOSTILE}):
        html = client.get(path, query_string=query).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
        assert "<script" not in html and "<img" not in html
        assert len(shown_ids(html)) == 2


def test_it_marks_ticked_messages_read_then_unread(client, sessions):
    ids = store(sessions, *received(3))
    log_in(client)
    token = csrf_token(client, "/messages/unread")
    back = "/messages/unread?size=10"
    response = client.post(
        "/messages/selection",
        data={"csrf_token": token, "id": ids[:2], "action": "read", "back": back},
    )
    assert response.status_code == 302 and response.headers["Location"] == back
    html = client.get(back).get_data(as_text=True)
    assert "2 messages marked read." in html
    assert shown_ids(html) == [ids[2]]
    client.post(
        "/messages/selection",
        data={"csrf_token": token, "id": ids[:1], "action": "unread", "back": back},
    )
    assert shown_ids(client.get(back).get_data(as_text=True)) == [ids[2], ids[0]]


def test_it_asks_before_deleting_and_deletes_on_confirmation(client, sessions):
    ids = store(
        sessions,
        message("+33612345678", HOSTILE, NOON),
        message("+33612345678", "keep me", NOON),
        message(
            "+33612345678", "on its way", NOON, direction=Direction.OUTBOUND, status=Status.SENDING
        ),
    )
    log_in(client)
    token = csrf_token(client, "/messages/received")
    chosen = {"csrf_token": token, "id": [ids[0], ids[2]], "back": "/messages/received"}
    confirmation = client.post("/messages/selection", data={**chosen, "action": "delete"})
    html = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200
    assert "These 2 messages will be deleted for good:" in html
    assert "&lt;script&gt;" in html and "<script" not in html and "keep me" not in html
    assert sorted(map(int, re.findall(r'name="id" value="(\d+)"', html))) == [ids[0], ids[2]]
    with sessions() as session:
        assert len(session.scalars(select(Message)).all()) == 3  # nothing deleted yet

    response = client.post("/messages/delete", data=chosen)
    assert response.status_code == 302
    html = client.get("/messages/received").get_data(as_text=True)
    assert "1 message deleted." in html
    assert "1 message kept: it is being sent" in html
    with sessions() as session:
        assert sorted(session.scalars(select(Message.body))) == ["keep me", "on its way"]


def test_it_refuses_the_actions_without_csrf_token(client, sessions):
    ids = store(sessions, *received(1))
    log_in(client)
    for path, action in [("/messages/selection", "read"), ("/messages/delete", None)]:
        data = {"id": ids, "back": "/messages/received", "action": action or ""}
        assert client.post(path, data=data).status_code == 400
    with sessions() as session:
        (kept,) = session.scalars(select(Message))
        assert kept.read_at is None


def test_it_refuses_choices_that_name_no_message(client, sessions):
    store(sessions, *received(1))
    log_in(client)
    token = csrf_token(client, "/messages/received")
    post = lambda path, **data: client.post(path, data={"csrf_token": token, **data})  # noqa: E731
    assert post("/messages/selection", id=["abc"], action="read").status_code == 400
    assert post("/messages/selection", id=["12345"], action="delete").status_code == 404
    assert post("/messages/delete", id=["12345"]).status_code == 404
    assert post("/messages/delete").status_code == 400
    assert post("/messages/selection", id=["1"], action="explode").status_code == 400
    too_many = post("/messages/selection", id=[str(i) for i in range(101)], action="read")
    assert too_many.status_code == 400
    assert "at most 100 messages can be chosen at once" in too_many.get_data(as_text=True)
    nothing = post("/messages/selection", action="read", back="https://evil.example/")
    assert nothing.headers["Location"] == "/messages/received"
