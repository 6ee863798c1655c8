"""text search: a trigram index over the messages' texts (SQLite FTS5, PostgreSQL pg_trgm)

Revision ID: 0023_text_search
Revises: 0022_contacts
Create Date: 2026-11-25 21:10:00

"""

from collections.abc import Sequence

from alembic import op

from smsbox.message_search import create_index, drop_index

revision: str = "0023_text_search"
down_revision: str | Sequence[str] | None = "0022_contacts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_index(op.get_bind())


def downgrade() -> None:
    drop_index(op.get_bind())
