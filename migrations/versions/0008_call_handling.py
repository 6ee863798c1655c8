"""incoming calls: last ring, hang-up and automatic reply

Revision ID: 0008_call_handling
Revises: 0007_pending_parts_index
Create Date: 2026-11-25 15:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008_call_handling"
down_revision: str | Sequence[str] | None = "0007_pending_parts_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("incoming_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_ring_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("hung_up", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("reply_message_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_incoming_calls_reply_message_id_messages",
            "messages",
            ["reply_message_id"],
            ["id"],
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("incoming_calls", schema=None) as batch_op:
        batch_op.drop_constraint("fk_incoming_calls_reply_message_id_messages", type_="foreignkey")
        batch_op.drop_column("reply_message_id")
        batch_op.drop_column("hung_up")
        batch_op.drop_column("last_ring_at")
