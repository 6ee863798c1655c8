"""claims: the indexes the one-statement claim walks (the oldest queued message, each
modem's messages in flight)

Revision ID: 0030_claims
Revises: 0029_contact_names
Create Date: 2026-11-26 00:20:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0030_claims"
down_revision: str | Sequence[str] | None = "0029_contact_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_messages_status_id", "messages", ["status", "id"])
    op.create_index("ix_messages_status_modem", "messages", ["status", "modem_id"])


def downgrade() -> None:
    op.drop_index("ix_messages_status_modem", table_name="messages")
    op.drop_index("ix_messages_status_id", table_name="messages")
