"""a trigram index over the conversations' numbers, for a search of digits from the
middle of a number

Revision ID: 0027_conversation_numbers
Revises: 0026_webhooks
Create Date: 2026-11-26 00:45:00

"""

from collections.abc import Sequence

from alembic import op

from smsbox.conversations import CONVERSATION_NUMBERS

revision: str = "0027_conversation_numbers"
down_revision: str | Sequence[str] | None = "0026_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    CONVERSATION_NUMBERS.create(op.get_bind())


def downgrade() -> None:
    CONVERSATION_NUMBERS.drop(op.get_bind())
