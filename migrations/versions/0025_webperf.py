"""web performance: a trigram index over the messages' texts (SQLite FTS5, PostgreSQL
pg_trgm), the unread messages counted by triggers

Revision ID: 0025_webperf
Revises: 0024_campaigns
Create Date: 2026-11-25 21:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from smsbox import message_search, unread_triggers

revision: str = "0025_webperf"
down_revision: str | Sequence[str] | None = "0024_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    message_search.MESSAGE_TEXTS.create(op.get_bind())
    op.create_table(
        "unread_total",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    unread_triggers.start_counting(op.get_bind())


def downgrade() -> None:
    unread_triggers.drop_triggers(op.get_bind())
    op.drop_table("unread_total")
    message_search.MESSAGE_TEXTS.drop(op.get_bind())
