"""indexes for the conversations list and its unread counts

Revision ID: 0010_conversation_indexes
Revises: 0009_user_language
Create Date: 2026-11-25 15:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_conversation_indexes"
down_revision: str | Sequence[str] | None = "0009_user_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNREAD = sa.text("direction = 'in' AND read_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.create_index("ix_messages_created_number", ["created_at", "number"])
        batch_op.create_index(
            "ix_messages_unread",
            ["number", "direction"],
            sqlite_where=UNREAD,
            postgresql_where=UNREAD,
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_index("ix_messages_unread")
        batch_op.drop_index("ix_messages_created_number")
