"""Trigram indexes: finding a piece of text anywhere in a column without reading
every row.

An ordinary index serves a value or its start, not a word in the middle of a text or
digits in the middle of a number. A trigram index finds the rows holding every
three-character slice of what is searched: SQLite's FTS5 `trigram` tokenizer in an
external-content table (it holds the index alone; the text stays in its table) kept
by the triggers below, PostgreSQL's `pg_trgm` in a GIN index the planner uses for
LIKE by itself. Either gives candidates, never the answer: the search still applies
its own condition to them, so that what is found is what the plain search finds
(FTS5 folds every letter's case, SQLite's LIKE only ASCII's).

Each index is made by a migration, and its triggers again after every migration
(migrations/env.py), as the conversations' are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Select, column, literal_column, select, table, text
from sqlalchemy.exc import DBAPIError

from smsbox import bulk_inserts

log = logging.getLogger(__name__)

# A trigram index knows nothing shorter than three characters.
SHORTEST = 3
_FTS_SHADOWS = ("data", "idx", "docsize", "config", "content")


def indexable(search: str) -> bool:
    return len(search) >= SHORTEST


def match_phrase(search: str) -> str:
    """`search` as one FTS5 phrase: the whole of it, its double quotes doubled."""
    return '"' + search.replace('"', '""') + '"'


@dataclass(frozen=True)
class TrigramIndex:
    """One index; its names are written into SQL, so they are constants of the code
    (smsbox.message_search, smsbox.conversations), never input."""

    table: str
    column: str
    # The SQLite integer key the FTS table's rows are known by ("rowid" for a table
    # whose primary key is not an integer).
    row_key: str
    fts_table: str
    gin_index: str
    # Whether the SQLite insert trigger leaves bulk inserts out (smsbox.bulk_inserts):
    # their rows are then indexed by index_rows, 20 times faster than a trigger does
    # one by one.
    skips_bulk: bool = False

    @property
    def unmodelled(self) -> frozenset[str]:
        """What the migration makes that the models do not describe (FTS5 keeps its
        index in shadow tables named after its own)."""
        shadows = {f"{self.fts_table}_{shadow}" for shadow in _FTS_SHADOWS}
        return frozenset({self.fts_table, self.gin_index} | shadows)

    def create(self, connection: Connection) -> None:
        """Index the rows already stored and those to come."""
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {self.fts_table} USING fts5({self.column},"
                f" content='{self.table}', content_rowid='{self.row_key}', tokenize='trigram')"
            )
            connection.exec_driver_sql(
                f"INSERT INTO {self.fts_table} ({self.fts_table}) VALUES ('rebuild')"  # noqa: S608
            )
            self.create_triggers(connection)
            return
        try:
            with connection.begin_nested():
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DBAPIError as error:
            log.warning(
                "no trigram index on %s.%s: the pg_trgm extension could not be created (%s);"
                " a search for a piece of it reads every row until a superuser runs"
                " CREATE EXTENSION pg_trgm and `smsbox init` again",
                self.table,
                self.column,
                str(error.orig).strip(),
            )
            return
        connection.exec_driver_sql(
            f"CREATE INDEX {self.gin_index} ON {self.table} USING gin ({self.column} gin_trgm_ops)"
        )

    def drop(self, connection: Connection) -> None:
        self.drop_triggers(connection)
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self.fts_table}")
        else:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {self.gin_index}")

    def create_triggers(self, connection: Connection) -> None:
        """Create the SQLite triggers that are missing (all of them, or none); the GIN
        index follows its table by itself."""
        if connection.dialect.name != "sqlite":
            return
        index = (
            f"INSERT INTO {self.fts_table} (rowid, {self.column})"  # noqa: S608
            f" VALUES (NEW.{self.row_key}, NEW.{self.column})"
        )
        # An external-content table forgets a row by being told its indexed values.
        forget = (
            f"INSERT INTO {self.fts_table} ({self.fts_table}, rowid, {self.column})"  # noqa: S608
            f" VALUES ('delete', OLD.{self.row_key}, OLD.{self.column})"
        )
        skip = self.skips_bulk and bulk_inserts.flag_exists(connection)
        for name, event, actions in (
            ("insert", f"AFTER INSERT ON {self.table}{bulk_inserts.sqlite_when(skip)}", index),
            ("delete", f"AFTER DELETE ON {self.table}", forget),
            ("update", f"AFTER UPDATE OF {self.column} ON {self.table}", f"{forget}; {index}"),
        ):
            connection.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS {self.fts_table}_on_{name} {event}"
                f" BEGIN {actions}; END"
            )

    def drop_triggers(self, connection: Connection) -> None:
        if connection.dialect.name != "sqlite":
            return
        for name in ("insert", "delete", "update"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {self.fts_table}_on_{name}")

    def index_rows(self, connection: Connection, where: str, values: dict[str, object]) -> None:
        """Index the rows matching `where` (a condition written here, its values given
        apart) that were inserted with the triggers off (smsbox.bulk_inserts), as the
        triggers would have, in one statement. Nothing to do on PostgreSQL."""
        if connection.dialect.name == "sqlite":
            statement = (
                f"INSERT INTO {self.fts_table} (rowid, {self.column})"  # noqa: S608 (no values)
                f" SELECT {self.row_key}, {self.column} FROM {self.table} WHERE {where}"
            )
            connection.execute(text(statement), values)

    def rows_holding(self, search: str) -> Select[tuple[int]]:
        """SQLite: the row keys of the rows whose column may hold `search`, every one
        that does among them."""
        index = table(self.fts_table, column("rowid"))
        match = literal_column(self.fts_table).op("MATCH")(match_phrase(search))
        return select(index.c.rowid).where(match)
