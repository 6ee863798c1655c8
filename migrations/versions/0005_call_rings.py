"""incoming calls count their rings

Revision ID: 0005_call_rings
Revises: 0004_inbound_slots
Create Date: 2026-11-25 13:15:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005_call_rings"
down_revision: str | Sequence[str] | None = "0004_inbound_slots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("incoming_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rings", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("incoming_calls", schema=None) as batch_op:
        batch_op.drop_column("rings")
