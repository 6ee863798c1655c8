"""The daemon's Connections (modem.connections): each use ends with nothing left open,
even after a commit that failed."""

from __future__ import annotations

import pytest
from daemon_fixtures import configured_modems
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import OperationalError

from modem.connections import PooledConnections, WorkerConnection
from modem.daemon import kept_connections, open_daemon_database
from smsbox.tables import activity


@pytest.fixture
def engine(sessions):
    return sessions.kw["bind"]


def entries(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(activity))


def an_entry(connection, subject: str) -> None:
    connection.execute(insert(activity).values(actor="test", action="test", subject=subject))


def a_commit_that_fails_then_one_that_works(engine, connections) -> None:
    failing = True

    def database_fails(_connection) -> None:
        nonlocal failing
        if failing:
            failing = False
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(engine, "commit", database_fails)
    try:
        with pytest.raises(OperationalError), connections() as connection:
            an_entry(connection, "lost")
            connection.commit()
    finally:
        event.remove(engine, "commit", database_fails)
    with connections() as connection:
        an_entry(connection, "kept")
        connection.commit()


def test_a_failed_commit_leaves_nothing_for_the_next_one_on_a_pooled_connection(engine):
    before = entries(engine)
    a_commit_that_fails_then_one_that_works(engine, PooledConnections(engine))
    assert entries(engine) == before + 1


def test_a_failed_commit_leaves_nothing_for_the_next_one_on_a_worker_s_connection(engine):
    before = entries(engine)
    kept = WorkerConnection(engine)
    kept.serve(lambda: a_commit_that_fails_then_one_that_works(engine, kept))
    assert entries(engine) == before + 1


def test_a_worker_s_connection_is_one_across_its_uses_and_ends_each(engine):
    kept = WorkerConnection(engine)
    seen = []

    def uses() -> None:
        for _ in range(2):
            with kept() as connection:
                connection.scalar(select(1))
                seen.append((connection, connection.in_transaction()))
        seen.append((connection, connection.in_transaction()))

    kept.serve(uses)
    assert [in_transaction for _, in_transaction in seen] == [True, True, False]
    assert len({id(connection) for connection, _ in seen}) == 1
    assert seen[0][0].closed


@pytest.mark.parametrize("modems", [1, 3, 4, 16])
def test_each_worker_keeps_a_connection_where_the_pool_holds_one_for_each(tmp_path, modems):
    config = configured_modems(
        tmp_path, *({"name": f"m{index}", "device": f"/dev/m{index}"} for index in range(modems))
    )
    engine = open_daemon_database(config)
    try:
        kept = kept_connections(engine, config)
        # SQLite's pool keeps 5: with 3 modems' workers, 2 are left to the helpers.
        pooled = engine.dialect.name == "sqlite" and modems > 3
        assert sorted(kept) == ([] if pooled else sorted(modem.name for modem in config.modems))
    finally:
        engine.dispose()
