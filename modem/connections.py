"""The daemon's connections to its database: SQLAlchemy Core's Connections, not the
ORM's Sessions, whose mapper machinery and mapped models would cost the daemon 8 MB.
Every module the daemon runs executes Core statements and commits on either.

Each use ends as a closed Session's did: what it left uncommitted is rolled back, and
no transaction stays open until the next. A use that raised gives its database
connection up: after a commit that failed, the driver's transaction is still open
while SQLAlchemy no longer counts it, so neither a rollback nor the pool's reset ends
it, and the next commit on that connection would write it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Connection, Engine

# What the daemon's parts are given: each use of a Connection, as a `with` block (the
# tests give them an ORM sessionmaker, whose Sessions execute Core and commit alike).
Connections = Callable[[], AbstractContextManager[Connection]]


class PooledConnections:
    """Each use takes a Connection from the engine's pool and gives it back: the
    periodic jobs', the leases', the webhooks', and the workers' of a daemon whose
    modems outnumber what SQLite's pool keeps (`modem.daemon`)."""

    def __init__(self, engine: Engine):
        self._engine = engine

    @contextmanager
    def __call__(self) -> Iterator[Connection]:
        with self._engine.connect() as connection, _ended(connection):
            yield connection


class WorkerConnection:
    """A worker's one Connection, kept across its commits while its thread runs
    (`serve`): the pool's checkout and return at each use are saved, where the pool
    keeps one a modem anyway. Used by its worker's thread only."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._connection: Connection | None = None

    @contextmanager
    def __call__(self) -> Iterator[Connection]:
        connection = self._connection
        assert connection is not None, "a worker's connection is used while it serves"
        with _ended(connection):
            yield connection

    def serve(self, run: Callable[[], None]) -> None:
        with self._engine.connect() as self._connection:
            try:
                run()
            finally:
                self._connection = None


@contextmanager
def _ended(connection: Connection) -> Iterator[None]:
    try:
        yield
    except BaseException:
        connection.invalidate()  # the next use, if any, gets another from the pool
        raise
    finally:
        connection.rollback()
