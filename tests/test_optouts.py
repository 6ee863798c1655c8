"""The STOP list: adding and removing numbers, and sending held back (which texts
opt out: tests/test_keywords.py)."""

from __future__ import annotations

from outbox_rows import queue, status_of
from sqlalchemy import func, select

from smsbox import optouts, sending
from smsbox.models import Direction, Message, OptOut, Status

OPTED_OUT = "+33698765432"


def count_optouts(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(OptOut))


def test_it_keeps_a_number_once_and_the_first_stop_that_put_it_there(sessions):
    with sessions() as session:
        first = optouts.opt_out(session, OPTED_OUT, source_message_id=None)
        session.commit()
        again = optouts.opt_out(session, OPTED_OUT)
        session.commit()
        assert again.id == first.id
        assert optouts.is_opted_out(session, OPTED_OUT)
        assert not optouts.is_opted_out(session, "+33611111111")
    assert count_optouts(sessions) == 1


def test_it_takes_a_number_off_the_list_once(sessions):
    with sessions() as session:
        optouts.opt_out(session, OPTED_OUT)
        assert optouts.opt_in(session, OPTED_OUT) is True
        assert optouts.opt_in(session, OPTED_OUT) is False
        session.commit()
        assert optouts.list_optouts(session) == []


def opt_out(sessions, number: str = OPTED_OUT) -> None:
    with sessions() as session:
        stop = Message(
            direction=Direction.INBOUND,
            number=number,
            raw_number=number,
            body="STOP",
            status=Status.RECEIVED,
        )
        session.add(stop)
        session.flush()
        optouts.opt_out(session, number, source_message_id=stop.id)
        session.commit()


def test_it_blocks_a_message_queued_before_the_stop_and_claims_the_next(sessions, modem_id):
    blocked, other = queue(sessions, "06 98 76 54 32", "0611111111")
    opt_out(sessions)

    with sessions() as session:
        claimed = sending.claim_next(session, modem_id)
    assert claimed is not None
    assert claimed.id == other
    with sessions() as session:
        message = session.get_one(Message, blocked)
        assert message.status == Status.BLOCKED
        assert message.error.startswith("the recipient opted out (STOP on ")
        assert message.attempts == 0


def test_it_blocks_every_message_to_opted_out_numbers_in_one_claim(sessions, modem_id):
    opt_out(sessions)
    opt_out(sessions, "+33622222222")
    ids = queue(sessions, "0698765432", "0622222222", "0698765432")

    with sessions() as session:
        assert sending.claim_next(session, modem_id) is None
    assert [status_of(sessions, message_id) for message_id in ids] == [Status.BLOCKED] * 3


def test_it_says_a_number_added_by_hand_is_on_the_list_without_a_stop(sessions, modem_id):
    with sessions() as session:
        optouts.opt_out(session, OPTED_OUT)
        session.commit()
    (blocked,) = queue(sessions, "0698765432")

    with sessions() as session:
        assert sending.claim_next(session, modem_id) is None
        assert session.get_one(Message, blocked).error.startswith(
            "the recipient is on the opt-out list (added on "
        )


def test_it_sends_again_to_a_number_taken_off_the_list(sessions, modem_id):
    opt_out(sessions)
    with sessions() as session:
        optouts.opt_in(session, OPTED_OUT)
        session.commit()
    (message_id,) = queue(sessions, "0698765432")

    with sessions() as session:
        assert sending.claim_next(session, modem_id).id == message_id


def test_it_leaves_a_message_another_modem_holds_to_that_modem(sessions, modem_id):
    """A message pinned to another modem is that modem's to claim, and to block."""
    (message_id,) = queue(sessions, "0698765432")
    with sessions() as session:
        session.get_one(Message, message_id).modem_id = modem_id
        session.commit()
    opt_out(sessions)

    with sessions() as session:
        assert sending.claim_next(session, modem_id + 1000) is None
    assert status_of(sessions, message_id) == Status.QUEUED
