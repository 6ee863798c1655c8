"""contacts: custom fields, numbers no longer unique (allow_duplicates), list indexes

Revision ID: 0022_contacts
Revises: 0021_dashboard
Create Date: 2026-11-25 17:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022_contacts"
down_revision: str | Sequence[str] | None = "0021_dashboard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0001 left the unique constraint on contacts.number unnamed: SQLite's batch copy can
# drop it only under a name this convention gives it; PostgreSQL named it itself.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _number_constraint() -> str:
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints("contacts"):
        if constraint["column_names"] == ["number"] and constraint["name"]:
            return constraint["name"]
    return "uq_contacts_number"


def upgrade() -> None:
    unique_number = _number_constraint()
    with op.batch_alter_table("contacts", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(unique_number, type_="unique")
        batch_op.add_column(
            sa.Column(
                "fields",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                server_default="{}",
                nullable=False,
            )
        )
        batch_op.create_index("ix_contacts_name", ["name", "id"])
        batch_op.create_index("ix_contacts_number", ["number"])


def downgrade() -> None:
    # Refused by the database if allow_duplicates let two contacts share a number.
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_index("ix_contacts_number")
        batch_op.drop_index("ix_contacts_name")
        batch_op.drop_column("fields")
        batch_op.create_unique_constraint("uq_contacts_number", ["number"])
