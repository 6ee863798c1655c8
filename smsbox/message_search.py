"""The trigram index over the messages' texts, and the search that goes through it.

A search for a word anywhere in a text cannot use an ordinary index: without one, a
rare word reads every message (seconds at a million). A trigram index finds the texts
holding every three-character slice of the word: SQLite's FTS5 `trigram` tokenizer
in `message_texts` (an external-content table: it holds the index alone, the texts
stay in `messages`) kept by the triggers below, PostgreSQL's `pg_trgm` in a GIN
index on `messages.body`. Either gives candidates, never the answer: the list still
applies its own LIKE condition to them, so that what is found is what the plain
search finds (FTS5 folds every letter's case, SQLite's LIKE only ASCII's).

Created by migration 0025_webperf, and its triggers again after every migration
(migrations/env.py), as the conversations' are.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from smsbox.dialect_sql import execute_for_dialect

log = logging.getLogger(__name__)

# A trigram index knows nothing shorter than three characters.
SHORTEST = 3
FTS_TABLE = "message_texts"
TRIGRAM_INDEX = "ix_messages_body_trigrams"
# What the migration makes that the models do not describe (FTS5 keeps its index in
# shadow tables named after its own).
UNMODELLED = frozenset(
    {FTS_TABLE, TRIGRAM_INDEX}
    | {f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "docsize", "config", "content")}
)

_INDEX_TEXT = "INSERT INTO message_texts (rowid, body) VALUES (NEW.id, NEW.body)"
# An external-content table forgets a row by being told its indexed values.
_FORGET_TEXT = (
    "INSERT INTO message_texts (message_texts, rowid, body) VALUES ('delete', OLD.id, OLD.body)"
)

_CREATE_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS message_texts_on_insert AFTER INSERT ON messages"
        f" BEGIN {_INDEX_TEXT}; END",
        "CREATE TRIGGER IF NOT EXISTS message_texts_on_delete AFTER DELETE ON messages"
        f" BEGIN {_FORGET_TEXT}; END",
        "CREATE TRIGGER IF NOT EXISTS message_texts_on_update AFTER UPDATE OF body ON messages"
        f" BEGIN {_FORGET_TEXT}; {_INDEX_TEXT}; END",
    ],
    "postgresql": [],  # the GIN index follows the table by itself
}
_DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS message_texts_on_insert",
        "DROP TRIGGER IF EXISTS message_texts_on_delete",
        "DROP TRIGGER IF EXISTS message_texts_on_update",
    ],
    "postgresql": [],
}


def create_index(connection: Connection) -> None:
    """Index the texts already stored and those to come."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE message_texts USING fts5(body, content='messages',"
            " content_rowid='id', tokenize='trigram')"
        )
        connection.exec_driver_sql("INSERT INTO message_texts (message_texts) VALUES ('rebuild')")
        create_triggers(connection)
        return
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        log.warning(
            "no trigram index on the messages' texts: the pg_trgm extension could not be"
            " created (%s); a search for a word reads every message until a superuser runs"
            " CREATE EXTENSION pg_trgm and `smsbox init` again",
            str(error.orig).strip(),
        )
        return
    connection.exec_driver_sql(
        f"CREATE INDEX {TRIGRAM_INDEX} ON messages USING gin (body gin_trgm_ops)"
    )


def drop_index(connection: Connection) -> None:
    drop_triggers(connection)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("DROP TABLE IF EXISTS message_texts")
    else:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


def create_triggers(connection: Connection) -> None:
    """Create the triggers that are missing (all of them, or none)."""
    execute_for_dialect(connection, _CREATE_TRIGGERS)


def drop_triggers(connection: Connection) -> None:
    execute_for_dialect(connection, _DROP_TRIGGERS)


def indexable(search: str) -> bool:
    return len(search) >= SHORTEST


def ids_holding(session: Session, search: str, *, limit: int) -> list[int]:
    """The ids of at most `limit` messages whose text may hold `search` (every one that
    does is among them when fewer than `limit` are found), through the trigram index."""
    if session.bind.dialect.name == "sqlite":
        # One FTS5 phrase: the whole search, its double quotes doubled.
        phrase = '"' + search.replace('"', '""') + '"'
        query = text(
            "SELECT rowid FROM message_texts WHERE message_texts MATCH :phrase LIMIT :limit"
        )
        return list(session.scalars(query, {"phrase": phrase, "limit": limit}))
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = text("SELECT id FROM messages WHERE body ILIKE :pattern LIMIT :limit")
    return list(session.scalars(query, {"pattern": f"%{escaped}%", "limit": limit}))
