"""Scheduled messages: the time a person types, read in the box's time zone; the list of
those waiting; changing and cancelling one while the daemon may take it; and the
daemon sending one when its time comes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from daemon_fixtures import ON_THE_NETWORK, SENDING_WAIT, messages, start_and_settle
from databases import sqlite_query_plans
from outbox_rows import REGION, queue, status_of
from test_conversations import query_plans
from waiting import wait_until

from smsbox.message_lists import Cursor, ListRefused
from smsbox.models import Direction, Message, Status, utcnow
from smsbox.numbers import InvalidRecipients, recipients
from smsbox.outbox import MessageRejected, queue_message, release_due_scheduled
from smsbox.scheduled import (
    NotScheduled,
    ScheduleRefused,
    cancel,
    list_scheduled,
    local_input,
    reschedule,
    scheduled_message,
    send_time,
)

PARIS = "Europe/Paris"
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


# -- the time typed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2026-11-25T18:30", datetime(2026, 11, 25, 17, 30, tzinfo=UTC)),  # winter: UTC+1
        ("2026-11-25T18:30:15", datetime(2026, 11, 25, 17, 30, 15, tzinfo=UTC)),
        ("2027-07-14T12:00", datetime(2027, 7, 14, 10, 0, tzinfo=UTC)),  # summer: UTC+2
    ],
)
def test_it_reads_the_time_typed_in_the_configured_time_zone(typed, utc):
    assert send_time(typed, PARIS, now=NOW) == utc


def test_an_empty_time_means_now():
    assert send_time("", PARIS, now=NOW) is None


def test_it_refuses_a_time_the_clocks_skip_in_spring():
    # 28 March 2027, 02:00 in Paris: the clocks jump to 03:00.
    with pytest.raises(ScheduleRefused) as refused:
        send_time("2027-03-28T02:30", PARIS, now=NOW)
    assert str(refused.value) == (
        "2027-03-28 02:30 does not exist in Europe/Paris: the clocks go forward at that "
        "hour; choose another time"
    )
    assert send_time("2027-03-28T03:00", PARIS, now=NOW) == datetime(2027, 3, 28, 1, tzinfo=UTC)


def test_it_takes_the_first_of_the_two_times_the_clocks_pass_twice_in_autumn():
    # 31 October 2027, 03:00 summer time in Paris: the clocks go back to 02:00, so 02:30
    # happens at 00:30 UTC, then again at 01:30 UTC.
    assert send_time("2027-10-31T02:30", PARIS, now=NOW) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2026-11-25T17:59", "2026-11-25 17:59 is in the past"),
        ("2026-11-25T18:00", "2026-11-25 18:00 is in the past"),  # now, to the second
        ("2020-01-01T00:00", "2020-01-01 00:00 is in the past"),
        ("2027-11-27T18:00", "2027-11-27 18:00 is more than a year ahead"),
        ("9999-12-31T23:59", "9999-12-31 23:59 is more than a year ahead"),
    ],
)
def test_it_refuses_a_time_in_the_past_or_too_far_ahead(typed, reason):
    with pytest.raises(ScheduleRefused) as refused:
        send_time(typed, PARIS, now=NOW)
    assert str(refused.value) == reason


@pytest.mark.parametrize(
    "typed",
    [
        "tomorrow",
        "2026-13-01T10:00",
        "2026-02-30T10:00",
        "2026-11-25 18:30",
        "2026-11-25T25:00",
        "2026-11-25T18:30+01:00",
        "'; DROP TABLE messages; --",
        "<script>alert(1)</script>",
        "2026-11-25T18:30\n",
        "\u0662\u0660\u0662\u0666-11-25T18:30",  # Arabic-Indic digits
    ],
)
def test_it_refuses_what_is_no_date_and_time(typed):
    with pytest.raises(ScheduleRefused) as refused:
        send_time(typed, PARIS, now=NOW)
    assert "is not a date and time" in str(refused.value)


def test_it_shows_a_stored_time_as_a_local_field_does():
    assert local_input(datetime(2027, 7, 14, 10, 0, tzinfo=UTC), PARIS) == "2027-07-14T12:00"


# -- several numbers -----------------------------------------------------------------


def test_it_reads_several_numbers_however_separated_each_once():
    typed = ["06 12 34 56 78, +33612345678; 0698765432", "\n07 11 22 33 44\r\n", ""]
    assert recipients(typed, REGION) == {
        "+33612345678": "06 12 34 56 78",
        "+33698765432": "0698765432",
        "+33711223344": "07 11 22 33 44",
    }


def test_it_names_every_bad_number_among_good_ones():
    with pytest.raises(InvalidRecipients) as refused:
        recipients(["0612345678, 12", "abc", "0698765432"], REGION)
    assert [str(refusal) for refusal in refused.value.refusals] == [
        "“12” has the wrong number of digits for its country",
        "“abc” is not a phone number",
    ]


@pytest.mark.parametrize("typed", [[], [""], [" , ;\n"]])
def test_it_refuses_no_number_at_all(typed):
    with pytest.raises(InvalidRecipients) as refused:
        recipients(typed, REGION)
    assert [str(refusal) for refusal in refused.value.refusals] == ["the number is empty"]


def test_it_refuses_more_numbers_than_a_message_goes_to():
    with pytest.raises(InvalidRecipients) as refused:
        recipients([", ".join(f"06123456{n:02d}" for n in range(100)) + ", 0712345678"], REGION)
    assert str(refused.value) == "at most 100 numbers at once"


# -- the list ------------------------------------------------------------------------


def test_it_lists_the_waiting_messages_soonest_first_page_by_page(sessions):
    now = utcnow()
    later = queue(sessions, "0611111111", scheduled_at=now + timedelta(hours=3))
    soon = queue(sessions, "0622222222", scheduled_at=now + timedelta(hours=1))
    same_time = queue(sessions, "0633333333", "0644444444", scheduled_at=now + timedelta(hours=2))
    queue(sessions, "0655555555")  # queued now: not waiting for a time
    with sessions() as session:
        first = list_scheduled(session, page_size=10)
        assert [m.id for m in first.messages] == [*soon, *same_time, *later]
        assert first.later is None
        pages, after = [], None
        while True:
            page = list_scheduled(session, page_size=10, after=after)
            pages.append([m.id for m in page.messages])
            if page.later is None:
                break
            after = page.later
    assert pages == [[*soon, *same_time, *later]]
    with sessions() as session:
        two = list_scheduled(session, page_size=10)
        # Keyset: the page after the second message starts right after it, even at the
        # same time as the third.
        cursor = Cursor(two.messages[1].scheduled_at, two.messages[1].id)
        rest = list_scheduled(session, page_size=10, after=cursor)
    assert [m.id for m in rest.messages] == [same_time[1], *later]


def test_it_refuses_a_page_size_no_page_offers(sessions):
    with sessions() as session, pytest.raises(ListRefused):
        list_scheduled(session, page_size=1000)


def test_it_gives_the_next_page_when_there_is_more(sessions):
    now = utcnow()
    ids = [
        queue(sessions, f"06000000{n:02d}", scheduled_at=now + timedelta(minutes=n))[0]
        for n in range(1, 13)
    ]
    with sessions() as session:
        first = list_scheduled(session, page_size=10)
        second = list_scheduled(session, page_size=10, after=first.later)
    assert [m.id for m in first.messages] == ids[:10]
    assert [m.id for m in second.messages] == ids[10:]
    assert second.later is None


# -- changing and cancelling -----------------------------------------------------------


def scheduled_in(sessions, delay: timedelta) -> int:
    (message_id,) = queue(sessions, "0612345678", scheduled_at=utcnow() + delay, text="first")
    return message_id


def test_it_changes_the_text_and_time_of_a_waiting_message(sessions):
    message_id = scheduled_in(sessions, timedelta(hours=1))
    new_time = utcnow() + timedelta(hours=5)
    with sessions() as session:
        reschedule(session, message_id, "second", new_time)
        session.commit()
    with sessions() as session:
        message = session.get(Message, message_id)
        assert (message.body, message.scheduled_at, message.status) == (
            "second",
            new_time,
            Status.SCHEDULED,
        )


def test_it_refuses_a_new_text_the_send_form_would_refuse(sessions):
    message_id = scheduled_in(sessions, timedelta(hours=1))
    with sessions() as session, pytest.raises(MessageRejected):
        reschedule(session, message_id, "  ", utcnow() + timedelta(hours=2))


def test_a_message_the_daemon_released_can_no_longer_be_changed(sessions):
    message_id = scheduled_in(sessions, timedelta(hours=1))
    with sessions() as session:
        # The daemon's release at the message's time, as if it came first.
        assert release_due_scheduled(session, now=utcnow() + timedelta(hours=2)) == 1
        session.commit()
    with sessions() as session, pytest.raises(NotScheduled) as refused:
        reschedule(session, message_id, "second", utcnow() + timedelta(days=1))
    assert refused.value.gone is False
    assert "already left" in str(refused.value)
    with sessions() as session:
        message = session.get(Message, message_id)
        assert (message.body, message.status) == ("first", Status.QUEUED)


def test_a_released_message_no_modem_took_can_still_be_cancelled_and_no_later(sessions):
    message_id = scheduled_in(sessions, timedelta(hours=1))
    taken_id = scheduled_in(sessions, timedelta(hours=1))
    with sessions() as session:
        assert release_due_scheduled(session, now=utcnow() + timedelta(hours=2)) == 2
        session.get(Message, taken_id).status = Status.SENDING  # a worker claimed it
        session.commit()
    with sessions() as session:
        cancel(session, message_id)
        session.commit()
    with sessions() as session, pytest.raises(NotScheduled) as refused:
        cancel(session, taken_id)
    assert "already left" in str(refused.value)
    with sessions() as session:
        assert session.get(Message, message_id).status == Status.CANCELLED
        assert session.get(Message, taken_id).status == Status.SENDING


def test_it_cancels_a_waiting_message_keeping_it_and_the_daemon_never_releases_it(sessions):
    message_id = scheduled_in(sessions, timedelta(hours=1))
    with sessions() as session:
        cancel(session, message_id)
        session.commit()
    assert status_of(sessions, message_id) == Status.CANCELLED
    with sessions() as session:
        assert release_due_scheduled(session, now=utcnow() + timedelta(days=2)) == 0
        with pytest.raises(NotScheduled) as again:
            cancel(session, message_id)
    assert again.value.gone is False
    assert str(again.value) == "this message was cancelled"


def test_it_says_there_is_no_such_message_for_an_unknown_or_received_one(sessions):
    with sessions() as session:
        received = Message(
            direction=Direction.INBOUND,
            number="+33612345678",
            raw_number="+33612345678",
            body="hello",
            status=Status.SCHEDULED,  # whatever its state says, it is not ours to send
        )
        session.add(received)
        session.commit()
        for message_id in (received.id, 999_999):
            with pytest.raises(NotScheduled) as refused:
                scheduled_message(session, message_id)
            assert refused.value.gone is True
            with pytest.raises(NotScheduled):
                cancel(session, message_id)


# -- the daemon ------------------------------------------------------------------------


def test_the_daemon_sends_a_scheduled_message_when_its_time_comes_not_before(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    due = utcnow() + timedelta(seconds=2)
    with db() as session:
        queue_message(session, "0612345678", "à l'heure", default_region=REGION, scheduled_at=due)
        session.commit()

    # Whatever was seen entirely before its time: nothing on the network, still scheduled.
    while utcnow() < due:
        (message,) = messages(db, Direction.OUTBOUND)
        on_the_network = sim.sent()
        if utcnow() < due:
            assert message.status == Status.SCHEDULED
            assert on_the_network == []
        time.sleep(0.05)

    (submitted,) = sim.wait_for_sent(1, SENDING_WAIT)
    assert submitted.text == "à l'heure"
    (message,) = wait_until(
        lambda: [m for m in messages(db, Direction.OUTBOUND) if m.status in ON_THE_NETWORK]
    )
    assert message.sent_at >= due


@sqlite_query_plans
def test_a_page_reads_the_waiting_messages_in_order_through_their_index(sessions):
    with sessions() as session:
        plans = query_plans(session, lambda: list_scheduled(session, page_size=25))
    assert "USING INDEX ix_messages_status_scheduled (status=? AND scheduled_at>?)" in plans
    assert "TEMP B-TREE" not in plans  # no sort of every waiting message
