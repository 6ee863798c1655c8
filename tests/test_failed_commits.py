"""A COMMIT the driver refuses leaves nothing behind for whoever takes the connection
next: on SQLite the transaction may still be open after it (the database locked past
the busy timeout, a full disk), while SQLAlchemy counts it ended."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError

from smsbox.tables import activity


def driver_error(dialect_name: str) -> Exception:
    if dialect_name == "sqlite":
        import sqlite3

        return sqlite3.OperationalError("database is locked")
    import psycopg

    return psycopg.OperationalError("could not commit")


@pytest.fixture
def engine(sessions, monkeypatch):
    """The test's engine, whose next COMMIT the driver refuses without committing."""
    engine = sessions.kw["bind"]
    dialect = engine.dialect
    real_commit = dialect.do_commit
    failures = [driver_error(dialect.name)]

    def do_commit(dbapi_connection) -> None:
        if failures:
            raise failures.pop()
        real_commit(dbapi_connection)

    monkeypatch.setattr(dialect, "do_commit", do_commit)
    return engine


def subjects(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(activity.c.subject)))


def an_entry(subject: str):
    return insert(activity).values(actor="test", action="test", subject=subject)


def test_a_session_whose_commit_failed_leaves_its_writes_to_no_later_session(sessions, engine):
    session = sessions()
    session.execute(an_entry("lost"))
    with pytest.raises(OperationalError):
        session.commit()
    session.close()
    with sessions() as later:
        later.execute(an_entry("kept"))
        later.commit()
    assert subjects(engine) == ["kept"]


def test_a_connection_whose_commit_failed_leaves_its_writes_to_no_later_use(engine):
    with engine.connect() as connection:
        connection.execute(an_entry("lost"))
        with pytest.raises(OperationalError):
            connection.commit()
    with engine.connect() as later:
        later.execute(an_entry("kept"))
        later.commit()
    assert subjects(engine) == ["kept"]
