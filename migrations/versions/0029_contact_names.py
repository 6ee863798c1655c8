"""contact names: a trigram index over the contacts' names (SQLite FTS5, PostgreSQL
pg_trgm), for the contacts page's search by name

Revision ID: 0029_contact_names
Revises: 0028_bulk_inserts
Create Date: 2026-11-26 00:30:00

"""

from collections.abc import Sequence

from alembic import op

from smsbox.contacts import name_search

revision: str = "0029_contact_names"
down_revision: str | Sequence[str] | None = "0028_bulk_inserts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    name_search.CONTACT_NAMES.create(op.get_bind())


def downgrade() -> None:
    name_search.CONTACT_NAMES.drop(op.get_bind())
