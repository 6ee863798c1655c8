"""dashboard: messages counted per hour by triggers, modems' recent errors, calls by time

Revision ID: 0021_dashboard
Revises: 0020_api_keys
Create Date: 2026-11-25 17:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from smsbox.traffic_triggers import count_existing, create_triggers, drop_triggers

revision: str = "0021_dashboard"
down_revision: str | Sequence[str] | None = "0020_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hourly_traffic",
        sa.Column("hour", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "direction", "status"),
    )
    count_existing(op.get_bind())
    create_triggers(op.get_bind())
    op.create_table(
        "modem_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("modem_id", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("times", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["modem_id"], ["modems.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_modem_errors_modem", "modem_errors", ["modem_id", "id"])
    # The error the modems show now is the first of their history.
    op.execute(
        "INSERT INTO modem_errors (modem_id, error, first_at, last_at, times)"
        " SELECT id, last_error, last_seen_at, last_seen_at, 1 FROM modems"
        " WHERE last_error IS NOT NULL AND last_seen_at IS NOT NULL"
    )
    op.create_index("ix_incoming_calls_received", "incoming_calls", ["received_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_incoming_calls_received", table_name="incoming_calls")
    op.drop_index("ix_modem_errors_modem", table_name="modem_errors")
    op.drop_table("modem_errors")
    drop_triggers(op.get_bind())
    op.drop_table("hourly_traffic")
