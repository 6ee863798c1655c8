"""The rows of messages sent, held back by the handovers' commits (`smsbox.outgoing`):
never more than HELD_AT_MOST at once, written before any report is read, and settled
as sent, when their last part went, by whoever recovers a sender that stopped."""

from __future__ import annotations

from datetime import UTC, datetime

from fake_driver import FakeDriver
from outbox_rows import queue, status_of
from sim_senders import at_submission, sender_through
from sqlalchemy import select
from test_worker import connected_worker

from modem.drivers.contract import Hook, StatusReport
from smsbox import sending
from smsbox.models import Message, MessagePart, Status
from smsbox.outgoing import HELD_AT_MOST

NUMBERS = [f"06 12 34 56 {n:02d}" for n in range(40)]
REPORTED_AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def sent_rows_held(sessions) -> list[int]:
    """The messages `sending` in the database whose every part is sent."""
    with sessions() as session:
        sending_ = session.scalars(
            select(Message).where(Message.status == Status.SENDING).order_by(Message.id)
        )
        return [
            message.id
            for message in sending_
            if message.parts and all(part.status == Status.SENT for part in message.parts)
        ]


def part_of(sessions, message_id: int) -> MessagePart:
    with sessions() as session:
        return session.scalars(
            select(MessagePart).where(MessagePart.message_id == message_id)
        ).one()


def test_a_long_queue_holds_at_most_a_batch_of_sent_rows_and_writes_them_all(sessions, modem_id):
    queued = queue(sessions, *NUMBERS)
    driver = FakeDriver()
    sender = sender_through(driver, sessions)
    held_at_each_handover: list[int] = []
    submit = driver.submit

    def count_then_submit(part: str, before_handover: Hook, meanwhile: Hook) -> int | None:
        held_at_each_handover.append(len(sent_rows_held(sessions)))
        return submit(part, before_handover, meanwhile)

    for number in range(1, len(NUMBERS) + 1):
        at_submission(driver, number, count_then_submit)
    while sender.send_one(modem_id, batch=16):
        pass

    assert max(held_at_each_handover) == HELD_AT_MOST
    assert sent_rows_held(sessions) == []
    assert [status_of(sessions, id_) for id_ in queued] == [Status.SENT] * len(NUMBERS)
    with sessions() as session:
        for id_ in queued:
            # Sent when its part went, not when its row was written.
            message = session.get_one(Message, id_)
            assert message.sent_at == message.parts[0].sent_at


def test_a_report_for_a_message_whose_row_is_held_finds_it_sent(sessions):
    queued = queue(sessions, *NUMBERS)
    modem = FakeDriver()
    worker = connected_worker(sessions, modem)
    for _ in range(4):
        worker.step()
    reported, *_ = sent_rows_held(sessions)
    reference = part_of(sessions, reported).reference
    with sessions() as session:
        recipient = session.get_one(Message, reported).number

    modem.pending_events.append(StatusReport(reference, recipient, 0x00, REPORTED_AT))
    worker.step()
    for _ in queued:
        worker.step()

    assert status_of(sessions, reported) == Status.DELIVERED
    others = [id_ for id_ in queued if id_ != reported]
    assert [status_of(sessions, id_) for id_ in others] == [Status.SENT] * len(others)


def test_a_sender_gone_with_rows_held_leaves_them_to_be_settled_as_sent(sessions, modem_id):
    first, second, third, *rest = queue(sessions, *NUMBERS[:6])
    sender = sender_through(FakeDriver(), sessions)
    for _ in range(3):
        assert sender.send_one(modem_id, batch=16)
    # kill -9: nothing more is written. The third's answer was never committed.
    assert sent_rows_held(sessions) == [first, second]
    with sessions() as session:
        sent_at = [session.get_one(Message, id_).parts[0].sent_at for id_ in (first, second)]

    with sessions() as session:
        interrupted = sending.recover_unfinished(session, modem_id)
        session.commit()

    assert [message.id for message in interrupted] == [third]
    with sessions() as session:
        settled = [session.get_one(Message, id_) for id_ in (first, second)]
        assert [(message.status, message.sent_at) for message in settled] == [
            (Status.SENT, at) for at in sent_at
        ]
    assert [status_of(sessions, id_) for id_ in rest] == [Status.QUEUED] * len(rest)
