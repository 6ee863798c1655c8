"""traffic shards: hourly_traffic counts in a shard per PostgreSQL connection, so that
the daemons' workers stop waiting for each other's row lock on one counter

Revision ID: 0032_traffic_shards
Revises: 0031_unread_bulk
Create Date: 2026-11-26 14:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from smsbox import traffic_triggers

revision: str = "0032_traffic_shards"
down_revision: str | Sequence[str] | None = "0031_unread_bulk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recount(*shard: sa.Column) -> None:
    """The table made again with `shard` in its key or not, counted from the messages
    (a recount is exact, and shorter than moving the key of every row)."""
    traffic_triggers.drop_triggers(op.get_bind())
    op.drop_table("hourly_traffic")
    op.create_table(
        "hourly_traffic",
        sa.Column("hour", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        *shard,
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "direction", "status", *(column.name for column in shard)),
    )
    traffic_triggers.count_existing(op.get_bind())
    traffic_triggers.create_triggers(op.get_bind())


def upgrade() -> None:
    _recount(
        sa.Column(
            "shard", sa.SmallInteger(), autoincrement=False, server_default="0", nullable=False
        )
    )


def downgrade() -> None:
    _recount()
