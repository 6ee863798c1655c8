"""The database each test's installation uses: SQLite in its data directory, or, when
SMSBOX_TEST_DATABASE_URL names a PostgreSQL server, a database of its own there.

On PostgreSQL, one database migrated to the newest revision is made per session and
copied (`CREATE DATABASE ... TEMPLATE`) for each installation a test sets up, which is
much faster than migrating each; the copies are dropped when the test ends. An
installation is known by its data directory, as on SQLite where the database is a file
in it: the same data directory gets the same database within a test.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from smsbox.database import upgrade

SERVER_URL = os.environ.get("SMSBOX_TEST_DATABASE_URL", "")
ON_POSTGRESQL = make_url(SERVER_URL).get_backend_name() == "postgresql" if SERVER_URL else False

# For tests of what only SQLite has (its file, its locks, its journal).
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="about SQLite's database file")


class PostgresqlServer:
    """Databases made and dropped on the server at SERVER_URL for this session."""

    def __init__(self, server_url: str):
        self.server_url = make_url(server_url)
        self.prefix = f"smsbox_test_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._numbers = itertools.count(1)
        self._admin: Engine | None = None
        self._template_ready = False

    def url_of(self, database: str) -> str:
        return self.server_url.set(database=database).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        if self._admin is None:
            self._admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            connection.exec_driver_sql(statement)

    def create(self, *, migrated: bool) -> str:
        """A new database, migrated to the newest revision or empty; returns its name."""
        name = f"{self.prefix}_{next(self._numbers)}"
        if not migrated:
            self._execute(f'CREATE DATABASE "{name}"')
            return name
        if not self._template_ready:
            self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{self.template}"')
            upgrade(self.url_of(self.template))
            self._template_ready = True
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self._template_ready:
            self.drop(self.template)
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
            for name in [*self._by_data_dir.values(), *self._extra]:
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
