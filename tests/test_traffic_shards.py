"""The dashboard's hourly counts on PostgreSQL: each connection counts in a shard of its
own, so that transactions changing messages of the same hour never wait for each other
(with one row a count, every daemon's worker waited for the others' commits); the
daemon folds the shards of past hours into one row a count, each count kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime

import pytest
from databases import ON_POSTGRESQL
from sqlalchemy import Connection, Engine, func, select, text, update

from smsbox import traffic_triggers
from smsbox.models import Direction, HourlyTraffic, Message, Status

pytestmark = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="SQLite has one writer at a time: it counts in one shard"
)

OUT = Direction.OUTBOUND
# 10:15 UTC on 1 November 2026, long past: the fold takes its hour.
PAST = datetime(2026, 11, 1, 10, 15, tzinfo=UTC)
PAST_HOUR = int(PAST.timestamp() // 3600)
WAIT_AT_MOST = "SET LOCAL lock_timeout = '2s'"


def queue(engine: Engine, count: int) -> list[int]:
    with engine.begin() as connection:
        return [
            connection.scalar(
                Message.__table__.insert()
                .values(
                    direction=OUT,
                    number=f"+3361111111{number}",
                    raw_number=f"061111111{number}",
                    body="hello",
                    status=Status.QUEUED,
                    created_at=PAST,
                    attempts=0,
                )
                .returning(Message.id)
            )
            for number in range(count)
        ]


def shard_of(connection: Connection) -> int:
    return connection.scalar(text(f"SELECT {traffic_triggers.SHARD['postgresql']}"))


@contextmanager
def connections_in_different_shards(engine: Engine, count: int) -> Iterator[list[Connection]]:
    """`count` connections, each counting in a shard of its own, each in a transaction."""
    with ExitStack() as stack:
        chosen: dict[int, Connection] = {}
        while len(chosen) < count:
            connection = stack.enter_context(engine.connect())
            chosen.setdefault(shard_of(connection), connection)
        yield list(chosen.values())


def set_status(connection: Connection, message_id: int, status: Status) -> None:
    connection.execute(update(Message).where(Message.id == message_id).values(status=status))


def counts(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(traffic_triggers.counts())]


def rows(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(HourlyTraffic.__table__).order_by(*HourlyTraffic.__table__.primary_key)
            )
        ]


@pytest.fixture
def engine(sessions) -> Engine:
    with sessions() as session:
        return session.get_bind()


def test_two_transactions_changing_messages_of_the_same_hour_do_not_wait_for_each_other(engine):
    first, second = queue(engine, 2)
    with connections_in_different_shards(engine, 2) as (one, other):
        set_status(one, first, Status.SENDING)  # not committed yet
        other.execute(text(WAIT_AT_MOST))
        set_status(other, second, Status.SENDING)  # waited out the lock timeout before
        other.commit()
        one.commit()
    assert counts(engine) == [(PAST_HOUR, "out", "sending", 2)]


def test_folding_leaves_one_row_a_count_and_every_count_as_it_was(engine):
    ids = queue(engine, 3)
    with connections_in_different_shards(engine, 3) as connections:
        for connection, message_id in zip(connections, ids, strict=True):
            set_status(connection, message_id, Status.SENT)
            connection.commit()
    before = counts(engine)
    assert len(rows(engine)) > len(before)

    with engine.begin() as connection:
        traffic_triggers.fold_shards(connection, before_hour=PAST_HOUR + 1)

    assert counts(engine) == before == [(PAST_HOUR, "out", "sent", 3)]
    assert rows(engine) == [(PAST_HOUR, "out", "sent", 0, 3)]


def test_folding_leaves_a_count_held_by_a_transaction_to_the_next_fold(engine):
    first, second = queue(engine, 2)
    with connections_in_different_shards(engine, 2) as (one, other):
        set_status(other, second, Status.SENT)
        other.commit()
        set_status(one, first, Status.SENT)  # holds its shard's rows until its commit
        with engine.begin() as folding:
            folding.execute(text(WAIT_AT_MOST))
            traffic_triggers.fold_shards(folding, before_hour=PAST_HOUR + 1)
        one.commit()
    assert counts(engine) == [(PAST_HOUR, "out", "sent", 2)]

    with engine.begin() as connection:
        traffic_triggers.fold_shards(connection, before_hour=PAST_HOUR + 1)
    assert rows(engine) == [(PAST_HOUR, "out", "sent", 0, 2)]


def test_folding_leaves_the_hours_from_the_one_given(engine):
    (only,) = queue(engine, 1)
    with connections_in_different_shards(engine, 1) as (connection,):
        set_status(connection, only, Status.SENT)
        connection.commit()
    before = rows(engine)
    with engine.begin() as connection:
        traffic_triggers.fold_shards(connection, before_hour=PAST_HOUR)
    assert rows(engine) == before
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(HourlyTraffic)) == len(before)


def test_a_message_counted_in_one_shard_and_changed_in_another_counts_once(engine):
    (only,) = queue(engine, 1)  # counted as queued in the queueing connection's shard
    with connections_in_different_shards(engine, 2) as connections:
        for connection, status in zip(connections, (Status.SENDING, Status.SENT), strict=True):
            set_status(connection, only, status)
            connection.commit()
    assert counts(engine) == [(PAST_HOUR, "out", "sent", 1)]
