"""The discussions screen through the Flask test client: list, conversation, reply, live."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from test_web import csrf_token, log_in, outbound

from smsbox.models import Direction, Message, Status

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
NUMBER = "+33612345678"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def store(sessions, body: str, number=NUMBER, direction=Direction.INBOUND, minutes=0, **fields):
    with sessions() as session:
        status = Status.RECEIVED if direction == Direction.INBOUND else Status.QUEUED
        message = Message(
            direction=direction,
            number=number,
            raw_number=number,
            body=body,
            created_at=T0 + timedelta(minutes=minutes),
            **{"status": status, **fields},
        )
        session.add(message)
        session.commit()
        return message.id


def unread(sessions) -> list[str]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Message.body).where(
                    Message.direction == Direction.INBOUND, Message.read_at.is_(None)
                )
            )
        )


def test_it_lists_conversations_with_unread_badges_and_links(client, sessions):
    store(sessions, "first", minutes=1)
    store(sessions, "second", minutes=2)
    store(sessions, "other", number="+33698765432", minutes=3, read_at=T0)
    log_in(client)
    html = client.get("/discussions").get_data(as_text=True)
    assert html.index("+33698765432") < html.index(NUMBER)
    assert '<span class="unread">2 unread</span>' in html
    assert html.count('class="unread"') == 1
    assert f'href="/discussions/{NUMBER}"' in html
    assert 'aria-current="page">Discussions</a>' in html


def test_it_escapes_a_hostile_body_in_the_list_and_in_the_bubble(client, sessions):
    store(sessions, HOSTILE)
    log_in(client)
    for path in ("/discussions", f"/discussions/{NUMBER}", "/messages/received"):
        html = client.get(path).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
        assert "<script>alert" not in html and "<img src=x" not in html, path


@pytest.mark.parametrize("search", ["' OR 1=1 --", "<b>bold</b>", "%", "x" * 5000])
def test_it_answers_a_search_with_sql_or_html_with_an_empty_list(client, sessions, search):
    store(sessions, "hello")
    log_in(client)
    response = client.get("/discussions", query_string={"q": search})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No conversation matches" in html
    assert "<b>bold" not in html


def test_it_finds_a_conversation_by_the_number_as_typed(client, sessions):
    store(sessions, "hello")
    store(sessions, "other", number="+33798765432")
    log_in(client)
    html = client.get("/discussions?q=06+12").get_data(as_text=True)
    assert NUMBER in html and "+33798765432" not in html


def test_it_pages_the_list_with_its_cursor(client, sessions):
    for index in range(31):
        store(sessions, f"text {index}", number=f"+336000000{index:02d}", minutes=index)
    log_in(client)
    first = client.get("/discussions").get_data(as_text=True)
    older = re.search(r'href="(/discussions\?after=[^"]+)">Older conversations', first)
    assert older and "+33600000000" not in first
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "+33600000000" in second and "+33600000030" not in second


@pytest.mark.parametrize(
    "cursor", ["garbage", "1:", "99999999999999999999:+33", "\uff11\uff12:+33"]
)
def test_it_refuses_a_cursor_it_did_not_write(client, cursor):
    log_in(client)
    response = client.get("/discussions", query_string={"after": cursor})
    assert response.status_code == 400
    assert "this page position is not valid" in response.get_data(as_text=True)


def test_it_shows_bubbles_with_states_and_reasons_and_marks_them_read(client, sessions):
    store(sessions, "question", minutes=1)
    store(sessions, "answer", direction=Direction.OUTBOUND, minutes=2, status=Status.DELIVERED)
    store(
        sessions,
        "lost",
        direction=Direction.OUTBOUND,
        minutes=3,
        status=Status.FAILED,
        error="the network refused the number",
    )
    log_in(client)
    html = client.get(f"/discussions/{NUMBER}").get_data(as_text=True)
    assert re.search(r'bubble-in".*question', html, re.S)
    assert '<span class="status status-delivered">delivered</span>' in html
    assert '<span class="status status-failed">failed</span>' in html
    assert "the network refused the number" in html
    assert '<script src="/static/discussion.js" defer></script>' in html
    assert unread(sessions) == []


def test_it_pages_a_conversation_backwards_and_marks_nothing_read_there(client, sessions):
    for minute in range(51):
        store(sessions, f"message {minute:02d}", minutes=minute, read_at=T0)
    log_in(client)
    latest = client.get(f"/discussions/{NUMBER}").get_data(as_text=True)
    assert "message 00" not in latest and "message 50" in latest
    older = re.search(r'href="([^"]+before=[^"]+)">Older messages', latest)
    page = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "message 00" in page and "message 01" not in page
    assert "data-updates" not in page  # nothing live on an older page


def test_it_queues_a_reply_to_the_conversations_number(client, sessions):
    store(sessions, "question")
    log_in(client)
    token = csrf_token(client, f"/discussions/{NUMBER}")
    response = client.post(
        f"/discussions/{NUMBER}", data={"body": "la réponse", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/discussions/{NUMBER}#reply"
    [reply] = outbound(sessions)
    assert (reply.number, reply.body, reply.status) == (NUMBER, "la réponse", Status.QUEUED)


@pytest.mark.parametrize(
    ("body", "reason"),
    [("   ", "The message is empty."), ("bell\x07 typed", "control character")],
)
def test_it_shows_a_refused_reply_next_to_the_box_keeping_the_text(client, sessions, body, reason):
    store(sessions, "question")
    log_in(client)
    token = csrf_token(client, f"/discussions/{NUMBER}")
    response = client.post(f"/discussions/{NUMBER}", data={"body": body, "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="body-errors">\s*<li>[^<]*' + reason, html)
    assert body.strip() in html.split('id="body"', 1)[1]
    assert outbound(sessions) == []


def test_it_refuses_a_reply_and_a_mark_read_without_the_csrf_token(client, sessions):
    message_id = store(sessions, "question")
    log_in(client)
    assert client.post(f"/discussions/{NUMBER}", data={"body": "hi"}).status_code == 400
    assert client.post(f"/discussions/{NUMBER}/read", data={"up_to": message_id}).status_code == 400
    assert outbound(sessions) == []
    assert unread(sessions) == ["question"]


def test_it_answers_a_number_without_messages_or_not_a_number_with_a_clear_page(client):
    log_in(client)
    unknown = client.get("/discussions/+33699999999")
    assert unknown.status_code == 404
    assert "There is no message with +33699999999." in unknown.get_data(as_text=True)
    garbage = client.get("/discussions/%3Cb%3Enope")
    assert garbage.status_code == 400
    assert "“&lt;b&gt;nope” is not a phone number" in garbage.get_data(as_text=True)
    assert client.get("/discussions/+33699999999/updates?after=0&from=0").status_code == 404


def test_it_gives_new_messages_and_new_states_to_the_open_page(client, sessions):
    question = store(sessions, "question", minutes=1)
    reply = store(sessions, "reply", direction=Direction.OUTBOUND, minutes=2)
    log_in(client)
    client.get(f"/discussions/{NUMBER}")
    with sessions() as session:
        session.get(Message, reply).status = Status.DELIVERED
        session.commit()
    newer = store(sessions, HOSTILE, minutes=3)

    response = client.get(f"/discussions/{NUMBER}/updates?after={reply}&from={question}")
    assert response.status_code == 200
    update = response.get_json()
    assert [(m["id"], m["body"], m["direction"]) for m in update["messages"]] == [
        (newer, HOSTILE, "in")
    ]
    assert [(s["id"], s["status"], s["status_name"]) for s in update["states"]] == [
        (reply, "delivered", "delivered")
    ]
    assert unread(sessions) == [HOSTILE]  # reading the news changes nothing

    token = csrf_token(client, f"/discussions/{NUMBER}?before=9999999999999999:1")
    marked = client.post(
        f"/discussions/{NUMBER}/read", data={"up_to": newer}, headers={"X-CSRFToken": token}
    )
    assert marked.get_json() == {"marked": 1}
    assert unread(sessions) == []


@pytest.mark.parametrize("query", ["", "after=abc&from=1", "after=1&from=-1", "after=1&from=²"])
def test_it_refuses_updates_asked_without_clear_positions(client, sessions, query):
    store(sessions, "question")
    log_in(client)
    assert client.get(f"/discussions/{NUMBER}/updates?{query}").status_code == 400


def test_it_refuses_to_change_state_through_a_get(client, sessions):
    message_id = store(sessions, "question")
    log_in(client)
    assert client.get(f"/discussions/{NUMBER}/read?up_to={message_id}").status_code == 405


def test_the_message_lists_link_each_row_to_its_discussion(client, sessions):
    store(sessions, "question")
    store(sessions, "reply", direction=Direction.OUTBOUND)
    log_in(client)
    for path in ("/messages/received", "/messages/sent"):
        assert f'<a class="discussion" href="/discussions/{NUMBER}">{NUMBER}</a>' in client.get(
            path
        ).get_data(as_text=True)
