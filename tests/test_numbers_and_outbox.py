from __future__ import annotations

from datetime import timedelta

import pytest
from outbox_rows import REGION, queue, status_of
from sqlalchemy import func, select

from smsbox.models import Message, Status, utcnow
from smsbox.numbers import InvalidNumber, from_network, to_e164
from smsbox.outbox import MessageRejected, queue_message, release_due_scheduled


def message_count(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Message))


# -- numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+44 20 7946 0958", "+442079460958"),
        ("  06.12.34.56.78  ", "+33612345678"),
    ],
)
def test_it_writes_numbers_in_e164_with_the_default_region(raw, e164):
    assert to_e164(raw, REGION) == e164


@pytest.mark.parametrize("raw", ["garbage", "", "   ", "12", "+33 6 12"])
def test_it_refuses_what_cannot_be_a_number_with_a_reason(raw):
    with pytest.raises(InvalidNumber) as raised:
        to_e164(raw, REGION)
    assert str(raised.value)


def test_it_keeps_alphanumeric_senders_as_the_network_gave_them():
    assert from_network("ORANGE", REGION) == "ORANGE"
    assert from_network("Info SMS ", REGION) == "Info SMS"


def test_it_writes_numeric_network_senders_in_e164():
    assert from_network("0612345678", REGION) == "+33612345678"
    assert from_network("+33612345678", REGION) == "+33612345678"


# -- queueing ---------------------------------------------------------------------


def test_it_queues_a_message_with_its_number_in_e164_and_the_raw_text(sessions):
    (message_id,) = queue(sessions, " 06 12 34 56 78 ")
    with sessions() as session:
        message = session.get_one(Message, message_id)
        assert message.status == Status.QUEUED
        assert message.number == "+33612345678"
        assert message.raw_number == "06 12 34 56 78"
        assert message.attempts == 0


def test_it_stores_a_message_for_later_as_scheduled(sessions):
    (message_id,) = queue(sessions, "0612345678", scheduled_at=utcnow() + timedelta(hours=1))
    assert status_of(sessions, message_id) == Status.SCHEDULED


def test_it_refuses_an_empty_message_and_stores_nothing(sessions):
    with sessions() as session:
        with pytest.raises(MessageRejected, match="empty"):
            queue_message(session, "0612345678", "", default_region=REGION)
        session.commit()
    assert message_count(sessions) == 0


@pytest.mark.parametrize("body", ["\x00", "a\x01b", "\x08", "\x0b", "\x0c", "\x1f", "x\x7f"])
def test_it_refuses_control_characters_naming_them(sessions, body):
    with sessions() as session, pytest.raises(MessageRejected, match=r"control character \(U\+"):
        queue_message(session, "0612345678", body, default_region=REGION)


def test_it_keeps_line_breaks_and_tabs(sessions):
    with sessions() as session:
        message = queue_message(session, "0612345678", "a\r\nb\tc\nd", default_region=REGION)
    assert message.body == "a\r\nb\tc\nd"


def test_it_refuses_a_bad_number_and_stores_nothing(sessions):
    with sessions() as session:
        with pytest.raises(InvalidNumber, match="garbage"):
            queue_message(session, "garbage", "hello", default_region=REGION)
        session.commit()
    assert message_count(sessions) == 0


# -- schedules ------------------------------------------------------------------


def test_it_releases_only_scheduled_messages_that_are_due(sessions):
    now = utcnow()
    (due,) = queue(sessions, "0611111111", scheduled_at=now - timedelta(minutes=1))
    (later,) = queue(sessions, "0622222222", scheduled_at=now + timedelta(minutes=1))
    with sessions() as session:
        assert release_due_scheduled(session, now) == 1
        session.commit()
    assert status_of(sessions, due) == Status.QUEUED
    assert status_of(sessions, later) == Status.SCHEDULED
