"""A service's engine keeps open a connection for each of its threads that use the
database at once: a connection opened and closed at each use costs a server process
on PostgreSQL, and a daemon with a worker per modem used more than the pool kept.
SQLite keeps the default pool (smsbox.database.make_engine); the daemon's never grows
beyond it, each connection holding its own copy of the schema."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from databases import ON_POSTGRESQL
from sqlalchemy import event, text

from smsbox.database import open_database
from smsbox.setup import initialise

THREADS = 9
ROUNDS = 3
SQLITE_POOL = 5  # SQLAlchemy's default pool_size


def in_threads(work: Callable[[], None]) -> None:
    """`work` in THREADS threads at once, until each is done."""
    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="a database server's connections")
def test_it_opens_each_connection_once_however_often_its_threads_use_them(config):
    initialise(config)
    engine = open_database(config.database_url, connections=THREADS)
    already_open = engine.pool.checkedin()  # the one that checked the schema
    opened: list[object] = []
    event.listen(engine, "connect", lambda connection, _record: opened.append(connection))
    together = threading.Barrier(THREADS)

    def use_the_database() -> None:
        for _ in range(ROUNDS):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                together.wait(timeout=30)  # every thread holds its connection at once
            together.wait(timeout=30)

    in_threads(use_the_database)
    engine.dispose()
    assert already_open + len(opened) == THREADS


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's connections")
def test_a_bounded_engine_on_sqlite_shares_its_pool_among_more_threads(config):
    initialise(config)
    engine = open_database(config.database_url, connections=THREADS, bounded=True)
    in_use = 0
    most_in_use = 0
    counting = threading.Lock()
    rounds_done: list[int] = []

    def use_the_database() -> None:
        nonlocal in_use, most_in_use
        for round_number in range(ROUNDS):
            with engine.connect() as connection:
                with counting:
                    in_use += 1
                    most_in_use = max(most_in_use, in_use)
                connection.execute(text("SELECT 1"))
                time.sleep(0.05)  # long enough for the other threads to want one too
                with counting:
                    in_use -= 1
            rounds_done.append(round_number)

    in_threads(use_the_database)
    engine.dispose()
    assert len(rounds_done) == THREADS * ROUNDS
    assert most_in_use == SQLITE_POOL
