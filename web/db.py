"""One SQLAlchemy session per request, closed when the request ends; the account's
details (name, time zone) read once per request."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import AbstractContextManager

from flask import current_app, g
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from smsbox import account_details, account_settings
from smsbox.account_details import DEFAULT_NAME, AccountDetails
from smsbox.config import Config

SESSIONS_KEY = "smsbox.sessions"
CONFIG_KEY = "smsbox.config"
# The lock `one_writer` takes: that of every web process (`[web] processes`, made before
# they fork: see web.prefork), else the process's own.
WRITERS_KEY = "smsbox.sqlite_writers"
Lock = AbstractContextManager[object]


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = account_settings.read_once(get_sessions()())
    return g.db_session


def get_sessions() -> sessionmaker[Session]:
    """The app's session factory: for what outlives the request's own session (a
    streamed download, a background job, the metrics' registry)."""
    return current_app.extensions[SESSIONS_KEY]


def get_config() -> Config:
    return current_app.extensions[CONFIG_KEY]


def get_account() -> AccountDetails:
    """The account's details in force, the configuration's defaults filled in."""
    if "account" not in g:
        g.account = account_details.effective(get_session(), get_config())
    return g.account


def account_name() -> str:
    """The name the pages show; "smsbox" while the database cannot say (an error page)."""
    try:
        return get_account().name or DEFAULT_NAME
    except SQLAlchemyError:
        return DEFAULT_NAME


def get_timezone() -> str:
    """The account's time zone: of every page, the sending hours, caps and schedules."""
    return get_account().timezone


def close_session(_error: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextlib.contextmanager
def one_writer() -> Iterator[None]:
    """Run a write transaction of the request's session (commit included) alone among
    the web server's threads and processes on SQLite: the others wait on a lock, woken
    the moment it is free, instead of in SQLite's busy handler, which sleeps 1, 2, 5...
    up to 100 ms between its tries, long after the writer is done (10 API clients posting
    at once: 71 answers a second without the lock, 102 with it; p95 310 ms, 172).
    PostgreSQL writes rows concurrently: no lock there. The daemon, another process,
    still meets SQLite's busy handler."""
    if get_session().bind.dialect.name != "sqlite":
        yield
        return
    with current_app.extensions[WRITERS_KEY]:
        yield
