"""The sender writes its parts and messages through Core (`smsbox.outgoing`): the webhook
events it queues are those the ORM's flush queued, each with the message as the
database holds it, and a commit that fails leaves nothing counted twice."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fake_driver import BEFORE_HANDOVER, TAKEN, FakeDriver
from outbox_rows import queue, status_of
from sim_senders import sender_through
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from modem.drivers.contract import PduRequest
from modem.errors import ModemError
from smsbox import outgoing, sending
from smsbox.models import Message, MessagePart, Status, WebhookDelivery
from smsbox.outgoing import Ledger, OutgoingPart
from smsbox.webhooks.endpoints import add_endpoint
from smsbox.webhooks.event_types import EVENT_TYPES
from smsbox.webhooks.events import message_data, subscriptions

LONG = "Votre rendez-vous est confirmé pour demain. " * 8  # three parts
BATCH = 16


@pytest.fixture
def endpoint(sessions) -> Iterator[int]:
    with sessions() as session:
        added = add_endpoint(session, "http://192.168.1.20/hooks", EVENT_TYPES, created_by="admin")
        session.commit()
    yield added.endpoint.id
    # The next test's database may have this one's address (PostgreSQL's are numbered
    # per test): it must not see this endpoint through the minute's cache.
    subscriptions.forget()


def sent_all(sender, modem_id: int) -> None:
    while sender.send_one(modem_id, batch=BATCH):
        pass


def events_queued(sessions) -> list[tuple[str, dict[str, object]]]:
    with sessions() as session:
        rows = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
        return [(row.event_type, json.loads(row.payload)["data"]) for row in rows]


def as_stored(sessions, *message_ids: int) -> list[dict[str, object]]:
    """Each message's event data as the ORM's flush made it: from the row itself."""
    with sessions() as session:
        return [
            json.loads(json.dumps(message_data(session.get_one(Message, id_))))
            for id_ in message_ids
        ]


def test_a_long_send_and_failed_sends_queue_the_events_the_orm_queued(sessions, modem_id, endpoint):
    sent, fragment, refused, congested = queue(
        sessions, "0611111111", "0622222222", "0633333333", "0644444444", text=LONG
    )
    driver = FakeDriver()
    rejected = ModemError("+CMS ERROR: 1", permanent=True)
    again = ModemError("+CMS ERROR: 42", permanent=False)
    # The first message's three parts and the second's first go; the second's second
    # part is refused for good, the third message's first too, the fourth's for now.
    driver.submit_faults = [(None, TAKEN)] * 4 + [
        (rejected, BEFORE_HANDOVER),
        (rejected, BEFORE_HANDOVER),
        (again, BEFORE_HANDOVER),
    ]
    sent_all(sender_through(driver, sessions), modem_id)

    with sessions() as session:
        states = {id_: session.get_one(Message, id_).status for id_ in (sent, fragment, refused)}
        assert states == {sent: Status.SENT, fragment: Status.FAILED, refused: Status.FAILED}
        assert session.get_one(Message, congested).status == Status.QUEUED
        assert "already sent" in session.get_one(Message, fragment).error
    expected = as_stored(sessions, sent, fragment, refused)
    assert events_queued(sessions) == [
        ("message.sent", expected[0]),
        ("message.failed", expected[1]),
        ("message.failed", expected[2]),
    ]


def test_a_failed_commit_of_an_answer_counts_nothing_twice(sessions, modem_id, endpoint):
    first, second = queue(sessions, "0611111111", "0622222222", text=LONG)
    sender = sender_through(FakeDriver(), sessions)
    engine = sessions.kw["bind"]
    failures = []

    def fail_first_write_of_a_part(_connection, _cursor, statement: str, *_args) -> None:
        # The commit of the first message's last answer, with the second's handover.
        writes_parts = statement.startswith(("UPDATE message_parts", "INSERT INTO message_parts"))
        if writes_parts and not failures:
            sent_parts = parts_of(sessions, first)
            if [part.status for part in sent_parts] == [Status.SENT, Status.SENT, Status.SENDING]:
                failures.append(statement)
                raise OperationalError(statement, {}, Exception("disk I/O error"))

    event.listen(engine, "before_cursor_execute", fail_first_write_of_a_part)
    try:
        with pytest.raises(OperationalError):
            sent_all(sender, modem_id)
    finally:
        event.remove(engine, "before_cursor_execute", fail_first_write_of_a_part)
    assert failures
    # The answer was written again at once; the second message, whose handover failed
    # with it, had nothing handed over: the worker's reconnection puts it back.
    with sessions() as session:
        assert sending.recover_unfinished(session, modem_id) == []
        session.commit()
    sent_all(sender, modem_id)

    assert [(part.status, part.attempts) for part in parts_of(sessions, first)] == [
        (Status.SENT, 1)
    ] * 3
    assert [(part.status, part.attempts) for part in parts_of(sessions, second)] == [
        (Status.SENT, 1)
    ] * 3
    assert [kind for kind, _data in events_queued(sessions)] == ["message.sent"] * 2
    assert events_queued(sessions) == [
        ("message.sent", data) for data in as_stored(sessions, first, second)
    ]


def parts_of(sessions, message_id: int) -> list[MessagePart]:
    with sessions() as session:
        return list(
            session.scalars(
                select(MessagePart)
                .where(MessagePart.message_id == message_id)
                .order_by(MessagePart.part_number)
            )
        )


def test_the_sender_leaves_the_orms_unit_of_work_alone(sessions, modem_id, endpoint):
    queue(sessions, "0611111111", text=LONG)
    queue(sessions, "0622222222")
    flushes = []

    def count_flush(session: Session, _context, _instances) -> None:
        flushes.append(list(session.new) + list(session.dirty))

    event.listen(Session, "before_flush", count_flush)
    try:
        sent_all(sender_through(FakeDriver(), sessions), modem_id)
    finally:
        event.remove(Session, "before_flush", count_flush)
    assert flushes == []
    with sessions() as session:
        assert {message.status for message in session.scalars(select(Message))} == {Status.SENT}


def test_a_message_claimed_again_sends_only_its_parts_still_queued_whatever_its_attempts(
    sessions, modem_id
):
    # As the reconnection settles a message a dead daemon left with its second part in
    # the modem's hands; claimed once before (attempts 0: written so by hand, as
    # tests/test_end_to_end.py leaves one), its parts are all the same in the database.
    # Its id no part's: parts are found by their message's.
    *gone, message_id = queue(
        sessions, "0622222222", "0633333333", "0644444444", "0611111111", text=LONG
    )
    driver = FakeDriver()
    with sessions() as session:
        for other in gone:
            session.get_one(Message, other).status = Status.FAILED
        message = session.get_one(Message, message_id)
        pdus = driver.split(message.number, message.body, PduRequest())
        sending.prepare_parts(message, pdus)
        for part, state in zip(
            message.parts, [Status.SENT, Status.INTERRUPTED, Status.QUEUED], strict=True
        ):
            part.status = state
        message.modem_id = modem_id
        session.commit()

    sent_all(sender_through(driver, sessions), modem_id)

    assert driver.network.parts_taken() == [pdus[2].upper()]
    assert [part.status for part in parts_of(sessions, message_id)] == [
        Status.SENT,
        Status.INTERRUPTED,
        Status.SENT,
    ]
    assert status_of(sessions, message_id) == Status.INTERRUPTED


def test_a_part_made_anew_where_its_message_has_one_stored_is_refused_not_written_over(
    sessions, modem_id
):
    (message_id,) = queue(sessions, "0611111111")
    with sessions() as session:
        sending.prepare_parts(session.get_one(Message, message_id), ["00AA"])
        session.commit()
    with sessions() as session:
        (message,) = outgoing.claimed(session, sending.claim_rows(session, modem_id))
        ledger = Ledger()
        ledger.track([message])
        # A sender that missed the stored part would make it again and hand it over.
        message.parts[:] = [OutgoingPart(1, "00BB", Status.QUEUED)]
        sending.record_handover(message.parts[0])
        with pytest.raises(IntegrityError):
            ledger.commit(session)
        session.rollback()

    (stored,) = parts_of(sessions, message_id)
    assert (stored.pdu, stored.status, stored.attempts) == ("00AA", Status.QUEUED, 0)
