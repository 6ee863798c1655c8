"""The triggers that count messages in `hourly_traffic` (per hour, direction and
state) as `messages` changes, whatever writes them: the daemon, the web, the CLI.

Created by migration 0021, and again after every migration (migrations/env.py), as
the conversations' triggers are: on SQLite, a later revision that copies `messages`
to a new table (Alembic's batch mode) leaves it without them.

On PostgreSQL each connection counts in a shard of its own (revision 0032 on): with
one row per hour, direction and state, every transaction that changed a message's
state waited for the row lock of every other one until its commit, so that the
workers of all the daemons on one database sent one after the other (a claim took
200 ms with 64 modems). A count is the sum of its shards; the daemon folds the
shards of past hours into shard 0 (`fold_shards`), where the bulk counts also go.
SQLite has one writer at a time: shard 0 is all it uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, inspect, select, text

from smsbox import bulk_inserts
from smsbox.dialect_sql import execute_for_dialect
from smsbox.tables import UTCDateTime, hourly_traffic

# Hours since 1970 of a UTC time stored without its zone (smsbox.tables.UTCDateTime).
# SQLite's date functions round to the millisecond (10:59:59.9999 would be 11:00): the
# fraction of the second, written after the first 19 characters, is left out.
HOUR = {
    "sqlite": "(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) / 3600)",
    "postgresql": "CAST(floor(extract(epoch FROM {0}) / 3600) AS integer)",
}


# The shards a PostgreSQL connection counts in, by its server process: 1 to SHARDS.
SHARDS = 1024
SHARD = {"sqlite": "0", "postgresql": f"(1 + mod(pg_backend_pid(), {SHARDS}))"}
KEY = "hour, direction, status, shard"
KEY_BEFORE_SHARDS = "hour, direction, status"


def _add(dialect: str, row: str, step: str, sharded: bool) -> str:
    """The statement that adds `step` (1 or -1) to the count of messages like `row`
    (NEW or OLD)."""
    hour = HOUR[dialect].format(f"{row}.created_at")
    key, shard = (KEY, f", {SHARD[dialect]}") if sharded else (KEY_BEFORE_SHARDS, "")
    return (
        f"INSERT INTO hourly_traffic ({key}, total)"  # noqa: S608 (names, no values)
        f" VALUES ({hour}, {row}.direction, {row}.status{shard}, {step})"
        f" ON CONFLICT ({key}) DO UPDATE SET total = hourly_traffic.total + {step}"
    )


def _count(dialect: str, row: str, sharded: bool) -> str:
    """The statement that counts one more message like `row`."""
    return _add(dialect, row, "1", sharded)


def _uncount(dialect: str, row: str, sharded: bool) -> str:
    """The statements that count one message like `row` less; a count down to zero
    goes, so that a table with one shard holds what a recount would."""
    hour = HOUR[dialect].format(f"{row}.created_at")
    shard = f" AND shard = {SHARD[dialect]}" if sharded else ""
    empty = (
        f"DELETE FROM hourly_traffic WHERE hour = {hour} AND direction = {row}.direction"  # noqa: S608 (names, no values)
        f" AND status = {row}.status{shard} AND total = 0"
    )
    return f"{_add(dialect, row, '-1', sharded)}; {empty}"


def _create(skip_bulk: bool, sharded: bool) -> dict[str, list[str]]:
    """The statements creating the triggers; with `skip_bulk`, their insert trigger
    leaves out the rows of a bulk insert (smsbox.bulk_inserts); `sharded` from revision
    0032 on."""
    return_if_bulk = bulk_inserts.plpgsql_skip(skip_bulk)
    count = {dialect: _count(dialect, "NEW", sharded) for dialect in HOUR}
    uncount = {dialect: _uncount(dialect, "OLD", sharded) for dialect in HOUR}
    return {
        "sqlite": [
            "CREATE TRIGGER IF NOT EXISTS hourly_traffic_on_insert AFTER INSERT ON messages"
            f"{bulk_inserts.sqlite_when(skip_bulk)} BEGIN {count['sqlite']}; END",
            "CREATE TRIGGER IF NOT EXISTS hourly_traffic_on_delete AFTER DELETE ON messages"
            f" BEGIN {uncount['sqlite']}; END",
            "CREATE TRIGGER IF NOT EXISTS hourly_traffic_on_update"
            " AFTER UPDATE OF direction, status, created_at ON messages"
            " WHEN OLD.direction IS NOT NEW.direction OR OLD.status IS NOT NEW.status"
            " OR OLD.created_at IS NOT NEW.created_at"
            f" BEGIN {uncount['sqlite']}; {count['sqlite']}; END",
        ],
        "postgresql": [
            "CREATE OR REPLACE FUNCTION hourly_traffic_follow_messages() RETURNS trigger"
            f" LANGUAGE plpgsql AS $$ BEGIN{return_if_bulk}"
            " IF TG_OP = 'UPDATE' AND OLD.direction = NEW.direction"
            " AND OLD.status = NEW.status AND OLD.created_at = NEW.created_at"
            " THEN RETURN NULL; END IF;"
            f" IF TG_OP <> 'INSERT' THEN {uncount['postgresql']}; END IF;"
            f" IF TG_OP <> 'DELETE' THEN {count['postgresql']}; END IF;"
            " RETURN NULL; END $$",
            "CREATE OR REPLACE TRIGGER hourly_traffic_follow_messages"
            " AFTER INSERT OR DELETE OR UPDATE OF direction, status, created_at ON messages"
            " FOR EACH ROW EXECUTE FUNCTION hourly_traffic_follow_messages()",
        ],
    }


_DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS hourly_traffic_on_insert",
        "DROP TRIGGER IF EXISTS hourly_traffic_on_delete",
        "DROP TRIGGER IF EXISTS hourly_traffic_on_update",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS hourly_traffic_follow_messages ON messages",
        "DROP FUNCTION IF EXISTS hourly_traffic_follow_messages()",
    ],
}


def _counted(connection: Connection, where: str) -> str:
    """The messages matching `where` (a condition written here, no value) counted per
    hour, direction and state, as rows of `hourly_traffic`."""
    hour = HOUR[connection.dialect.name].format("created_at")
    return (
        "INSERT INTO hourly_traffic (hour, direction, status, total)"  # noqa: S608 (no values)
        f" SELECT {hour}, direction, status, count(*) FROM messages WHERE {where}"
        " GROUP BY 1, 2, 3"
    )


def count_existing(connection: Connection) -> None:
    """Fill `hourly_traffic` from the messages already stored (it must be empty)."""
    connection.exec_driver_sql(_counted(connection, "true"))


def count_inserted(connection: Connection, shared: Mapping[str, Any], count: int) -> None:
    """Count `count` messages inserted with the triggers off (smsbox.bulk_inserts) that
    all share `shared`'s created_at, direction and status (a campaign's), as the
    triggers would have: one row (in shard 0), its hour worked out by the triggers' own
    expression. Counting them from the table grouped 98,000 rows that fall in one group anyway."""
    hour = HOUR[connection.dialect.name].format(":created_at")
    connection.execute(
        text(
            "INSERT INTO hourly_traffic (hour, direction, status, total)"  # noqa: S608 (names, no values)
            f" VALUES ({hour}, :direction, :status, :total)"
            f" ON CONFLICT ({KEY})"
            " DO UPDATE SET total = hourly_traffic.total + excluded.total"
        ).bindparams(bindparam("created_at", type_=UTCDateTime)),
        {
            "created_at": shared["created_at"],
            "direction": shared["direction"],
            "status": shared["status"],
            "total": count,
        },
    )


def counts() -> Select:
    """Each count, its shards summed, in key order: the rows a recount would give."""
    keys = (hourly_traffic.c.hour, hourly_traffic.c.direction, hourly_traffic.c.status)
    total = func.sum(hourly_traffic.c.total)
    return select(*keys, total.label("total")).group_by(*keys).having(total != 0).order_by(*keys)


def fold_shards(connection: Connection, before_hour: int) -> None:
    """Fold the shards of the hours before `before_hour` into shard 0, each count's sum
    kept. A shard row that a transaction holds is left for the next time: folding never
    waits for a message's change, so that no change waits on a fold that waits on it."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text(
            "WITH free AS (SELECT hour, direction, status, shard FROM hourly_traffic"  # noqa: S608 (names, no values)
            " WHERE shard <> 0 AND hour < :before FOR UPDATE SKIP LOCKED),"
            " folded AS (DELETE FROM hourly_traffic AS counted USING free"
            " WHERE (counted.hour, counted.direction, counted.status, counted.shard)"
            " = (free.hour, free.direction, free.status, free.shard)"
            " RETURNING counted.hour, counted.direction, counted.status, counted.total)"
            f" INSERT INTO hourly_traffic ({KEY}, total)"
            " SELECT hour, direction, status, 0, sum(total) FROM folded GROUP BY 1, 2, 3"
            f" ON CONFLICT ({KEY}) DO UPDATE SET total = hourly_traffic.total + excluded.total"
        ),
        {"before": before_hour},
    )
    connection.execute(
        text("DELETE FROM hourly_traffic WHERE shard = 0 AND total = 0 AND hour < :before"),
        {"before": before_hour},
    )


def create_triggers(connection: Connection) -> None:
    """Create the triggers that are missing (all of them, or none)."""
    sharded = any(
        column["name"] == "shard" for column in inspect(connection).get_columns("hourly_traffic")
    )
    execute_for_dialect(connection, _create(bulk_inserts.flag_exists(connection), sharded))


def drop_triggers(connection: Connection) -> None:
    execute_for_dialect(connection, _DROP)
