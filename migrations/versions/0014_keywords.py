"""keywords: account settings, how each number got on the STOP list, keyword replies

Revision ID: 0014_keywords
Revises: 0013_conversations
Create Date: 2026-11-25 17:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_keywords"
down_revision: str | Sequence[str] | None = "0013_conversations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    # Plain ALTERs, not batch mode, which on SQLite would copy `messages` without
    # its triggers.
    op.add_column("messages", sa.Column("keyword_reply", sa.String(length=16), nullable=True))
    op.add_column(
        "opt_outs",
        sa.Column("source", sa.String(length=8), nullable=False, server_default="manual"),
    )
    op.add_column("opt_outs", sa.Column("keyword", sa.String(length=64), nullable=True))
    op.add_column("opt_outs", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column("opt_outs", sa.Column("opt_in_requested_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE opt_outs SET source = 'sms' WHERE source_message_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("opt_outs") as batch_op:
        batch_op.drop_column("opt_in_requested_at")
        batch_op.drop_column("reason")
        batch_op.drop_column("keyword")
        batch_op.drop_column("source")
    op.drop_column("messages", "keyword_reply")
    op.drop_table("settings")
