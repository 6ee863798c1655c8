"""A modem alone, or modems sharing a long queue, claim several messages in one
statement (`sending.claim`): each still goes out once, and what was claimed and not
sent goes back to the queue."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from databases import ON_POSTGRESQL
from fake_driver import FakeDriver, connected_worker
from outbox_rows import queue
from sqlalchemy import event, select
from test_routing import NOW, modems_up

from smsbox import leases, optouts, sending
from smsbox.models import Message, Status, utcnow
from smsbox.modems import ensure_modem
from smsbox.numbers import to_e164

NUMBERS = [f"06111111{n:02d}" for n in range(5)]


def states(sessions) -> dict[int, tuple[Status, int | None]]:
    with sessions() as session:
        rows = session.execute(select(Message.id, Message.status, Message.modem_id))
        return {id_: (status, modem_id) for id_, status, modem_id in rows}


def send(session, message: Message) -> None:
    """What the sender does with a claimed single-part message the modem takes."""
    sending.prepare_parts(message, ["00AA"])
    sending.record_handover(message.parts[0])
    session.commit()
    sending.record_part_sent(message, message.parts[0], reference=1)
    session.commit()


def test_a_modem_alone_takes_the_oldest_messages_up_to_its_batch_in_one_statement(
    sessions, modem_id
):
    queued = queue(sessions, *NUMBERS)
    statements: list[str] = []
    engine = sessions.kw["bind"]

    def count(_connection, _cursor, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with sessions() as session:
            claimed = sending.claim(session, modem_id, NOW, batch=3)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [message.id for message in claimed] == queued[:3]
    assert all(message.status == Status.SENDING for message in claimed)
    # SQLite records the modem's last claim in a second statement (no writes in a CTE).
    assert len(statements) == (1 if ON_POSTGRESQL else 2), "\n".join(statements)
    after = states(sessions)
    assert [after[id_] for id_ in queued] == [(Status.SENDING, modem_id)] * 3 + [
        (Status.QUEUED, None)
    ] * 2


def test_a_modem_takes_one_message_at_a_time_while_another_sending_modem_is_up(sessions):
    first, _second = modems_up(sessions, "a", "b")
    queue(sessions, *NUMBERS)
    with sessions() as session:
        assert len(sending.claim(session, first, NOW, batch=3)) == 1


def test_a_batch_skips_what_it_blocks_and_takes_the_rest(sessions, modem_id):
    queued = queue(sessions, *NUMBERS)
    with sessions() as session:
        optouts.opt_out(session, to_e164(NUMBERS[1], "FR"))
        session.commit()
    with sessions() as session:
        claimed = sending.claim(session, modem_id, NOW, batch=3)
    assert [message.id for message in claimed] == [queued[0], queued[2]]
    assert states(sessions)[queued[1]][0] == Status.BLOCKED


def test_what_a_dead_daemon_claimed_and_never_tried_goes_back_to_the_queue_once(sessions, modem_id):
    queued = queue(sessions, *NUMBERS[:3])
    with sessions() as session:
        first, *never_tried = sending.claim(session, modem_id, NOW, batch=3)
        send(session, first)
    # The daemon died here; the next start (or the daemon that takes the modem over)
    # settles what it left.
    with sessions() as session:
        assert sending.recover_unfinished(session, modem_id) == []
        session.commit()
    after = states(sessions)
    assert after[first.id] == (Status.SENT, modem_id)
    assert [after[message.id] for message in never_tried] == [(Status.QUEUED, None)] * 2
    with sessions() as session:
        again = sending.claim(session, modem_id, NOW, batch=3)
        assert [message.id for message in again] == queued[1:]
        assert all(message.parts == [] for message in again)  # nothing went out before


def test_the_worker_sends_a_batch_one_message_a_step_and_gives_back_the_rest_when_stopped(
    sessions,
):
    queued = queue(sessions, *NUMBERS[:3])
    modem = FakeDriver()
    worker = connected_worker(sessions, modem, clock=lambda: 0.0)
    worker.step()
    assert len(modem.network.submitted()) == 1
    after = states(sessions)
    assert [after[id_][0] for id_ in queued] == [Status.SENT, Status.SENDING, Status.SENDING]
    worker.stop.set()
    worker.run()
    after = states(sessions)
    assert [after[id_] for id_ in queued[1:]] == [(Status.QUEUED, None)] * 2


def test_the_worker_sends_each_message_of_a_batch_once_through_a_port_that_vanishes(sessions):
    numbers = NUMBERS[:4]
    queue(sessions, *numbers)
    modem = FakeDriver()
    worker = connected_worker(sessions, modem, clock=lambda: 0.0)
    worker.step()
    modem.vanish_at_next_submission()
    try:
        worker.step()
    except Exception:  # the port went: `run` would reconnect, as here
        worker.connect()
    for _ in range(len(numbers)):
        worker.step()
    on_network = Counter(sms.recipient for sms in modem.network.submitted())
    assert sorted(on_network) == sorted(f"+33{number[1:]}" for number in numbers)
    assert set(on_network.values()) == {1}
    assert {status for status, _ in states(sessions).values()} == {Status.SENT}


def test_a_worker_with_a_rate_limit_claims_one_message_at_a_time(sessions):
    queued = queue(sessions, *NUMBERS[:3])
    worker = connected_worker(sessions, FakeDriver(), clock=lambda: 0.0, rate_limit=60)
    worker.step()
    after = states(sessions)
    assert [after[id_][0] for id_ in queued] == [Status.SENT, Status.QUEUED, Status.QUEUED]


def test_modems_sharing_a_long_queue_take_batches_and_its_tail_one_at_a_time(sessions):
    first, second = modems_up(sessions, "a", "b")
    # Two batches of 3 for each of the two modems, and one more.
    queued = queue(sessions, *(f"0611111{n:03d}" for n in range(13)))
    with sessions() as session:
        taken = sending.claim(session, first, NOW, batch=3)
        assert [message.id for message in taken] == queued[:3]
    with sessions() as session:
        assert [message.id for message in sending.claim(session, second, NOW, batch=3)] == [
            queued[3]
        ]


def test_a_modem_being_connected_by_a_live_daemon_counts_as_a_peer(sessions):
    (first,) = modems_up(sessions, "a")
    owner = leases.Owner(host="other", token="other-1")
    with sessions() as session:
        leases.take(session, "b", owner, seconds=60, now=NOW)
        ensure_modem(session, "b", "/dev/b")  # not ready yet
        session.commit()
    queue(sessions, *(f"0611111{n:03d}" for n in range(7)))  # a batch of 3 twice and one
    with sessions() as session:
        assert len(sending.claim(session, first, NOW, batch=3)) == 1


def test_a_modem_whose_daemon_died_is_no_peer(sessions):
    (first,) = modems_up(sessions, "a")
    owner = leases.Owner(host="other", token="other-1")
    with sessions() as session:
        leases.take(session, "b", owner, seconds=60, now=NOW - timedelta(minutes=5))
        ensure_modem(session, "b", "/dev/b")
        session.commit()
    queue(sessions, *NUMBERS)
    with sessions() as session:
        assert len(sending.claim(session, first, NOW, batch=3)) == 3


def test_a_worker_among_peers_claims_its_next_message_while_its_modem_takes_one(sessions):
    # Seen now, not at NOW: the worker claims on the real clock, and NOW, taken as the
    # suite was collected, can be minutes old, long enough for a modem to be silent.
    modems_up(sessions, "idle", seen=utcnow())
    first, second, third = queue(sessions, *NUMBERS[:3])
    modem = FakeDriver()
    worker = connected_worker(sessions, modem, clock=lambda: 0.0)
    claimed_while_submitting = []
    submit = modem.submit

    def watched_submit(part, before_handover, meanwhile):
        def then_look() -> None:
            meanwhile()
            claimed_while_submitting.append(states(sessions)[second])

        return submit(part, before_handover, then_look)

    modem.submit = watched_submit
    worker.step()

    # The idle modem comes first in turn: one message is left for it, and the next
    # is this modem's as it sends, one at a time at the queue's tail.
    assert claimed_while_submitting == [(Status.SENDING, worker.modem_id)]
    worker.step()
    after = states(sessions)
    assert [after[first], after[second]] == [(Status.SENT, worker.modem_id)] * 2
    assert after[third] == (Status.QUEUED, None)
