"""What the worker does about incoming calls, through a driver in memory: one record
per call even across a restart, and the hang-up and SMS reply [calls] may ask for."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from fake_driver import FakeDriver
from sqlalchemy import select

from modem.drivers.contract import CallRang, IncomingCall
from modem.worker import ModemWorker
from smsbox import optouts
from smsbox.calls import list_calls
from smsbox.config import CallsConfig, MessagingConfig, ModemConfig
from smsbox.models import Direction, Message, Status

CALLER = "+33622222222"
RANG_AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
REPLY = "Nous ne prenons pas les appels : écrivez-nous par SMS."


def worker_for(sessions, modem: FakeDriver, **calls: object) -> ModemWorker:
    """A freshly started worker, as after a daemon (re)start."""
    worker = ModemWorker(
        ModemConfig(name="fake", device="/dev/null"),
        modem,
        sessions,
        messaging=MessagingConfig(default_region="FR"),
        calls=CallsConfig(**calls),
        stop=threading.Event(),
    )
    worker.connect()
    return worker


def ring(worker: ModemWorker, modem: FakeDriver, *events) -> None:
    modem.pending_events += events
    worker.step()


def logged(sessions) -> list[tuple[str | None, int, bool]]:
    with sessions() as session:
        return [(c.number, c.rings, c.hung_up) for c in reversed(list_calls(session, 10))]


def replies(sessions) -> list[tuple[str, str, Status]]:
    with sessions() as session:
        query = select(Message).where(Message.direction == Direction.OUTBOUND)
        return [(m.number, m.body, m.status) for m in session.scalars(query.order_by(Message.id))]


def test_it_counts_the_rings_heard_after_a_restart_on_the_call_recorded_before(sessions):
    modem = FakeDriver()
    before = worker_for(sessions, modem)
    ring(before, modem, IncomingCall(RANG_AT, CALLER, 1), CallRang(RANG_AT, 2))

    after = worker_for(sessions, modem)  # its tracker takes the next ring for a new call
    later = RANG_AT + timedelta(seconds=3)
    ring(after, modem, IncomingCall(later, CALLER, 1), CallRang(later, 2))

    assert logged(sessions) == [(CALLER, 4, False)]


def test_it_logs_the_caller_of_a_call_whose_first_ring_it_missed(sessions):
    # The first ring came as the worker met a fault: the driver, which kept the call,
    # tells its later rings with the number; a daemon killed then, and the next one,
    # must log one call from that number.
    modem = FakeDriver()
    before = worker_for(sessions, modem)
    ring(before, modem, CallRang(RANG_AT, 2, CALLER))

    after = worker_for(sessions, modem)
    later = RANG_AT + timedelta(seconds=3)
    ring(after, modem, IncomingCall(later, CALLER, 1))

    assert logged(sessions) == [(CALLER, 3, False)]


def test_it_logs_a_second_call_that_follows_one_it_saw_end(sessions):
    modem = FakeDriver()
    worker = worker_for(sessions, modem)
    ring(worker, modem, IncomingCall(RANG_AT, CALLER, 1), CallRang(RANG_AT, 2))
    ring(worker, modem, IncomingCall(RANG_AT + timedelta(seconds=4), CALLER, 1))

    assert logged(sessions) == [(CALLER, 2, False), (CALLER, 1, False)]


def test_it_neither_hangs_up_nor_replies_unless_configured(sessions):
    modem = FakeDriver()
    worker = worker_for(sessions, modem)
    ring(worker, modem, IncomingCall(RANG_AT, CALLER, 1), CallRang(RANG_AT, 9))

    assert modem.hang_ups == 0
    assert replies(sessions) == []


def test_it_hangs_up_once_after_the_configured_rings(sessions):
    modem = FakeDriver()
    worker = worker_for(sessions, modem, hang_up_after_rings=3)
    ring(worker, modem, IncomingCall(RANG_AT, CALLER, 1), CallRang(RANG_AT, 2))
    assert modem.hang_ups == 0

    ring(worker, modem, CallRang(RANG_AT, 3))
    ring(worker, modem, CallRang(RANG_AT, 4))  # a modem slow to end it rings once more

    assert modem.hang_ups == 1
    assert logged(sessions) == [(CALLER, 4, True)]


def test_it_replies_once_per_period_to_a_caller_and_never_to_a_withheld_number(sessions):
    modem = FakeDriver()
    worker = worker_for(sessions, modem, auto_reply=REPLY, auto_reply_every_hours=12)
    for minutes in (0, 5, 60 * 12 + 1):
        ring(worker, modem, IncomingCall(RANG_AT + timedelta(minutes=minutes), CALLER, 1))
    ring(worker, modem, IncomingCall(RANG_AT + timedelta(minutes=2), None, 1))

    assert [(number, body) for number, body, _ in replies(sessions)] == [(CALLER, REPLY)] * 2
    assert modem.texts_on_the_network() == [REPLY] * 2


def test_it_keeps_the_reply_to_an_opted_out_caller_blocked(sessions):
    with sessions() as session:
        optouts.opt_out(session, CALLER)
        session.commit()
    modem = FakeDriver()
    worker = worker_for(sessions, modem, auto_reply=REPLY)
    ring(worker, modem, IncomingCall(RANG_AT, CALLER, 1))
    worker.step()

    assert replies(sessions) == [(CALLER, REPLY, Status.BLOCKED)]
    assert modem.texts_on_the_network() == []
