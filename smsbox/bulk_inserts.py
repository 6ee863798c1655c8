"""Inserting many rows at once without the per-row work of the triggers that keep what
is derived from them: for messages `conversations`, `hourly_traffic` and, on SQLite,
the trigram index `message_texts`; for contacts, on SQLite, the trigram index
`contact_names`. The caller inserts, then brings each up to date with one statement
(smsbox.conversation_triggers.follow_campaign, smsbox.traffic_triggers.count_campaign,
smsbox.message_search.index_campaign, smsbox.contacts.name_search.names_indexed_at_once).

Those triggers were most of the CPU of queueing a campaign: an upsert per table and
per message row, and FTS5 indexing one text at a time (20 times slower than the same
texts indexed by one statement). Their insert triggers run only while `bulk_inserts`
is empty as their transaction sees it; a bulk insert adds a row there, inside its own
transaction, and deletes it before the end, even when it fails. No other transaction
ever sees that row, and a crash takes it away with the rest of the transaction: the
triggers cannot stay off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, delete, insert, inspect
from sqlalchemy.orm import Session

from smsbox.models import BulkInsert

TABLE = BulkInsert.__tablename__
# True while a bulk insert of this transaction runs: the insert triggers' condition.
RUNNING = f"EXISTS (SELECT 1 FROM {TABLE})"  # noqa: S608 (a name, no value)


def flag_exists(connection: Connection) -> bool:
    """Whether the database has the flag (revision 0028 on): the triggers test it only
    then, an older revision's triggers being created again after each migration."""
    return inspect(connection).has_table(TABLE)


def sqlite_when(skip: bool) -> str:
    """The WHEN clause of an SQLite insert trigger that leaves bulk inserts out."""
    return f" WHEN NOT {RUNNING}" if skip else ""


@contextmanager
def triggers_off(session: Session) -> Iterator[Connection]:
    """Turn the insert triggers of what is derived from messages and contacts off for
    what the block inserts; the block must bring it up to date itself. The block runs
    in a savepoint: an error there undoes its rows, and the flag still goes (a caller
    may go on and commit)."""
    connection = session.connection()
    # Written before the savepoint: pysqlite begins no transaction for a savepoint,
    # whose release would then commit.
    flag = connection.scalar(insert(BulkInsert).returning(BulkInsert.id))
    try:
        with session.begin_nested():
            yield connection
    finally:
        connection.execute(delete(BulkInsert).where(BulkInsert.id == flag))
