"""The triggers that keep `conversations` (one row per number, pointing at its newest
message) in step with `messages`, whatever writes them: the daemon, the web, the CLI,
a bulk delete.

Created by migration 0010, and again after every migration (migrations/env.py): on
SQLite, a later revision that copies `messages` to a new table (Alembic's batch mode)
leaves it without them.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from smsbox import bulk_inserts
from smsbox.dialect_sql import execute_for_dialect

# A newer message than the conversation's: ties between messages of the same
# instant go to the one stored last.
_NEWER = (
    " ON CONFLICT (number) DO UPDATE"
    " SET last_at = excluded.last_at, last_message_id = excluded.last_message_id"
    " WHERE (excluded.last_at, excluded.last_message_id)"
    " > (conversations.last_at, conversations.last_message_id)"
)
_FOLLOW_INSERT = (
    "INSERT INTO conversations (number, last_at, last_message_id)"  # noqa: S608 (no values)
    f" VALUES (NEW.number, NEW.created_at, NEW.id){_NEWER}"
)
# What _FOLLOW_INSERT would have done for each message of a campaign, in one statement.
# SQLite upserts the selected rows one after the other, as the trigger would have:
# each message straight from the table. PostgreSQL refuses to update a row twice in
# one statement, so there the newest message of each number is picked first (a window
# over the campaign's messages, which cost SQLite a quarter of the statement).
_FOLLOW_CAMPAIGN = {
    "sqlite": (
        "INSERT INTO conversations (number, last_at, last_message_id)"  # noqa: S608
        f" SELECT number, created_at, id FROM messages WHERE campaign_id = :campaign{_NEWER}"
    ),
    "postgresql": (
        "INSERT INTO conversations (number, last_at, last_message_id)"  # noqa: S608
        " SELECT number, created_at, id FROM ("
        " SELECT number, created_at, id, row_number() OVER"
        " (PARTITION BY number ORDER BY created_at DESC, id DESC) AS newest"
        " FROM messages WHERE campaign_id = :campaign) AS numbers"
        f" WHERE newest = 1{_NEWER}"
    ),
}


def _refresh(number: str) -> str:
    """Statements that set again the conversation of `number` (a column or argument
    name written here, never a value) from its messages."""
    return (
        f"DELETE FROM conversations WHERE number = {number};"  # noqa: S608
        " INSERT INTO conversations (number, last_at, last_message_id)"
        f" SELECT number, created_at, id FROM messages WHERE number = {number}"
        " ORDER BY created_at DESC, id DESC LIMIT 1;"
    )


def _create(skip_bulk: bool) -> dict[str, list[str]]:
    """The statements creating the triggers; with `skip_bulk`, their insert trigger
    leaves out the rows of a bulk insert (smsbox.bulk_inserts)."""
    follow_unless_bulk = (
        f"IF {bulk_inserts.RUNNING} THEN RETURN NULL; END IF; " if skip_bulk else ""
    ) + f"{_FOLLOW_INSERT};"
    return {
        "sqlite": [
            "CREATE TRIGGER IF NOT EXISTS conversations_on_insert AFTER INSERT ON messages"
            f"{bulk_inserts.sqlite_when(skip_bulk)} BEGIN {_FOLLOW_INSERT}; END",
            "CREATE TRIGGER IF NOT EXISTS conversations_on_delete AFTER DELETE ON messages"
            f" BEGIN {_refresh('OLD.number')} END",
            "CREATE TRIGGER IF NOT EXISTS conversations_on_update"
            " AFTER UPDATE OF number, created_at ON messages"
            f" BEGIN {_refresh('OLD.number')} {_refresh('NEW.number')} END",
        ],
        "postgresql": [
            "CREATE OR REPLACE FUNCTION refresh_conversation(target varchar) RETURNS void"
            f" LANGUAGE sql AS $$ {_refresh('target')} $$",
            "CREATE OR REPLACE FUNCTION conversations_follow_messages() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN"
            f" IF TG_OP = 'INSERT' THEN {follow_unless_bulk} RETURN NULL; END IF;"
            " PERFORM refresh_conversation(OLD.number);"
            " IF TG_OP = 'UPDATE' THEN PERFORM refresh_conversation(NEW.number); END IF;"
            " RETURN NULL; END $$",
            "CREATE OR REPLACE TRIGGER conversations_follow_messages"
            " AFTER INSERT OR DELETE OR UPDATE OF number, created_at ON messages"
            " FOR EACH ROW EXECUTE FUNCTION conversations_follow_messages()",
        ],
    }


_DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS conversations_on_insert",
        "DROP TRIGGER IF EXISTS conversations_on_delete",
        "DROP TRIGGER IF EXISTS conversations_on_update",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS conversations_follow_messages ON messages",
        "DROP FUNCTION IF EXISTS conversations_follow_messages()",
        "DROP FUNCTION IF EXISTS refresh_conversation(varchar)",
    ],
}


def create_triggers(connection: Connection) -> None:
    """Create the triggers that are missing (all of them, or none)."""
    execute_for_dialect(connection, _create(bulk_inserts.flag_exists(connection)))


def follow_campaign(connection: Connection, campaign_id: int) -> None:
    """Bring the conversations up to date with the messages of a campaign inserted with
    the triggers off (smsbox.bulk_inserts), as the triggers would have."""
    connection.execute(text(_FOLLOW_CAMPAIGN[connection.dialect.name]), {"campaign": campaign_id})


def drop_triggers(connection: Connection) -> None:
    execute_for_dialect(connection, _DROP)
