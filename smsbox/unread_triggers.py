"""The triggers that count the unread messages in `unread_total`, whatever writes or
reads them: the daemon storing one, a person opening a discussion or marking a list's
rows, a deletion.

The dashboard shows that count on every visit: counted from the messages, it grows
with them (45,000 unread among a million took 3 to 7 ms, a thousand 0.2 ms). The one
row it is held in is locked by each transaction that stores an inbound message or
reads some until it commits: a few a second at most on a GSM modem.

Created by migration 0025_webperf, and again after every migration (migrations/env.py), as
the conversations' triggers are. Since 0031_unread_bulk the insert trigger leaves out
the rows of a bulk insert (smsbox.bulk_inserts), which `count_campaign` counts: on
SQLite an insert trigger costs its program's run per row even when its `WHEN` does
not hold, 3.7 s of CPU for a campaign of 98,000 outbound messages it had nothing to
count in.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from smsbox import bulk_inserts
from smsbox.dialect_sql import execute_for_dialect


def _unread(row: str) -> str:
    """smsbox.models.UNREAD, of `row` (NEW or OLD)."""
    return f"({row}.direction = 'in' AND {row}.read_at IS NULL)"


_MORE = (
    "INSERT INTO unread_total (id, total) VALUES (1, 1)"
    " ON CONFLICT (id) DO UPDATE SET total = unread_total.total + 1"
)
# Down to zero the row goes, so that the table holds what a recount would (smsbox db
# copy compares).
_LESS = "UPDATE unread_total SET total = total - 1; DELETE FROM unread_total WHERE total = 0"


def _create(skip_bulk: bool) -> dict[str, list[str]]:
    """The statements creating the triggers; with `skip_bulk`, the insert trigger
    leaves out the rows of a bulk insert (smsbox.bulk_inserts)."""
    return_if_bulk = bulk_inserts.plpgsql_skip(skip_bulk)
    not_bulk = f"NOT {bulk_inserts.RUNNING} AND " if skip_bulk else ""
    return {
        "sqlite": [
            "CREATE TRIGGER IF NOT EXISTS unread_total_on_insert AFTER INSERT ON messages"
            f" WHEN {not_bulk}{_unread('NEW')} BEGIN {_MORE}; END",
            "CREATE TRIGGER IF NOT EXISTS unread_total_on_delete AFTER DELETE ON messages"
            f" WHEN {_unread('OLD')} BEGIN {_LESS}; END",
            "CREATE TRIGGER IF NOT EXISTS unread_total_on_read"
            " AFTER UPDATE OF direction, read_at ON messages"
            f" WHEN {_unread('OLD')} AND NOT {_unread('NEW')} BEGIN {_LESS}; END",
            "CREATE TRIGGER IF NOT EXISTS unread_total_on_unread"
            " AFTER UPDATE OF direction, read_at ON messages"
            f" WHEN {_unread('NEW')} AND NOT {_unread('OLD')} BEGIN {_MORE}; END",
        ],
        "postgresql": [
            "CREATE OR REPLACE FUNCTION unread_total_follow_messages() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN"
            f"{return_if_bulk}"
            f" IF TG_OP <> 'INSERT' AND {_unread('OLD')}"
            f" AND (TG_OP = 'DELETE' OR NOT {_unread('NEW')}) THEN {_LESS}; END IF;"
            f" IF TG_OP <> 'DELETE' AND {_unread('NEW')}"
            f" AND (TG_OP = 'INSERT' OR NOT {_unread('OLD')}) THEN {_MORE}; END IF;"
            " RETURN NULL; END $$",
            "CREATE OR REPLACE TRIGGER unread_total_follow_messages"
            " AFTER INSERT OR DELETE OR UPDATE OF direction, read_at ON messages"
            " FOR EACH ROW EXECUTE FUNCTION unread_total_follow_messages()",
        ],
    }


_DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS unread_total_on_insert",
        "DROP TRIGGER IF EXISTS unread_total_on_delete",
        "DROP TRIGGER IF EXISTS unread_total_on_read",
        "DROP TRIGGER IF EXISTS unread_total_on_unread",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS unread_total_follow_messages ON messages",
        "DROP FUNCTION IF EXISTS unread_total_follow_messages()",
    ],
}


def start_counting(connection: Connection) -> None:
    """Count the unread messages already stored (`unread_total` must be empty), then
    those to come."""
    connection.exec_driver_sql(
        "INSERT INTO unread_total (id, total) SELECT 1, count(*) FROM messages"  # noqa: S608 (no values)
        f" WHERE {_unread('messages')} HAVING count(*) > 0"
    )
    create_triggers(connection)


def count_campaign(connection: Connection, campaign_id: int) -> None:
    """Count the unread messages of a campaign inserted with the triggers off
    (smsbox.bulk_inserts), as the insert trigger would have (a campaign's messages are
    outbound: none so far)."""
    connection.execute(
        text(
            "INSERT INTO unread_total (id, total) SELECT 1, count(*) FROM messages"  # noqa: S608 (names, no values)
            f" WHERE campaign_id = :campaign AND {_unread('messages')} HAVING count(*) > 0"
            " ON CONFLICT (id) DO UPDATE SET total = unread_total.total + excluded.total"
        ),
        {"campaign": campaign_id},
    )


def create_triggers(connection: Connection) -> None:
    """Create the triggers that are missing (all of them, or none)."""
    execute_for_dialect(connection, _create(bulk_inserts.flag_exists(connection)))


def drop_triggers(connection: Connection) -> None:
    execute_for_dialect(connection, _DROP)
