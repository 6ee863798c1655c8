"""several modems share the traffic: roles, rate limits, a modem asked for

Revision ID: 0011_modem_routing
Revises: 0010_user_language
Create Date: 2026-11-25 14:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_modem_routing"
down_revision: str | Sequence[str] | None = "0010_user_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("modems") as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=8), nullable=False, server_default="both")
        )
        batch_op.add_column(sa.Column("rate_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_claimed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("rate_limited_until", sa.DateTime(), nullable=True))
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("requested_modem_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_messages_requested_modem_id_modems", "modems", ["requested_modem_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_constraint("fk_messages_requested_modem_id_modems", type_="foreignkey")
        batch_op.drop_column("requested_modem_id")
    with op.batch_alter_table("modems") as batch_op:
        batch_op.drop_column("rate_limited_until")
        batch_op.drop_column("last_claimed_at")
        batch_op.drop_column("rate_limit")
        batch_op.drop_column("role")
