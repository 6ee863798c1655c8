"""assembly reads only pending inbound parts

Revision ID: 0007_pending_parts_index
Revises: 0006_part_reference_index
Create Date: 2026-11-25 13:35:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_pending_parts_index"
down_revision: str | Sequence[str] | None = "0006_part_reference_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("message_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("inbound_parts") as batch_op:
        batch_op.drop_index("ix_inbound_parts_assembly")
        batch_op.create_index(
            "ix_inbound_parts_pending",
            ["modem_id", "id"],
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_parts") as batch_op:
        batch_op.drop_index("ix_inbound_parts_pending")
        batch_op.create_index("ix_inbound_parts_assembly", ["modem_id", "number", "concat_ref"])
