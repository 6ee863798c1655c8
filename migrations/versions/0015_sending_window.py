"""sending window: commercial messages wait for the sending hours

Revision ID: 0015_sending_window
Revises: 0014_keywords
Create Date: 2026-11-25 17:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_sending_window"
down_revision: str | Sequence[str] | None = "0014_keywords"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER, not batch mode, which on SQLite would copy `messages` without
    # its triggers.
    op.add_column(
        "messages",
        sa.Column("transactional", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("messages", "transactional")
