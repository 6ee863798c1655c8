"""Several workers claiming from one queue at once: each message is taken exactly once.

On PostgreSQL the workers may run on several hosts: each locks its candidate row with
`FOR UPDATE SKIP LOCKED`, so none waits behind a row another is claiming.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from databases import ON_POSTGRESQL
from outbox_rows import REGION, queue
from sqlalchemy import event, select, text

from smsbox import optouts, sending
from smsbox.models import Message, Status
from smsbox.modems import ensure_modem
from smsbox.numbers import to_e164

WORKERS = 6
MESSAGES = 120


def modems(sessions, count: int) -> list[int]:
    with sessions() as session:
        ids = [ensure_modem(session, f"sim{n}", f"/dev/ttyUSB{n}") for n in range(count)]
        session.commit()
        return ids


def claim_until_empty(sessions, modem_id: int, start: threading.Barrier, batch: int) -> list[int]:
    claimed = []
    start.wait()
    with sessions() as session:
        while taken := sending.claim(session, modem_id, batch=batch):
            claimed.extend(message.id for message in taken)
    return claimed


def claim_concurrently(sessions, batch: int = 1) -> dict[int, list[int]]:
    """WORKERS modems claiming at once until none is left, `batch` at a time (none of
    them is up: each claims as if alone): the ids each took."""
    start = threading.Barrier(WORKERS)
    claims: dict[int, list[int]] = {}

    def worker(modem_id: int) -> None:
        claims[modem_id] = claim_until_empty(sessions, modem_id, start, batch)

    threads = [threading.Thread(target=worker, args=(id_,)) for id_ in modems(sessions, WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    return claims


@pytest.mark.parametrize("batch", [1, 7])
def test_it_gives_each_message_to_exactly_one_of_several_concurrent_workers(sessions, batch):
    queued = queue(sessions, *[f"06{n:08d}" for n in range(MESSAGES)])
    claims = claim_concurrently(sessions, batch)
    taken = Counter(id_ for ids in claims.values() for id_ in ids)
    assert sorted(taken) == sorted(queued)
    assert set(taken.values()) == {1}
    with sessions() as session:
        rows = session.execute(select(Message.id, Message.modem_id))
        owners = {id_: owner for id_, owner in rows}
        assert set(session.scalars(select(Message.status))) == {Status.SENDING}
        assert set(session.scalars(select(Message.attempts))) == {1}
    assert all(owners[id_] == modem_id for modem_id, ids in claims.items() for id_ in ids)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks: SQLite has one writer at a time")
def test_it_claims_the_next_message_while_another_worker_holds_the_first(sessions):
    first, second = queue(sessions, "0611111111", "0622222222")
    one, other = modems(sessions, 2)
    with sessions() as holder, sessions() as session:
        # A worker on another host between its SELECT and its commit.
        holder.execute(select(Message).where(Message.id == first).with_for_update())
        # Without SKIP LOCKED the claim would queue behind that lock: fail instead.
        session.execute(text("SET lock_timeout = '5s'"))
        claimed = sending.claim_next(session, other)
        assert claimed is not None
        assert claimed.id == second
        holder.rollback()
        assert sending.claim_next(holder, one).id == first


def test_it_blocks_each_message_to_an_opted_out_number_once_among_concurrent_workers(sessions):
    numbers = [f"06{n:08d}" for n in range(MESSAGES)]
    queued = queue(sessions, *numbers)
    opted_out = set(queued[::4])
    with sessions() as session:
        for number in numbers[::4]:
            optouts.opt_out(session, to_e164(number, REGION))
        session.commit()
    claims = claim_concurrently(sessions)
    taken = Counter(id_ for ids in claims.values() for id_ in ids)
    assert sorted(taken) == sorted(set(queued) - opted_out)
    assert set(taken.values()) == {1}
    with sessions() as session:
        blocked = session.execute(
            select(Message.id, Message.error, Message.attempts, Message.modem_id).where(
                Message.status == Status.BLOCKED
            )
        ).all()
    assert {row.id for row in blocked} == opted_out
    assert all(row.error.startswith("the recipient is on the opt-out list") for row in blocked)
    assert {(row.attempts, row.modem_id) for row in blocked} == {(0, None)}


@pytest.mark.skipif(not ON_POSTGRESQL, reason="a round trip to a database server")
def test_it_claims_a_message_in_one_round_trip_to_the_server(sessions, tmp_path):
    (first,) = queue(sessions, "0611111111")
    (modem_id,) = modems(sessions, 1)
    engine = sessions.kw["bind"]
    trace = tmp_path / "libpq.trace"
    with trace.open("w") as out:

        def start(dbapi_connection, *_args: object) -> None:
            dbapi_connection.pgconn.trace(out.fileno())

        def stop(dbapi_connection, *_args: object) -> None:
            dbapi_connection.pgconn.untrace()

        event.listen(engine, "checkout", start)
        event.listen(engine, "checkin", stop)
        try:
            with sessions() as session:
                assert sending.claim_next(session, modem_id).id == first
        finally:
            event.remove(engine, "checkout", start)
            event.remove(engine, "checkin", stop)
    # The server says it is ready for the next query at the end of each exchange.
    assert trace.read_text().count("ReadyForQuery") == 1
