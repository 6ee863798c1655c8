"""activity log: who did what

Revision ID: 0016_activity
Revises: 0015_sending_window
Create Date: 2026-11-25 17:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_activity"
down_revision: str | Sequence[str] | None = "0015_sending_window"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_activity_at", "activity", ["at", "id"])
    op.create_index("ix_activity_action_at", "activity", ["action", "at", "id"])


def downgrade() -> None:
    op.drop_index("ix_activity_action_at", table_name="activity")
    op.drop_index("ix_activity_at", table_name="activity")
    op.drop_table("activity")
