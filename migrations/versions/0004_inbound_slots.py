"""inbound parts keyed by storage slot until deleted from it

The key of an inbound part was a hash of the modem and the PDU, for good: the same
octets arriving again (the same text from the same sender in the same second) were
taken for a re-read and dropped. It is now a hash of the modem, the storage slot and
the PDU, kept only until the delete from the SIM succeeded, then NULL.

Revision ID: 0004_inbound_slots
Revises: 0003_send_safety
Create Date: 2026-11-25 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004_inbound_slots"
down_revision: str | Sequence[str] | None = "0003_send_safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

inbound_parts = sa.table("inbound_parts", sa.column("id", sa.Integer), sa.column("key", sa.String))


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("inbound_parts", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=64), nullable=True)
    # Old keys name no slot: they would match nothing, so they are released now.
    op.execute(inbound_parts.update().values(key=None))


def downgrade() -> None:
    """Downgrade schema."""
    # The old schema wants a unique key on every part; released ones get one by row.
    op.execute(
        inbound_parts.update()
        .where(inbound_parts.c.key.is_(None))
        .values(key=sa.literal("released:") + sa.cast(inbound_parts.c.id, sa.String))
    )
    with op.batch_alter_table("inbound_parts", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=64), nullable=False)
