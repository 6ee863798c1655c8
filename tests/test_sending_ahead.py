"""The next batch claimed while the modem takes a full batch's last part: what the
modem then answers of that part, a database that fails the claim, and a daemon
killed meanwhile lose nothing and send nothing twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fake_driver import FakeDriver
from outbox_rows import queue, status_of
from sim_senders import at_submission, sender_through
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from modem.errors import ModemError, SubmitOutcomeUnknown
from modem.sender import CLAIM_BATCH
from smsbox import sending
from smsbox.models import Status

Hook = Callable[[], None]


class Killed(BaseException):
    """kill -9: nothing of the daemon runs after it, no handler, no commit."""


def a_batch_and_one_more(sessions) -> list[int]:
    return queue(sessions, *[f"06111111{n:02d}" for n in range(CLAIM_BATCH + 1)])


def send_all(sender, modem_id: int) -> None:
    while sender.send_one(modem_id, batch=CLAIM_BATCH):
        pass


def recover(sessions, modem_id: int) -> list[int]:
    with sessions() as session:
        interrupted = sending.recover_unfinished(session, modem_id)
        session.commit()
    return [message.id for message in interrupted]


def test_it_claims_the_next_batch_while_the_modem_takes_the_last_part(sessions, modem_id):
    messages = a_batch_and_one_more(sessions)
    driver = FakeDriver()
    claimed_before_the_answer = []

    def watched(part: str, before_handover: Hook, meanwhile: Hook) -> int | None:
        before_handover()
        meanwhile()
        claimed_before_the_answer.append(status_of(sessions, messages[-1]))
        return driver.network.submit(part).reference

    at_submission(driver, CLAIM_BATCH, watched)
    send_all(sender_through(driver, sessions), modem_id)

    assert claimed_before_the_answer == [Status.SENDING]
    assert len(driver.texts_on_the_network()) == CLAIM_BATCH + 1
    assert {status_of(sessions, message) for message in messages} == {Status.SENT}


def test_a_part_refused_after_the_next_batch_was_claimed_waits_and_the_batch_goes(
    sessions, modem_id
):
    messages = a_batch_and_one_more(sessions)
    driver = FakeDriver()

    def refused_after_the_pdu(_part: str, before_handover: Hook, meanwhile: Hook) -> None:
        before_handover()
        meanwhile()
        raise ModemError("+CMS ERROR: 38")  # network out of order: a retry may help

    at_submission(driver, CLAIM_BATCH, refused_after_the_pdu)
    send_all(sender_through(driver, sessions), modem_id)

    assert len(driver.texts_on_the_network()) == CLAIM_BATCH
    *sent, refused, last = (status_of(sessions, message) for message in messages)
    assert (set(sent), refused, last) == ({Status.SENT}, Status.QUEUED, Status.SENT)


def test_a_lost_answer_after_the_next_batch_was_claimed_interrupts_only_its_part(
    sessions, modem_id
):
    messages = a_batch_and_one_more(sessions)
    driver = FakeDriver()
    submit = driver.submit

    def answer_lost(part: str, before_handover: Hook, meanwhile: Hook) -> None:
        submit(part, before_handover, meanwhile)
        raise SubmitOutcomeUnknown("no answer after the PDU")

    at_submission(driver, CLAIM_BATCH, answer_lost)
    sender = sender_through(driver, sessions)
    with pytest.raises(SubmitOutcomeUnknown):
        send_all(sender, modem_id)
    assert status_of(sessions, messages[-1]) == Status.SENDING  # claimed ahead

    # Reconnecting settles the modem's messages: the one claimed ahead goes back.
    assert recover(sessions, modem_id) == [messages[-2]]
    send_all(sender, modem_id)

    assert sorted(driver.texts_on_the_network()) == ["hello"] * (CLAIM_BATCH + 1)
    *sent, lost, last = (status_of(sessions, message) for message in messages)
    assert (set(sent), lost, last) == ({Status.SENT}, Status.INTERRUPTED, Status.SENT)


def test_a_kill_after_claiming_ahead_interrupts_the_part_taken_and_requeues_the_rest(
    sessions, modem_id
):
    messages = a_batch_and_one_more(sessions)
    driver = FakeDriver()

    def killed_after_the_pdu(part: str, before_handover: Hook, meanwhile: Hook) -> None:
        before_handover()
        driver.network.submit(part)
        meanwhile()
        raise Killed

    at_submission(driver, CLAIM_BATCH, killed_after_the_pdu)
    with pytest.raises(Killed):
        send_all(sender_through(driver, sessions), modem_id)

    # The next start.
    assert recover(sessions, modem_id) == [messages[-2]]
    send_all(sender_through(driver, sessions), modem_id)

    assert len(driver.texts_on_the_network()) == CLAIM_BATCH + 1
    *sent, taken, last = (status_of(sessions, message) for message in messages)
    assert (set(sent), taken, last) == ({Status.SENT}, Status.INTERRUPTED, Status.SENT)


def test_a_claim_ahead_that_fails_still_records_the_answer_then_fails_the_send(sessions, modem_id):
    messages = a_batch_and_one_more(sessions)
    driver = FakeDriver()
    submit = driver.submit
    engine = sessions.kw["bind"]

    def database_fails(*_arguments: object) -> None:
        raise OperationalError("UPDATE messages", {}, Exception("disk I/O error"))

    def claim_fails(part: str, before_handover: Hook, meanwhile: Hook) -> int | None:
        def failing_meanwhile() -> None:
            event.listen(engine, "before_cursor_execute", database_fails)
            try:
                meanwhile()
            finally:
                event.remove(engine, "before_cursor_execute", database_fails)

        return submit(part, before_handover, failing_meanwhile)

    at_submission(driver, CLAIM_BATCH, claim_fails)
    sender = sender_through(driver, sessions)
    with pytest.raises(OperationalError):
        send_all(sender, modem_id)
    assert {status_of(sessions, message) for message in messages[:-1]} == {Status.SENT}

    assert recover(sessions, modem_id) == []
    send_all(sender, modem_id)
    assert len(driver.texts_on_the_network()) == CLAIM_BATCH + 1
    assert status_of(sessions, messages[-1]) == Status.SENT
