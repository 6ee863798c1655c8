"""per-part send state, retry times, refused PINs

Revision ID: 0003_send_safety
Revises: 0002_login_security
Create Date: 2026-11-25 12:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_send_safety"
down_revision: str | Sequence[str] | None = "0002_login_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("message_parts") as batch_op:
        batch_op.add_column(sa.Column("pdu", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("modems") as batch_op:
        batch_op.add_column(sa.Column("rejected_pin_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("modems") as batch_op:
        batch_op.drop_column("rejected_pin_hash")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("next_attempt_at")
    with op.batch_alter_table("message_parts") as batch_op:
        batch_op.drop_column("error")
        batch_op.drop_column("attempts")
        batch_op.drop_column("pdu")
