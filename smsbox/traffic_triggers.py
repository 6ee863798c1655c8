"""The triggers that count messages in `hourly_traffic` (per hour, direction and
state) as `messages` changes, whatever writes them: the daemon, the web, the CLI.

Created by migration 0021, and again after every migration (migrations/env.py), as
the conversations' triggers are: on SQLite, a later revision that copies `messages`
to a new table (Alembic's batch mode) leaves it without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, text

from smsbox import bulk_inserts
from smsbox.dialect_sql import execute_for_dialect
from smsbox.models import UTCDateTime

# Hours since 1970 of a UTC time stored without its zone (smsbox.models.UTCDateTime).
# SQLite's date functions round to the millisecond (10:59:59.9999 would be 11:00): the
# fraction of the second, written after the first 19 characters, is left out.
HOUR = {
    "sqlite": "(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) / 3600)",
    "postgresql": "CAST(floor(extract(epoch FROM {0}) / 3600) AS integer)",
}


def _count(dialect: str, row: str) -> str:
    """The statement that counts one more message like `row` (NEW or OLD)."""
    hour = HOUR[dialect].format(f"{row}.created_at")
    return (
        "INSERT INTO hourly_traffic (hour, direction, status, total)"  # noqa: S608 (names, no values)
        f" VALUES ({hour}, {row}.direction, {row}.status, 1)"
        " ON CONFLICT (hour, direction, status)"
        " DO UPDATE SET total = hourly_traffic.total + 1"
    )


def _uncount(dialect: str, row: str) -> str:
    """The statements that count one message like `row` less; a count down to zero
    goes, so that the table holds what a recount would (smsbox db copy compares)."""
    hour = HOUR[dialect].format(f"{row}.created_at")
    where = f" WHERE hour = {hour} AND direction = {row}.direction AND status = {row}.status"
    return (
        "UPDATE hourly_traffic SET total = hourly_traffic.total - 1"  # noqa: S608 (names, no values)
        + where
        + "; DELETE FROM hourly_traffic"
        + where
        + " AND total = 0"
    )


def _create(skip_bulk: bool) -> dict[str, list[str]]:
    """The statements creating the triggers; with `skip_bulk`, their insert trigger
    leaves out the rows of a bulk insert (smsbox.bulk_inserts)."""
    return_if_bulk = bulk_inserts.plpgsql_skip(skip_bulk)
    return {
        "sqlite": [
            "CREATE TRIGGER IF NOT EXISTS hourly_traffic_on_insert AFTER INSERT ON messages"
            f"{bulk_inserts.sqlite_when(skip_bulk)} BEGIN {_count('sqlite', 'NEW')}; END",
            "CREATE TRIGGER IF NOT EXISTS hourly_traffic_on_delete AFTER DELETE ON messages"
            f" BEGIN {_uncount('sqlite', 'OLD')}; END",
            "CREATE TRIGGER IF NOT EXISTS hourly_traffic_on_update"
            " AFTER UPDATE OF direction, status, created_at ON messages"
            " WHEN OLD.direction IS NOT NEW.direction OR OLD.status IS NOT NEW.status"
            " OR OLD.created_at IS NOT NEW.created_at"
            f" BEGIN {_uncount('sqlite', 'OLD')}; {_count('sqlite', 'NEW')}; END",
        ],
        "postgresql": [
            "CREATE OR REPLACE FUNCTION hourly_traffic_follow_messages() RETURNS trigger"
            f" LANGUAGE plpgsql AS $$ BEGIN{return_if_bulk}"
            " IF TG_OP = 'UPDATE' AND OLD.direction = NEW.direction"
            " AND OLD.status = NEW.status AND OLD.created_at = NEW.created_at"
            " THEN RETURN NULL; END IF;"
            f" IF TG_OP <> 'INSERT' THEN {_uncount('postgresql', 'OLD')}; END IF;"
            f" IF TG_OP <> 'DELETE' THEN {_count('postgresql', 'NEW')}; END IF;"
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
    triggers would have: one row, its hour worked out by the triggers' own expression.
    Counting them from the table grouped 98,000 rows that fall in one group anyway."""
    hour = HOUR[connection.dialect.name].format(":created_at")
    connection.execute(
        text(
            "INSERT INTO hourly_traffic (hour, direction, status, total)"  # noqa: S608 (names, no values)
            f" VALUES ({hour}, :direction, :status, :total)"
            " ON CONFLICT (hour, direction, status)"
            " DO UPDATE SET total = hourly_traffic.total + excluded.total"
        ).bindparams(bindparam("created_at", type_=UTCDateTime)),
        {
            "created_at": shared["created_at"],
            "direction": shared["direction"],
            "status": shared["status"],
            "total": count,
        },
    )


def create_triggers(connection: Connection) -> None:
    """Create the triggers that are missing (all of them, or none)."""
    execute_for_dialect(connection, _create(bulk_inserts.flag_exists(connection)))


def drop_triggers(connection: Connection) -> None:
    execute_for_dialect(connection, _DROP)
