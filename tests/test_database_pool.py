"""A service's engine keeps open a connection for each of its threads that use the
database at once: a connection opened and closed at each use costs a server process
on PostgreSQL, and a daemon with a worker per modem used more than the pool kept.
SQLite keeps the default pool (smsbox.database.make_engine)."""

from __future__ import annotations

import threading

import pytest
from databases import ON_POSTGRESQL
from sqlalchemy import event, text

from smsbox.database import open_database
from smsbox.setup import initialise

THREADS = 9
ROUNDS = 3


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

    threads = [threading.Thread(target=use_the_database) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert already_open + len(opened) == THREADS
