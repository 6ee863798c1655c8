"""unread bulk: the unread count's insert trigger leaves out the rows of a bulk insert,
as those of conversations, hourly_traffic and message_texts do since 0028

Revision ID: 0031_unread_bulk
Revises: 0030_claims
Create Date: 2026-11-26 04:05:00

"""

from collections.abc import Sequence

from alembic import op

from smsbox import unread_triggers

revision: str = "0031_unread_bulk"
down_revision: str | Sequence[str] | None = "0030_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    unread_triggers.drop_triggers(op.get_bind())
    unread_triggers.create_triggers(op.get_bind())


def downgrade() -> None:
    # The trigger stays as it is: the bulk inserts of 0030's code are campaigns, whose
    # outbound messages it counts in neither form.
    pass
