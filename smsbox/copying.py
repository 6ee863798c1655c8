"""Copying a whole installation from one database to another (SQLite to PostgreSQL and
back): `smsbox db copy`.

The target is brought to the source's revision first and must hold no row; then every
table is copied in dependency order, in batches, in one transaction on the target
(a failed copy leaves it empty). Tables the triggers keep (`conversations`) are not
copied but rebuilt by the target's own triggers as the messages arrive. Rows keep
their ids; PostgreSQL's sequences are then moved past them. Both sides are counted
and checksummed, table by table, through the models' column types, so that the
same rows give the same checksum whatever the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, func, select, text

from smsbox import message_search, traffic_triggers
from smsbox.contacts import name_search
from smsbox.conversations import CONVERSATION_NUMBERS
from smsbox.database import make_engine, open_database
from smsbox.tables import hourly_traffic, metadata

BATCH_SIZE = 2000
# What triggers on `messages`, `contacts` and `conversations` write
# (smsbox.conversation_triggers, smsbox.traffic_triggers, smsbox.unread_triggers and
# the trigram indexes): the target's triggers rebuild them as the rows are copied, so
# copying them too would count every message twice.
MAINTAINED_TABLES = frozenset(
    {
        "conversations",
        "hourly_traffic",
        "unread_total",
        message_search.MESSAGE_TEXTS.fts_table,
        name_search.CONTACT_NAMES.fts_table,
        CONVERSATION_NUMBERS.fts_table,
    }
)


class CopyRefused(Exception):
    """The copy cannot start: the text says why, nothing was written."""


@dataclass(frozen=True)
class TableSummary:
    name: str
    rows: int
    checksum: str


@dataclass(frozen=True)
class CopyReport:
    source: list[TableSummary]
    target: list[TableSummary]

    @property
    def identical(self) -> bool:
        return self.source == self.target


def _revision(connection: Connection) -> str | None:
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _head() -> str:
    from alembic.script import ScriptDirectory

    from smsbox.database import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def _tables() -> list[Table]:
    return list(metadata.sorted_tables)


def _ordered(table: Table):
    return select(table).order_by(*table.primary_key.columns)


def summarise(connection: Connection) -> list[TableSummary]:
    """Each table's row count and a checksum of its rows in primary-key order (the
    hourly counts summed over their shards)."""
    summaries = []
    for table in _tables():
        digest = hashlib.sha256()
        rows = 0
        for batch in _batches(connection, table, summed=True):
            for row in batch:
                digest.update(repr(tuple(row)).encode())
                rows += 1
        summaries.append(TableSummary(table.name, rows, digest.hexdigest()[:16]))
    return summaries


def _batches(connection: Connection, table: Table, *, summed: bool = False) -> Iterator[list]:
    """The table's rows in key order; with `summed`, the hourly counts as a recount
    would give them, whatever the shards each was counted in."""
    counts = summed and table.name == hourly_traffic.name
    rows = traffic_triggers.counts() if counts else _ordered(table)
    result = connection.execution_options(yield_per=BATCH_SIZE).execute(rows)
    for partition in result.partitions():
        yield [dict(row._mapping) for row in partition]


def _prepare_target(source: Connection, target_url: str) -> Engine:
    from smsbox.database import upgrade

    revision = _revision(source)
    if revision != _head():
        raise CopyRefused(
            f"the source database is at revision {revision or 'none'}, not the newest:"
            " run `smsbox init` on it first"
        )
    upgrade(target_url)
    target = make_engine(target_url)
    with target.connect() as connection:
        filled = [
            table.name
            for table in _tables()
            if connection.scalar(select(func.count()).select_from(table))
        ]
    if filled:
        target.dispose()
        raise CopyRefused(
            f"the target database is not empty ({', '.join(filled)}): copy only into a new database"
        )
    return target


def _reset_sequences(connection: Connection) -> None:
    """Move each PostgreSQL sequence past the ids copied, for the next insert."""
    for table in _tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or keys[0].type.python_type is not int:
            continue
        (key,) = keys
        highest = func.max(key)
        sequence = func.pg_get_serial_sequence(table.name, key.name)
        connection.execute(
            select(func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None)))
        )


def copy_database(source_url: str, target_url: str) -> CopyReport:
    source = open_database(source_url)
    try:
        with source.connect() as reading:
            target = _prepare_target(reading, target_url)
            try:
                with target.begin() as writing:
                    for table in _tables():
                        if table.name in MAINTAINED_TABLES:
                            continue
                        for batch in _batches(reading, table):
                            writing.execute(table.insert(), batch)
                    if writing.dialect.name == "postgresql":
                        _reset_sequences(writing)
                with target.connect() as written:
                    return CopyReport(summarise(reading), summarise(written))
            finally:
                target.dispose()
    finally:
        source.dispose()
