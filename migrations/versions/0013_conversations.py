"""conversations: the newest message with each number, kept by triggers; unread index

Revision ID: 0013_conversations
Revises: 0012_message_list_indexes
Create Date: 2026-11-25 15:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from smsbox.conversation_triggers import create_triggers, drop_triggers

revision: str = "0013_conversations"
down_revision: str | Sequence[str] | None = "0012_message_list_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNREAD = sa.text("direction = 'in' AND read_at IS NULL")


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
    create_triggers(op.get_bind())
    # Not in batch mode, which on SQLite would copy `messages` without its triggers.
    op.create_index(
        "ix_messages_unread_numbers",
        "messages",
        ["number", "direction", "read_at"],
        sqlite_where=UNREAD,
        postgresql_where=UNREAD,
    )


def downgrade() -> None:
    op.drop_index("ix_messages_unread_numbers", table_name="messages")
    drop_triggers(op.get_bind())
    op.drop_index("ix_conversations_last", table_name="conversations")
    op.drop_table("conversations")
