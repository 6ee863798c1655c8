"""The dashboard, the calls and the modems pages through the Flask test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from message_rows import message
from modem_rows import reported_modem
from test_web import log_in

from smsbox.models import Direction, IncomingCall, Status
from smsbox.modems import record_state
from smsbox.outbox import queue_message

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def figure(page: str, row: str) -> list[str]:
    """The today and week cells of a row of the dashboard's figures."""
    match = re.search(rf'<tr class="figure-{row}">.*?</tr>', page, re.S)
    assert match, row
    return re.findall(r"<td>([^<]*)</td>", match.group(0))


def add_modem(sessions, name: str, *, errors: tuple[str, ...] = (), **status: object) -> int:
    with sessions() as session:
        modem_id = reported_modem(
            session, name, errors=errors, rate_limit=20, registration="roaming", **status
        )
        session.commit()
        return modem_id


def test_the_dashboard_shows_the_days_figures_the_unread_and_the_modems(client, sessions):
    now = datetime.now(UTC)
    with sessions() as session:
        session.add_all(
            [
                message("+33611111111", "a", now, direction=Direction.OUTBOUND),
                message(
                    "+33611111111", "b", now, direction=Direction.OUTBOUND, status=Status.DELIVERED
                ),
                message(
                    "+33611111111", "c", now, direction=Direction.OUTBOUND, status=Status.FAILED
                ),
                message("+33622222222", "d", now),
                message("+33622222222", "e", now - timedelta(days=3), read_at=now),
            ]
        )
        session.commit()
    add_modem(sessions, "bureau", errors=(HOSTILE,), operator=HOSTILE)
    log_in(client)

    page = text_of(client.get("/dashboard"))
    assert figure(page, "sent") == ["2", "2"]
    assert figure(page, "received") == ["1", "2"]
    assert figure(page, "failed") == ["1", "1"]
    assert figure(page, "rate") == ["50%", "50%"]
    assert "1 unread message" in page
    assert "2 sent and 2 received in all" in page  # the chart's text alternative
    assert page.count('class="bar bar-sent"') == 1
    assert page.count('class="bar bar-received"') == 2
    assert 'class="badge badge-online">online' in page
    assert "signal 4/4 (21/31)" in page
    assert "4 of 30" in page
    assert HOSTILE not in page
    assert page.count(ESCAPED) == 2  # operator and last error, as text


def test_the_dashboard_says_when_there_is_no_delivery_rate_yet(client):
    log_in(client)
    page = text_of(client.get("/dashboard"))
    assert figure(page, "rate") == ["—", "—"]
    assert "No modem has reported yet" in page


@pytest.mark.parametrize("path", ["/dashboard", "/calls", "/modems", "/modems/1"])
def test_the_new_pages_ask_visitors_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def add_calls(sessions, modem_id: int, count: int) -> datetime:
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    with sessions() as session:
        for number in range(count):
            caller = None if number == 0 else f"+336{number:08d}"
            session.add(
                IncomingCall(
                    number=caller,
                    raw_number=caller,
                    received_at=start + timedelta(minutes=number),
                    modem_id=modem_id,
                    rings=number % 5 + 1,
                    hung_up=number % 2 == 1,
                )
            )
        session.commit()
    return start


def test_the_calls_page_lists_calls_newest_first_page_by_page(client, sessions, modem_id):
    add_calls(sessions, modem_id, 12)
    log_in(client)

    first = text_of(client.get("/calls?size=10"))
    assert first.index("+33600000011") < first.index("+33600000002")
    assert "+33600000001" not in first
    older = re.search(r'href="(/calls\?older=[^"]+)"', first)
    assert older, "no link to the older calls"
    second = text_of(client.get(older.group(1).replace("&amp;", "&")))
    assert "+33600000001" in second and "withheld" in second
    assert "+33600000002" not in second
    assert 'href="/calls?older' not in second  # the last page
    assert ">sim1<" in second


def test_the_calls_page_links_a_caller_to_the_discussion_and_shows_the_auto_reply(
    client, sessions, modem_id
):
    add_calls(sessions, modem_id, 3)
    with sessions() as session:
        call = session.query(IncomingCall).filter_by(number="+33600000002").one()
        reply = queue_message(session, "+33600000002", "Rappel : " + HOSTILE, default_region="FR")
        call.reply_message_id = reply.id
        session.commit()
    log_in(client)

    page = text_of(client.get("/calls"))
    assert 'href="/discussions/+33600000002">+33600000002</a>' in page
    assert "/discussions/+33600000001" not in page  # no message with this caller
    assert "Rappel : " + ESCAPED in page
    assert HOSTILE not in page
    assert "hung up" in page


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("size=7", "7 rows per page is not offered"),
        ("size=%3Cb%3E", "&lt;b&gt; rows per page is not offered"),
        ("older=1'%20OR%201=1", "this page link is damaged"),
        ("older=99999999999999999999-1", "this page link is damaged"),
    ],
)
def test_the_calls_page_refuses_a_bad_size_or_position_clearly(client, query, reason):
    log_in(client)
    response = client.get(f"/calls?{query}")
    assert response.status_code == 400
    assert reason in text_of(response)


def test_the_calls_page_says_when_there_is_no_call(client):
    log_in(client)
    assert "No call received." in text_of(client.get("/calls"))


def test_the_modem_page_shows_everything_recorded_and_the_recent_errors(client, sessions):
    modem_id = add_modem(sessions, HOSTILE, errors=("the SIM asks for a PIN",))
    with sessions() as session:
        record_state(session, modem_id, "error", HOSTILE)
        record_state(session, modem_id, "error", HOSTILE)
        session.commit()
    log_in(client)

    listing = text_of(client.get("/modems"))
    assert f'href="/modems/{modem_id}">{ESCAPED}</a>' in listing
    assert "offline" in listing

    page = text_of(client.get(f"/modems/{modem_id}"))
    for shown in [
        "roaming",
        "Orange F",
        "356938035643809",
        "208150123456789",
        "8933150123456789012",
        "+33600000001",
        "/dev/ttyUSB0",
        "sends and receives",
        "20 messages a minute",
        "4 of 30",
    ]:
        assert shown in page, shown
    assert HOSTILE not in page
    errors = re.search(r'<ol class="errors">(.*?)</ol>', page, re.S)
    assert errors
    assert errors.group(1).index(ESCAPED) < errors.group(1).index("the SIM asks for a PIN")
    assert "2 times since" in errors.group(1)


@pytest.mark.parametrize("path", ["/modems/999", "/modems/99999999999999999999999", "/modems/x"])
def test_a_modem_that_does_not_exist_is_a_clear_404(client, path):
    log_in(client)
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_the_navigation_leads_to_the_new_pages_dashboard_first(client):
    log_in(client)
    page = text_of(client.get("/calls"))
    links = re.findall(r'<a href="(/[a-z/]*)"[^>]*>', page.split('aria-label="Main"')[1])
    assert links[0] == "/dashboard"
    assert {"/calls", "/modems"} <= set(links)
    assert '<a href="/calls" aria-current="page">' in page
