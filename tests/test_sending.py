"""The daemon's record of outbound messages: claims, parts, refusals, crashes, resends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from outbox_rows import interrupt_second_of_three, queue, status_of
from sqlalchemy import func, select

from smsbox import sending
from smsbox.models import Message, Status, utcnow
from smsbox.modems import ensure_modem

THREE_PARTS = ["00AA", "00BB", "00CC"]


def other_modem(sessions) -> int:
    with sessions() as session:
        modem_id = ensure_modem(session, "sim2", "/dev/ttyUSB1")
        session.commit()
        return modem_id


def claim_with_parts(session, modem_id: int, pdus: list[str] = THREE_PARTS) -> Message:
    message = sending.claim_next(session, modem_id)
    assert message is not None
    sending.prepare_parts(message, pdus)
    return message


# -- claiming ---------------------------------------------------------------------


def test_it_claims_the_oldest_queued_message_and_marks_it_sending(sessions, modem_id):
    first, second = queue(sessions, "0611111111", "0622222222")
    with sessions() as session:
        claimed = sending.claim_next(session, modem_id)
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
        claims = [sending.claim_next(session, modem_id), sending.claim_next(session, modem_id)]
        assert sending.claim_next(session, modem_id) is None
    assert [message.id for message in claims] == [first, second]


def test_it_gives_a_message_to_one_session_only(sessions, modem_id):
    (only,) = queue(sessions, "0611111111")
    with sessions() as one, sessions() as other:
        assert one.scalar(select(func.count()).select_from(Message)) == 1
        claimed = sending.claim_next(one, modem_id)
        assert claimed is not None
        assert claimed.id == only
        assert sending.claim_next(other, modem_id) is None


def test_it_gives_two_sessions_two_different_messages(sessions, modem_id):
    queue(sessions, "0611111111", "0622222222")
    with sessions() as one, sessions() as other:
        first = sending.claim_next(one, modem_id)
        second = sending.claim_next(other, modem_id)
    assert first is not None
    assert second is not None
    assert first.id != second.id


def test_it_does_not_claim_scheduled_messages(sessions, modem_id):
    queue(sessions, "0611111111", scheduled_at=utcnow() - timedelta(minutes=1))
    with sessions() as session:
        assert sending.claim_next(session, modem_id) is None


# -- refusals: retried later, part by part ------------------------------------------


def refuse_part(sessions, modem_id: int, part_index: int, *, permanent=False, sent_before=0):
    """Claim the message, send `sent_before` parts, have the modem refuse the next one."""
    now = utcnow()
    with sessions() as session:
        message = sending.claim_next(session, modem_id, now=now + timedelta(hours=1))
        assert message is not None
        sending.prepare_parts(message, THREE_PARTS)
        for part in message.parts[:sent_before]:
            if part.status == Status.QUEUED:
                sending.record_handover(part)
                sending.record_part_sent(message, part, reference=40 + part.part_number)
        part = message.parts[part_index]
        sending.record_handover(part)
        sending.record_refusal(message, part, "+CMS ERROR 42", permanent=permanent, now=now)
        session.commit()
        return message.next_attempt_at - now if message.next_attempt_at else None


def test_it_retries_a_refused_part_later_and_later(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    delays = [refuse_part(sessions, modem_id, 0) for _ in range(sending.MAX_PART_ATTEMPTS - 1)]

    assert delays == list(sending.RETRY_DELAYS)
    assert delays[0] < delays[1]
    with sessions() as session:
        message = session.get_one(Message, message_id)
        assert message.status == Status.QUEUED
        assert "+CMS ERROR 42" in message.error
        assert message.parts[0].attempts == sending.MAX_PART_ATTEMPTS - 1


def test_it_does_not_claim_a_message_before_its_retry_time(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    refuse_part(sessions, modem_id, 0)
    with sessions() as session:
        assert sending.claim_next(session, modem_id) is None
        retry_at = session.get_one(Message, message_id).next_attempt_at
        assert sending.claim_next(session, modem_id, now=retry_at).id == message_id


def test_it_fails_a_permanent_refusal_at_once(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    refuse_part(sessions, modem_id, 0, permanent=True)
    assert status_of(sessions, message_id) == Status.FAILED


def test_it_fails_after_the_last_attempt_of_a_part_and_says_which_parts_went_out(
    sessions, modem_id
):
    (message_id,) = queue(sessions, "0611111111")
    for _ in range(sending.MAX_PART_ATTEMPTS):
        refuse_part(sessions, modem_id, 1, sent_before=1)
    with sessions() as session:
        message = session.get_one(Message, message_id)
        assert message.status == Status.FAILED
        assert message.error.startswith("part 2 of 3: +CMS ERROR 42")
        assert "part(s) 1 already sent" in message.error
        assert [part.status for part in message.parts] == [
            Status.SENT,
            Status.FAILED,
            Status.QUEUED,
        ]


def test_it_resumes_with_the_parts_not_yet_sent(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    refuse_part(sessions, modem_id, 1, sent_before=1)
    with sessions() as session:
        message = sending.claim_next(session, modem_id, now=utcnow() + timedelta(hours=1))
        assert message.id == message_id
        assert [part.part_number for part in sending.parts_to_send(message)] == [2, 3]
        assert message.parts[0].reference == 41


def test_it_keeps_a_message_with_a_part_on_the_network_with_its_modem(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    refuse_part(sessions, modem_id, 1, sent_before=1)
    later = utcnow() + timedelta(hours=1)
    with sessions() as session:
        assert sending.claim_next(session, other_modem(sessions), now=later) is None
        assert sending.claim_next(session, modem_id, now=later).id == message_id


# -- crashes: what was in the modem's hands is never resent by itself ----------------


def test_it_interrupts_the_part_a_crash_left_in_the_modems_hands_and_resumes_the_rest(
    sessions, modem_id
):
    (message_id,) = queue(sessions, "0611111111")
    with sessions() as session:
        message = claim_with_parts(session, modem_id)
        sending.record_handover(message.parts[0])
        sending.record_part_sent(message, message.parts[0], reference=7)
        sending.record_handover(message.parts[1])
        session.commit()

    with sessions() as session:
        assert sending.recover_unfinished(session, modem_id) == []
        session.commit()
    with sessions() as session:
        message = session.get_one(Message, message_id)
        assert message.status == Status.QUEUED
        assert [part.status for part in message.parts] == [
            Status.SENT,
            Status.INTERRUPTED,
            Status.QUEUED,
        ]
        assert sending.uncertain_parts(message) == [2]


def test_it_ends_interrupted_when_only_uncertain_parts_remain(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    with sessions() as session:
        message = claim_with_parts(session, modem_id, ["00AA"])
        sending.record_handover(message.parts[0])
        session.commit()

    with sessions() as session:
        (interrupted,) = sending.recover_unfinished(session, modem_id)
        session.commit()
    assert interrupted.id == message_id
    assert status_of(sessions, message_id) == Status.INTERRUPTED
    assert f"smsbox resend {message_id}" in interrupted.error


def test_it_requeues_a_crashed_claim_that_handed_nothing_over_for_any_modem(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    with sessions() as session:
        claim_with_parts(session, modem_id)
        session.commit()
    with sessions() as session:
        sending.recover_unfinished(session, modem_id)
        session.commit()
    with sessions() as session:
        assert sending.claim_next(session, other_modem(sessions)).id == message_id


def test_it_recovers_only_this_modems_messages(sessions, modem_id):
    mine, theirs = queue(sessions, "0611111111", "0622222222")
    with sessions() as session:
        assert sending.claim_next(session, modem_id).id == mine
        assert sending.claim_next(session, other_modem(sessions)).id == theirs
    with sessions() as session:
        sending.recover_unfinished(session, modem_id)
        session.commit()
    assert status_of(sessions, mine) == Status.QUEUED
    assert status_of(sessions, theirs) == Status.SENDING


# -- a person resends -----------------------------------------------------------------


def test_it_resends_only_the_uncertain_parts_when_a_person_asks(sessions, modem_id):
    (message_id,) = queue(sessions, "0611111111")
    with sessions() as session:
        message = interrupt_second_of_three(session, modem_id)
        assert message.status == Status.INTERRUPTED

        sending.resend_interrupted(message)
        session.commit()
    with sessions() as session:
        message = sending.claim_next(session, modem_id)
        assert message.id == message_id
        assert [part.part_number for part in sending.parts_to_send(message)] == [2]


def test_it_refuses_to_resend_a_message_that_is_not_interrupted(sessions, modem_id):
    queue(sessions, "0611111111")
    with sessions() as session:
        message = claim_with_parts(session, modem_id)
        with pytest.raises(sending.ResendRefused):
            sending.resend_interrupted(message)
