"""what each modem says of itself, for the staff's screens

Revision ID: 0009_modem_status
Revises: 0008_call_handling
Create Date: 2026-11-25 14:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_modem_status"
down_revision: str | Sequence[str] | None = "0008_call_handling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("registration", sa.String(16)),
    ("operator", sa.String(64)),
    ("storage_used", sa.Integer()),
    ("storage_total", sa.Integer()),
    ("imei", sa.String(20)),
    ("imsi", sa.String(20)),
    ("iccid", sa.String(20)),
    ("own_number", sa.String(40)),
    ("status_checked_at", sa.DateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("modems") as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("modems") as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
