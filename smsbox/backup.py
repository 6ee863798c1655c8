"""`smsbox backup` and `smsbox restore`: a copy taken while the box runs, put back
whole or not at all.

SQLite: the online backup API copies the database in one read transaction, a
consistent snapshot that (in WAL mode) never stops the daemon writing. PostgreSQL:
`pg_dump`, and `pg_restore` in one transaction.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from smsbox.config import Config
from smsbox.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    code_revision,
    database_revision,
    known_revisions,
    make_engine,
    upgrade,
)
from smsbox.doctor.holders import processes_holding

SQLITE_HEADER = b"SQLite format 3\x00"
STOP_SERVICES = "sudo systemctl stop smsbox-daemon smsbox-web"


class BackupError(Exception):
    """Said to the user in one line; nothing was written, or only a removed partial file."""


def backup(config: Config, destination: Path) -> None:
    """Copy the database to `destination`, which appears only once complete."""
    url = make_url(config.database_url)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            _backup_sqlite(_sqlite_path(url), partial)
        else:
            _create_private(partial)  # pg_dump writes into it, keeping its mode
            _pg_tool(url, "pg_dump", "--format=custom", f"--file={partial}")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, destination)


def restore(config: Config, source: Path) -> str:
    """Replace the database with the backup at `source`, then migrate it to this code's
    revision; returns the backup's revision. Refused, with nothing changed, when
    `source` is no smsbox backup, comes from a newer smsbox, or the database is in use."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite":
        revision = _restore_sqlite(_sqlite_path(url), source)
    else:
        revision = _restore_postgresql(url, source)
    upgrade(config.database_url)
    return revision


def _checked_revision(revision: str | None, source: Path) -> str:
    if revision is None:
        raise BackupError(f"{source} holds no smsbox database")
    if revision not in known_revisions():
        raise BackupError(
            f"{source} comes from a newer smsbox (schema {revision}; this one knows up to "
            f"{code_revision()}): restore it with that version"
        )
    return revision


# -- SQLite ---------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("[database].url names no database file")
    return Path(url.database)


def _create_private(path: Path) -> None:
    # The copy holds every message and number: readable by its owner only.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _copy_sqlite(source: sqlite3.Connection, partial: Path) -> None:
    _create_private(partial)
    target = sqlite3.connect(partial)
    try:
        # All pages in one step: one read transaction, one snapshot. In steps, each
        # write of the daemon in between would start the copy over.
        source.backup(target)
        # One self-contained file, with no -wal beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def _backup_sqlite(database: Path, partial: Path) -> None:
    if not database.is_file():
        raise BackupError(f"no database at {database}: nothing to back up")
    source = sqlite3.connect(database)
    try:
        source.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        _copy_sqlite(source, partial)
    finally:
        source.close()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _sqlite_backup_revision(source: Path) -> str | None:
    with source.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{source} is not a database backup")
    engine = create_engine("sqlite://", creator=lambda: _read_only(source))
    try:
        with engine.connect() as connection:
            if connection.exec_driver_sql("PRAGMA quick_check").scalar() != "ok":
                raise BackupError(f"{source} is damaged (SQLite's quick_check fails)")
            return database_revision(connection)
    finally:
        engine.dispose()


def _refuse_while_in_use(database: Path) -> None:
    holders = [
        holder
        for path in (database, database.with_name(database.name + "-wal"))
        if path.exists()
        for holder in processes_holding(path)
    ]
    if holders:
        named = ", ".join(sorted({holder.describe() for holder in holders}))
        raise BackupError(f"the database is in use by {named}: stop them first ({STOP_SERVICES})")


def _restore_sqlite(database: Path, source: Path) -> str:
    revision = _checked_revision(_sqlite_backup_revision(source), source)
    _refuse_while_in_use(database)
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(f".{database.name}.restoring")
    partial.unlink(missing_ok=True)
    backup_copy = _read_only(source)
    try:
        _copy_sqlite(backup_copy, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        backup_copy.close()
    if database.exists():
        # What the old database's WAL holds goes into it first: a -wal left beside
        # the new file would be replayed into it.
        old = sqlite3.connect(database)
        old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        old.close()
    for sidecar in ("-wal", "-shm"):
        database.with_name(database.name + sidecar).unlink(missing_ok=True)
    os.replace(partial, database)
    return revision


# -- PostgreSQL -----------------------------------------------------------------


def _libpq_uri(url: URL) -> str:
    """libpq's URL for `url`, its password left out (it goes through the environment,
    not the command line). Written here: SQLAlchemy writes a space in a query value
    as `+`, which libpq does not read back ("options=-c+synchronous_commit=off")."""
    user = f"{quote(url.username, safe='')}@" if url.username else ""
    port = f":{url.port}" if url.port else ""
    query = urlencode(url.query, doseq=True, quote_via=quote)
    database = quote(url.database or "", safe="")
    return f"postgresql://{user}{url.host or ''}{port}/{database}" + (f"?{query}" if query else "")


def _pg_tool(url: URL, tool: str, *arguments: str) -> str:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed: sudo apt-get install postgresql-client")
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    run = subprocess.run(
        [tool, *arguments, f"--dbname={_libpq_uri(url)}"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if run.returncode != 0:
        said = run.stderr.strip().splitlines()
        raise BackupError(f"{tool} failed: {said[-1] if said else f'exit status {run.returncode}'}")
    return run.stdout


def _pg_backup_revision(source: Path) -> str | None:
    # The alembic_version rows of the dump, as SQL on standard output.
    listing = subprocess.run(
        ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError(f"{source} is not a database backup")
    lines = listing.stdout.splitlines()
    for position, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and position + 1 < len(lines):
            value = lines[position + 1].strip()
            return None if value == "\\." else value
    return None


def _restore_postgresql(url: URL, source: Path) -> str:
    revision = _checked_revision(_pg_backup_revision(source), source)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            others = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
    finally:
        engine.dispose()
    if others:
        raise BackupError(
            f"the database has {others} other connection(s): stop the services on every "
            f"host first ({STOP_SERVICES})"
        )
    _pg_tool(
        url,
        "pg_restore",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--no-owner",
        str(source),
    )
    return revision
