"""The database each test's installation uses: SQLite in its data directory, or, when
SMSBOX_TEST_DATABASE_URL names a PostgreSQL server, a database of its own there.

On PostgreSQL, one database migrated to the newest revision is made per session and
copied (`CREATE DATABASE ... TEMPLATE`), much faster than migrating each; a copy a
test is done with is emptied for the next test, and all are dropped at the end. An
installation is known by its data directory, as on SQLite where the database is a file
in it: the same data directory gets the same database within a test.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from smsbox.database import upgrade

SERVER_URL = os.environ.get("SMSBOX_TEST_DATABASE_URL", "")
ON_POSTGRESQL = make_url(SERVER_URL).get_backend_name() == "postgresql" if SERVER_URL else False

# For tests of what only SQLite has (its file, its locks, its journal).
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="about SQLite's database file")


# For tests that read SQLite's query plans: PostgreSQL's planner chooses by the table's
# statistics, and on a test's few rows rightly reads the whole table.
sqlite_query_plans = pytest.mark.skipif(
    ON_POSTGRESQL, reason="reads SQLite's query plans (EXPLAIN QUERY PLAN)"
)


class PostgresqlServer:
    """Databases made on the server at SERVER_URL for this session, and dropped.

    Making a database costs a second or more (the server writes it to disk), emptying
    one a few milliseconds: a migrated database a test is done with is emptied and
    handed to the next test, and made only when none is free.
    """

    def __init__(self, server_url: str):
        self.server_url = make_url(server_url)
        self.prefix = f"smsbox_test_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._numbers = itertools.count(1)
        self._admin: Engine | None = None
        self._head: str | None = None
        self._free: list[str] = []
        self._made: set[str] = set()

    def url_of(self, database: str) -> str:
        url = self.server_url.set(database=database)
        if "options" not in url.query:
            # A test's commits need not wait for the disk: nothing must survive a crash.
            url = url.update_query_dict({"options": "-c synchronous_commit=off"})
        return url.render_as_string(hide_password=False)

    def _execute(self, statement: str, parameters: dict | None = None) -> None:
        if self._admin is None:
            self._admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            connection.execute(text(statement), parameters or {})

    def _new(self, template: str = "template1") -> str:
        name = f"{self.prefix}_{next(self._numbers)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self._made.add(name)
        return name

    def create(self, *, migrated: bool) -> str:
        """A database migrated to the newest revision and empty, or with no table at
        all; returns its name."""
        if not migrated:
            return self._new()
        if self._free:
            return self._free.pop()
        if self._head is None:
            self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{self.template}"')
            upgrade(self.url_of(self.template))
            self._head = self._revision(self.template)
        return self._new(self.template)

    def _revision(self, name: str) -> str | None:
        engine = create_engine(self.url_of(name), poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return connection.scalar(text("SELECT version_num FROM alembic_version"))
        finally:
            engine.dispose()

    def release(self, name: str) -> None:
        """Empty a migrated database a test is done with, for the next; or drop it if
        the test changed its schema."""
        self._execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = :name AND pid <> pg_backend_pid()",
            {"name": name},
        )
        engine = create_engine(self.url_of(name), poolclass=NullPool)
        try:
            with engine.begin() as connection:
                if connection.scalar(text("SELECT version_num FROM alembic_version")) != self._head:
                    raise LookupError("the test moved its database to another revision")
                tables = connection.scalars(
                    text(
                        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
                        " AND tablename <> 'alembic_version'"
                    )
                ).all()
                connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        except (LookupError, SQLAlchemyError):
            self.drop(name)
            return
        finally:
            engine.dispose()
        self._free.append(name)

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._made.discard(name)

    def close(self) -> None:
        for name in [*self._made, self.template]:
            self.drop(name)
        if self._admin is not None:
            self._admin.dispose()


class TestDatabases:
    """The databases one test made, by data directory."""

    __test__ = False

    def __init__(self, server: PostgresqlServer | None):
        self.server = server
        self._by_data_dir: dict[Path, str] = {}
        self._extra: list[str] = []

    def url_for(self, data_dir: Path) -> str:
        """The URL of the installation with this data directory: "" (the default, its
        SQLite file) on SQLite."""
        if self.server is None:
            return ""
        key = data_dir.resolve()
        if key not in self._by_data_dir:
            self._by_data_dir[key] = self.server.create(migrated=True)
        return self.server.url_of(self._by_data_dir[key])

    def empty(self, data_dir: Path) -> str:
        """The URL of a database with no table at all, for migrations to start from."""
        if self.server is None:
            data_dir.mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{data_dir / 'smsbox.db'}"
        name = self.server.create(migrated=False)
        self._extra.append(name)
        return self.server.url_of(name)

    def drop_all(self) -> None:
        if self.server is not None:
            for name in self._by_data_dir.values():
                self.server.release(name)
            for name in self._extra:
                self.server.drop(name)


_current: TestDatabases | None = None


def serve(databases: TestDatabases | None) -> None:
    """Make `databases` the ones the helpers below hand out (conftest's autouse fixture)."""
    global _current
    _current = databases


def _databases() -> TestDatabases:
    assert _current is not None, "only inside a test"
    return _current


def database_url_for(data_dir: Path) -> str:
    """[database].url for the installation with this data directory ("": SQLite's default)."""
    return _databases().url_for(data_dir)


def database_section(data_dir: Path) -> dict[str, str]:
    """The [database] table of an installation's config, as parse_config takes it."""
    url = database_url_for(data_dir)
    return {"url": url} if url else {}


def database_toml(data_dir: Path) -> str:
    """The [database] table of an installation's config file (TOML), or nothing."""
    url = _databases().url_for(data_dir)
    return f'\n[database]\nurl = "{url}"\n' if url else ""


def empty_database_url(data_dir: Path) -> str:
    return _databases().empty(data_dir)
