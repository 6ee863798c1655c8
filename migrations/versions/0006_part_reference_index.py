"""delivery reports find their part by TP-MR

Revision ID: 0006_part_reference_index
Revises: 0005_call_rings
Create Date: 2026-11-25 13:10:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_part_reference_index"
down_revision: str | Sequence[str] | None = "0005_call_rings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("message_parts") as batch_op:
        batch_op.create_index("ix_message_parts_reference", ["reference"])


def downgrade() -> None:
    with op.batch_alter_table("message_parts") as batch_op:
        batch_op.drop_index("ix_message_parts_reference")
