"""Inserting many rows at once without the per-row work of the triggers that keep what
is derived from them: for messages `conversations`, `hourly_traffic`, `unread_total`
and, on SQLite, the trigram index `message_texts`; for contacts, on SQLite, the
trigram index `contact_names`. The caller inserts, then brings each up to date with
one statement (smsbox.conversation_triggers.follow_campaign,
smsbox.traffic_triggers.count_inserted, smsbox.unread_triggers.count_campaign,
smsbox.message_search.index_campaign, smsbox.contacts.name_search.names_indexed_at_once).

Those triggers were most of the CPU of queueing a campaign: an upsert per table and
per message row, and FTS5 indexing one text at a time (20 times slower than the same
texts indexed by one statement). Their insert triggers run only while `bulk_inserts`
is empty as their transaction sees it; a bulk insert adds a row there, inside its own
transaction, and deletes it before the end, even when it fails. No other transaction
ever sees that row, and a crash takes it away with the rest of the transaction: the
triggers cannot stay off.

On SQLite the flag alone still left a cost per row: SQLite runs each insert trigger's
program for every row and tests its `WHEN` inside it. With the four insert triggers
of `messages` there, idle, inserting 98,000 messages took 14 s of CPU in SQLite, 2.2
s without them (the unread count's trigger alone 3.7 s). So the block also drops the
insert triggers that test the flag, inside its savepoint, and creates them again from
their own stored text before releasing it. SQLite's schema is transactional: no other
connection ever sees them missing (a writer waits for this transaction's lock; a
reader reads its snapshot), and an error or a crash rolls the drop back with the rows.
PostgreSQL's `DROP TRIGGER` would lock the table against readers until the commit,
and its triggers test the flag cheaply: there the flag alone does it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Dialect, Table, delete, insert, inspect, text

from smsbox.tables import bulk_inserts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

TABLE = bulk_inserts.name
# True while a bulk insert of this transaction runs: the insert triggers' condition.
RUNNING = f"EXISTS (SELECT 1 FROM {TABLE})"  # noqa: S608 (a name, no value)


def flag_exists(connection: Connection) -> bool:
    """Whether the database has the flag (revision 0028 on): the triggers test it only
    then, an older revision's triggers being created again after each migration."""
    return inspect(connection).has_table(TABLE)


def sqlite_when(skip: bool) -> str:
    """The WHEN clause of an SQLite insert trigger that leaves bulk inserts out."""
    return f" WHEN NOT {RUNNING}" if skip else ""


def plpgsql_skip(skip: bool) -> str:
    """The start of a PostgreSQL trigger function for inserts, updates and deletes that
    leaves bulk inserts out."""
    return f" IF TG_OP = 'INSERT' AND {RUNNING} THEN RETURN NULL; END IF;" if skip else ""


@contextmanager
def triggers_off(session: Session) -> Iterator[Connection]:
    """Turn the insert triggers of what is derived from messages and contacts off for
    what the block inserts; the block must bring it up to date itself. The block runs
    in a savepoint: an error there undoes its rows, and the flag still goes (a caller
    may go on and commit)."""
    connection = session.connection()
    # Written before the savepoint: pysqlite begins no transaction for a savepoint,
    # whose release would then commit.
    flag = connection.scalar(insert(bulk_inserts).returning(bulk_inserts.c.id))
    try:
        with session.begin_nested():
            # Asked again: the savepoint begins as the session hands its connection out.
            connection = session.connection()
            dropped = _drop_flagged_triggers(connection)
            yield connection
            for definition in dropped:
                connection.exec_driver_sql(definition)
    finally:
        connection.execute(delete(bulk_inserts).where(bulk_inserts.c.id == flag))


def _drop_flagged_triggers(connection: Connection) -> list[str]:
    """On SQLite, drop the insert triggers that test the flag; their definitions, to
    create them again."""
    if connection.dialect.name != "sqlite":
        return []
    flagged = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND instr(sql, :running)"),
        {"running": RUNNING},
    ).all()
    for name, _ in flagged:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return [definition for _, definition in flagged]


def insert_many(
    connection: Connection,
    table: Table,
    shared: Mapping[str, Any],
    keys: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Insert a row per item of `rows` (its values for the columns `keys`, in that
    order), each with the values of `shared` too, by one executemany.

    Where the driver takes positional parameters (SQLite), the statement is compiled
    once and each row goes to the driver as a tuple, its values put through their
    column types' bind processing here: SQLAlchemy's processing of each row's
    parameters was a third of the CPU of inserting a campaign's 98,000 messages, even
    for the values every row shares, which are processed once here. Elsewhere it is a
    plain Core executemany."""
    dialect = connection.dialect
    statement = insert(table)
    compiled = statement.compile(dialect=dialect, column_keys=[*keys, *shared])
    if not compiled.positional:
        connection.execute(
            statement, [{**shared, **dict(zip(keys, row, strict=True))} for row in rows]
        )
        return
    fixed = [_processed(table, key, dialect)(value) for key, value in shared.items()]
    # Only the columns whose type does something to a value (JSON, say) are processed.
    processed = [
        (index, process)
        for index, process in enumerate(_processed(table, key, dialect) for key in keys)
        if process is not _as_is
    ]
    # Where each parameter of the statement is in a row followed by the shared values.
    place = {key: index for index, key in enumerate([*keys, *shared])}
    ordered = itemgetter(*(place[name] for name in compiled.positiontup))
    if processed:
        rows = (_processed_values(row, processed) for row in rows)
    connection.exec_driver_sql(compiled.string, [ordered((*row, *fixed)) for row in rows])


def _processed_values(
    row: Sequence[Any], processed: list[tuple[int, Callable[[Any], Any]]]
) -> list[Any]:
    values = list(row)
    for index, process in processed:
        values[index] = process(values[index])
    return values


def _as_is(value: Any) -> Any:
    return value


def _processed(table: Table, key: str, dialect: Dialect) -> Callable[[Any], Any]:
    """What the column's type makes of a value for the driver."""
    return table.c[key].type.dialect_impl(dialect).bind_processor(dialect) or _as_is
