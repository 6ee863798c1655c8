"""caps: indexes counting one user's and one modem's messages of a period

Revision ID: 0017_quota_indexes
Revises: 0016_activity
Create Date: 2026-11-25 17:55:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_quota_indexes"
down_revision: str | Sequence[str] | None = "0016_activity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_messages_user_created", "messages", ["created_by_id", "created_at", "status"]
    )
    op.create_index("ix_messages_modem_sent", "messages", ["modem_id", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_modem_sent", table_name="messages")
    op.drop_index("ix_messages_user_created", table_name="messages")
