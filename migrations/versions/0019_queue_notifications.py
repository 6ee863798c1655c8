"""PostgreSQL: daemons on every host hear of queued messages through LISTEN/NOTIFY

Revision ID: 0019_queue_notifications
Revises: 0018_user_disabled
Create Date: 2026-11-25 18:00:00

"""

from collections.abc import Sequence

from alembic import op

from smsbox.queue_notifications import create_trigger, drop_trigger

revision: str = "0019_queue_notifications"
down_revision: str | Sequence[str] | None = "0018_user_disabled"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_trigger(op.get_bind())  # nothing on SQLite


def downgrade() -> None:
    drop_trigger(op.get_bind())
