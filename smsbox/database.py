"""Engine, sessions and migrations.

Alembic (and Mako, which it loads) is imported only to migrate: the daemon and
the web server, which never do, are spared its memory. The ORM is imported only
to make sessions: the daemon runs Core statements on Connections and is spared it
(8 MB with the mapped models).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import OperationalError

from smsbox.config import ConfigError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory
    from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _tune_sqlite(dbapi_connection: object, _record: object) -> None:
    # WAL lets the web server read while the daemon writes; the busy timeout
    # makes a writer wait for the other instead of failing at once.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # An insert into `messages`, whose triggers write four other tables, needs a
    # statement journal: as a file, SQLite created, unlinked and closed one in /var/tmp
    # for each message queued (0.13 ms of its 0.7 ms). Temporary tables and indexes
    # live in memory too: no query of smsbox sorts more than a page of rows.
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def make_engine(url: str, *, connections: int = 5, bounded: bool = False) -> Engine:
    """`connections`: how many the pool keeps open between uses on a database server,
    as many as the threads that use the database at once. Beyond that it opens more
    and closes each one given back: with a thread per modem, a daemon serving 8 modems
    on PostgreSQL started a server process several times a second. SQLite keeps
    SQLAlchemy's 5: a connection to a file opens in a fraction of a millisecond, and
    each kept holds its page cache (6.5 MB more for a daemon of 16 modems).

    `bounded`: on SQLite, those 5 and no more, a thread beyond them waiting for one
    (SQLAlchemy's pool timeout, 30 s). SQLite writes one transaction at a time, so a
    daemon of 16 modems gains nothing from more; each connection parses its own copy
    of the schema (0.2 MB), and the 15 such a daemon opened as its workers started
    together left 3 MB to its malloc for good."""
    if make_url(url).get_backend_name() != "sqlite":
        sized = {"pool_size": connections}
    else:
        sized = {"max_overflow": 0} if bounded else {}
    try:
        engine = create_engine(url, **sized)
    except ImportError as error:
        # The config names a driver this installation lacks (say MySQL's, or pysqlcipher).
        raise ConfigError(
            f"[database].url needs the Python module {error.name!r}, which is not installed"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    event.listen(engine, "handle_error", _give_up_after_a_failed_commit)
    return engine


def _give_up_after_a_failed_commit(context: ExceptionContext) -> None:
    """A COMMIT that failed (no statement: the transaction's own end) gives its
    connection up, as a lost one: SQLite's transaction may still be open while
    SQLAlchemy counts it ended, so that neither the Session's rollback nor the pool's
    reset ends it, and whoever took the connection next would commit its writes."""
    if context.connection is not None and context.statement is None:
        context.is_disconnect = True
        context.invalidate_pool_on_disconnect = False  # the others are sound


class DatabaseUnusable(ConfigError):
    """The configured database cannot serve: unreachable, or without smsbox's tables."""


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def check_database(engine: Engine, *, migrated: bool = True) -> None:
    """Raise DatabaseUnusable, in one line that says what to do, unless `engine`
    connects and (when `migrated`) holds the tables `smsbox init` makes."""
    where = _shown(engine.url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            if migrated and not inspect(connection).has_table("alembic_version"):
                raise DatabaseUnusable(
                    f"the database at {where} has no smsbox tables: run `smsbox init` first"
                )
    except OperationalError as error:
        reason = " ".join(str(error.orig).split())
        raise DatabaseUnusable(f"cannot use the database at {where}: {reason}") from None


def open_database(url: str, *, connections: int = 5, bounded: bool = False) -> Engine:
    """The engine of a service or command that needs the schema `smsbox init` made."""
    engine = make_engine(url, connections=connections, bounded=bounded)
    try:
        check_database(engine)
    except DatabaseUnusable:
        engine.dispose()
        raise
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker

    # Whatever writes through a session queues the webhook deliveries of its events, and
    # the sender hears of them once it commits: the session's hooks.
    import smsbox.webhooks.flush_events  # noqa: F401

    return sessionmaker(engine, expire_on_commit=False)


def open_session(url: str) -> Session:
    """One session on the database at `url`, for a command that runs once."""
    return make_session_factory(open_database(url))()


def alembic_config(url: str) -> AlembicConfig:
    """Alembic pointed at our migrations and at `url`, for `alembic.command` calls."""
    from alembic.config import Config as AlembicConfig

    import migrations

    alembic_config = AlembicConfig()
    alembic_config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    alembic_config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return alembic_config


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    import migrations

    return ScriptDirectory(str(Path(migrations.__file__).parent))


def code_revision() -> str:
    """The newest migration this code knows: what `smsbox init` brings a database to."""
    head = _scripts().get_current_head()
    assert head is not None, "the migrations have no head"
    return head


def known_revisions() -> set[str]:
    """Every migration this code knows: a database at another one is from a newer smsbox."""
    return {script.revision for script in _scripts().walk_revisions()}


def database_revision(connection: Connection) -> str | None:
    """The migration the database at the other end of `connection` is at; None when it
    has none (empty, or not smsbox's)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest revision."""
    from alembic import command

    engine = make_engine(url)
    try:
        check_database(engine, migrated=False)
    finally:
        engine.dispose()
    command.upgrade(alembic_config(url), "head")
