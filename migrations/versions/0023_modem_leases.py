"""modem leases: one daemon at a time serves a modem, whatever host it runs on

Revision ID: 0023_modem_leases
Revises: 0022_contacts
Create Date: 2026-11-25 21:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_modem_leases"
down_revision: str | Sequence[str] | None = "0022_contacts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "modem_leases",
        sa.Column("modem_name", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("modem_name"),
    )


def downgrade() -> None:
    op.drop_table("modem_leases")
