"""the message lists seek their pages through indexes

Revision ID: 0012_message_list_indexes
Revises: 0011_modem_routing
Create Date: 2026-11-25 15:05:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_message_list_indexes"
down_revision: str | Sequence[str] | None = "0011_modem_routing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNREAD = sa.text("direction = 'in' AND read_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_messages_direction_status_created", "messages", ["direction", "status", "created_at"]
    )
    op.create_index(
        "ix_messages_unread",
        "messages",
        ["direction", "read_at", "created_at"],
        sqlite_where=UNREAD,
        postgresql_where=UNREAD,
    )


def downgrade() -> None:
    op.drop_index("ix_messages_unread", table_name="messages")
    op.drop_index("ix_messages_direction_status_created", table_name="messages")
