"""bulk inserts: a flag that turns the insert triggers of conversations,
hourly_traffic and message_texts off inside the transaction that inserts a
campaign's messages

Revision ID: 0028_bulk_inserts
Revises: 0027_conversation_numbers
Create Date: 2026-11-26 00:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from smsbox import conversation_triggers, message_search, traffic_triggers

revision: str = "0028_bulk_inserts"
down_revision: str | Sequence[str] | None = "0027_conversation_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create_triggers_again() -> None:
    """The triggers test the flag when the table exists (smsbox.bulk_inserts)."""
    for triggers in (conversation_triggers, traffic_triggers, message_search.MESSAGE_TEXTS):
        triggers.drop_triggers(op.get_bind())
        triggers.create_triggers(op.get_bind())


def upgrade() -> None:
    op.create_table(
        "bulk_inserts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _create_triggers_again()


def downgrade() -> None:
    op.drop_table("bulk_inserts")
    _create_triggers_again()
