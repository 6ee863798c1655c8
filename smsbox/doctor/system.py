"""The box's own checks: data directory, database, web port."""

from __future__ import annotations

import errno
import os
import socket

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from smsbox.config import Config, ConfigError
from smsbox.database import code_revision, database_revision, make_engine
from smsbox.doctor.access import READ, SEARCH, WRITE, Account, allows
from smsbox.doctor.holders import listening_on
from smsbox.doctor.verdicts import Verdict, fail, ok

# How long the lock check waits for a writer to finish before calling the database locked.
LOCK_WAIT_SECONDS = 1


def check_data_dir(config: Config, user: Account) -> Verdict:
    where = "data directory"
    path = config.data_dir
    if not path.is_dir():
        return fail(where, f"{path} does not exist", "create it and the database: smsbox init")
    if not allows(path, user, WRITE | SEARCH):
        return fail(
            where,
            f"{path} is not writable by {user.name}",
            f"give it to that user: sudo chown -R {user.name}: {path}",
        )
    # A file made by root (`sudo smsbox init`) leaves the service unable to write it.
    locked_out = sorted(
        entry.name
        for entry in path.iterdir()
        if entry.is_file() and not allows(entry, user, READ | WRITE)
    )
    if locked_out:
        return fail(
            where,
            f"{user.name} may not write {', '.join(locked_out)} in {path}",
            f"give them to that user: sudo chown -R {user.name}: {path}",
        )
    return ok(where, f"{path} exists and {user.name} may write in it")


def check_database(config: Config) -> list[Verdict]:
    try:
        engine = make_engine(config.database_url)
    except ConfigError as error:
        return [fail("database", str(error), "correct [database].url")]
    try:
        return _database_verdicts(engine)
    finally:
        engine.dispose()


def _database_verdicts(engine: Engine) -> list[Verdict]:
    file = engine.url.database if engine.dialect.name == "sqlite" else None
    if file and file != ":memory:" and not os.path.exists(file):
        # Connecting would create an empty file: the doctor changes nothing.
        return [fail("database", f"no database at {file}", "create it: smsbox init")]
    try:
        with engine.connect() as connection:
            current = database_revision(connection)
    except SQLAlchemyError as error:
        return [
            fail(
                "database",
                f"cannot connect: {error.orig or error}".splitlines()[0],
                "check [database].url and that the database server runs",
            )
        ]
    verdicts = [ok("database", f"reachable ({engine.dialect.name})")]
    head = code_revision()
    if current == head:
        verdicts.append(ok("database schema", f"migrated to {head}, as this code expects"))
    elif current is None:
        verdicts.append(fail("database schema", "no smsbox schema", "create it: smsbox init"))
    else:
        verdicts.append(
            fail(
                "database schema",
                f"at {current}, this code expects {head}",
                "migrate it: smsbox init (a newer database needs the newer smsbox)",
            )
        )
    verdicts.append(_lock_verdict(engine))
    return verdicts


def _lock_verdict(engine: Engine) -> Verdict:
    try:
        _take_write_lock_briefly(engine)
    except SQLAlchemyError as error:
        return fail(
            "database lock",
            f"cannot write within {LOCK_WAIT_SECONDS} s: {error.orig or error}".splitlines()[0],
            "another program holds a write lock (a sqlite3 shell, a stuck script): end it",
        )
    return ok("database lock", "not locked: a write can start at once")


def _take_write_lock_briefly(engine: Engine) -> None:
    """Take, then give back at once, the lock every writer takes; raise when someone
    holds it longer than LOCK_WAIT_SECONDS."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            connection.exec_driver_sql("ROLLBACK")
        else:
            # ROW EXCLUSIVE is what an INSERT or UPDATE takes: it waits exactly when
            # they would (a LOCK TABLE, a migration rewriting the table).
            connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT_SECONDS}s'"))
            connection.execute(text("LOCK TABLE messages IN ROW EXCLUSIVE MODE"))
            connection.rollback()


def check_web_port(config: Config) -> Verdict:
    where = "web port"
    address = f"{config.web.host}:{config.web.port}"
    with socket.socket(_family(config.web.host), socket.SOCK_STREAM) as probe:
        # As waitress binds: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((config.web.host, config.web.port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                return fail(
                    where,
                    f"cannot listen on {address}: {error.strerror}",
                    "set [web].host to an address of this machine (127.0.0.1, 0.0.0.0)",
                )
        else:
            return ok(where, f"{address} is free")
    holders = listening_on(config.web.port)
    if holders and all(holder.smsbox_service in ("web", "demo") for holder in holders):
        return ok(
            where,
            f"{address} is served by smsbox {holders[0].smsbox_service} (pid {holders[0].pid})",
        )
    named = ", ".join(holder.describe() for holder in holders) or "a process this user cannot see"
    return fail(
        where,
        f"{address} is in use by {named}",
        "stop that program, or choose another [web].port",
    )


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
