"""conversations: the newest message with each number, kept by triggers; unread index

Revision ID: 0010_conversations
Revises: 0009_user_language
Create Date: 2026-11-25 15:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_conversations"
down_revision: str | Sequence[str] | None = "0009_user_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNREAD = sa.text("direction = 'in' AND read_at IS NULL")

# The newest message of a number, ties between messages of the same instant going
# to the one stored last.
NEWEST_OF = (
    "SELECT number, created_at, id FROM messages WHERE number = {number}"
    " ORDER BY created_at DESC, id DESC LIMIT 1"
)
FOLLOW_INSERT = (
    "INSERT INTO conversations (number, last_at, last_message_id)"
    " VALUES (NEW.number, NEW.created_at, NEW.id)"
    " ON CONFLICT (number) DO UPDATE"
    " SET last_at = excluded.last_at, last_message_id = excluded.last_message_id"
    " WHERE (excluded.last_at, excluded.last_message_id)"
    " > (conversations.last_at, conversations.last_message_id)"
)


def refresh(number: str) -> str:
    """Statements that set again the conversation of `number` (a column or argument
    name written here, never a value) from its messages."""
    return (
        f"DELETE FROM conversations WHERE number = {number};"  # noqa: S608
        " INSERT INTO conversations (number, last_at, last_message_id) "
        + NEWEST_OF.format(number=number)
        + ";"
    )


SQLITE_TRIGGERS = [
    f"CREATE TRIGGER conversations_on_insert AFTER INSERT ON messages BEGIN {FOLLOW_INSERT}; END",
    "CREATE TRIGGER conversations_on_delete AFTER DELETE ON messages"
    f" BEGIN {refresh('OLD.number')} END",
    "CREATE TRIGGER conversations_on_update AFTER UPDATE OF number, created_at ON messages"
    f" BEGIN {refresh('OLD.number')} {refresh('NEW.number')} END",
]
POSTGRESQL_TRIGGERS = [
    "CREATE FUNCTION refresh_conversation(target varchar) RETURNS void LANGUAGE sql AS $$"
    f" {refresh('target')} $$",
    "CREATE FUNCTION conversations_follow_messages() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    f" IF TG_OP = 'INSERT' THEN {FOLLOW_INSERT}; RETURN NULL; END IF;"
    " PERFORM refresh_conversation(OLD.number);"
    " IF TG_OP = 'UPDATE' THEN PERFORM refresh_conversation(NEW.number); END IF;"
    " RETURN NULL;"
    " END $$",
    "CREATE TRIGGER conversations_follow_messages"
    " AFTER INSERT OR DELETE OR UPDATE OF number, created_at ON messages"
    " FOR EACH ROW EXECUTE FUNCTION conversations_follow_messages()",
]
DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER conversations_on_insert",
        "DROP TRIGGER conversations_on_delete",
        "DROP TRIGGER conversations_on_update",
    ],
    "postgresql": [
        "DROP TRIGGER conversations_follow_messages ON messages",
        "DROP FUNCTION conversations_follow_messages()",
        "DROP FUNCTION refresh_conversation(varchar)",
    ],
}


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_index("ix_conversations_last", "conversations", ["last_at", "number"])
    op.execute(
        "INSERT INTO conversations (number, last_at, last_message_id)"
        " SELECT m.number, m.created_at, m.id FROM messages m WHERE NOT EXISTS ("
        " SELECT 1 FROM messages n WHERE n.number = m.number"
        " AND (n.created_at, n.id) > (m.created_at, m.id))"
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}[dialect]:
        op.execute(statement)
    # Not in batch mode: on SQLite a batch that copies `messages` to a new table loses
    # its triggers (a later revision that does must create them again).
    op.create_index(
        "ix_messages_unread",
        "messages",
        ["number", "direction"],
        sqlite_where=UNREAD,
        postgresql_where=UNREAD,
    )


def downgrade() -> None:
    op.drop_index("ix_messages_unread", table_name="messages")
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index("ix_conversations_last", table_name="conversations")
    op.drop_table("conversations")
