from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from smsbox.models import Message, Status, utcnow
from smsbox.modems import ensure_modem
from smsbox.numbers import InvalidNumber, from_network, to_e164
from smsbox.outbox import (
    MAX_SEND_ATTEMPTS,
    MessageRejected,
    claim_next,
    interrupt_unfinished,
    queue_message,
    record_failure,
    record_part_sent,
    release_due_scheduled,
)

REGION = "FR"


def queue(sessions, *numbers: str, scheduled_at=None) -> list[int]:
    with sessions() as session:
        ids = [
            queue_message(
                session, number, "hello", default_region=REGION, scheduled_at=scheduled_at
            ).id
            for number in numbers
        ]
        session.commit()
        return ids


def status_of(sessions, message_id: int) -> Status:
    with sessions() as session:
        return session.get_one(Message, message_id).status


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


# -- claiming ---------------------------------------------------------------------


def test_it_claims_the_oldest_queued_message_and_marks_it_sending(sessions, modem_id):
    first, second = queue(sessions, "0611111111", "0622222222")
    with sessions() as session:
        claimed = claim_next(session, modem_id)
    assert claimed is not None
    assert claimed.id == first
    with sessions() as session:
        stored = session.get_one(Message, first)
        assert stored.status == Status.SENDING
        assert stored.attempts == 1
        assert stored.modem_id == modem_id
    assert status_of(sessions, second) == Status.QUEUED


def test_it_never_claims_the_same_message_twice(sessions, modem_id):
    first, second = queue(sessions, "0611111111", "0622222222")
    with sessions() as session:
        claims = [claim_next(session, modem_id), claim_next(session, modem_id)]
        assert claim_next(session, modem_id) is None
    assert [message.id for message in claims] == [first, second]


def test_it_gives_a_message_to_one_session_only(sessions, modem_id):
    (only,) = queue(sessions, "0611111111")
    with sessions() as one, sessions() as other:
        assert one.scalar(select(func.count()).select_from(Message)) == 1
        claimed = claim_next(one, modem_id)
        assert claimed is not None
        assert claimed.id == only
        assert claim_next(other, modem_id) is None


def test_it_gives_two_sessions_two_different_messages(sessions, modem_id):
    queue(sessions, "0611111111", "0622222222")
    with sessions() as one, sessions() as other:
        first = claim_next(one, modem_id)
        second = claim_next(other, modem_id)
    assert first is not None
    assert second is not None
    assert first.id != second.id


def test_it_does_not_claim_scheduled_messages(sessions, modem_id):
    queue(sessions, "0611111111", scheduled_at=utcnow() - timedelta(minutes=1))
    with sessions() as session:
        assert claim_next(session, modem_id) is None


# -- failures ---------------------------------------------------------------------


def claim_and_fail(sessions, modem_id: int, *, permanent: bool, part_sent: bool = False) -> None:
    with sessions() as session:
        message = claim_next(session, modem_id)
        assert message is not None
        if part_sent:
            record_part_sent(session, message, 1, reference=42)
        record_failure(session, message, "it went wrong", permanent=permanent)
        session.commit()


def test_it_requeues_a_transient_failure_when_nothing_was_sent(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    claim_and_fail(sessions, modem_id, permanent=False)
    with sessions() as session:
        message = session.get_one(Message, message_id)
        assert message.status == Status.QUEUED
        assert message.error == "it went wrong"


def test_it_fails_a_permanent_error_at_once(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    claim_and_fail(sessions, modem_id, permanent=True)
    assert status_of(sessions, message_id) == Status.FAILED


def test_it_gives_up_after_the_last_attempt(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    for _ in range(MAX_SEND_ATTEMPTS - 1):
        claim_and_fail(sessions, modem_id, permanent=False)
        assert status_of(sessions, message_id) == Status.QUEUED
    claim_and_fail(sessions, modem_id, permanent=False)
    with sessions() as session:
        message = session.get_one(Message, message_id)
        assert message.status == Status.FAILED
        assert message.attempts == MAX_SEND_ATTEMPTS


def test_it_does_not_resend_a_message_whose_first_part_went_out(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    claim_and_fail(sessions, modem_id, permanent=False, part_sent=True)
    assert status_of(sessions, message_id) == Status.FAILED
    with sessions() as session:
        assert claim_next(session, modem_id) is None


# -- interrupted sends and schedules -------------------------------------------


def test_it_marks_only_this_modems_sending_messages_interrupted(sessions, modem_id):
    with sessions() as session:
        other_id = ensure_modem(session, "sim2", "/dev/ttyUSB1").id
        session.commit()
    mine, theirs, waiting = queue(sessions, "0611111111", "0622222222", "0633333333")
    with sessions() as session:
        assert claim_next(session, modem_id).id == mine
        assert claim_next(session, other_id).id == theirs
    with sessions() as session:
        assert interrupt_unfinished(session, modem_id) == 1
        session.commit()
    with sessions() as session:
        interrupted = session.get_one(Message, mine)
        assert interrupted.status == Status.INTERRUPTED
        assert interrupted.error
    assert status_of(sessions, theirs) == Status.SENDING
    assert status_of(sessions, waiting) == Status.QUEUED


def test_it_releases_only_scheduled_messages_that_are_due(sessions):
    now = utcnow()
    (due,) = queue(sessions, "0611111111", scheduled_at=now - timedelta(minutes=1))
    (later,) = queue(sessions, "0622222222", scheduled_at=now + timedelta(minutes=1))
    with sessions() as session:
        assert release_due_scheduled(session, now) == 1
        session.commit()
    assert status_of(sessions, due) == Status.QUEUED
    assert status_of(sessions, later) == Status.SCHEDULED
