"""campaigns: group sends, their recurrences, messages.campaign_id

Revision ID: 0024_campaigns
Revises: 0023_modem_leases
Create Date: 2026-11-25 21:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0024_campaigns"
down_revision: str | Sequence[str] | None = "0023_modem_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_VALUE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "recurring_campaigns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("transactional", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("group_ids", JSON_VALUE, nullable=False),
        sa.Column("numbers", JSON_VALUE, nullable=False),
        sa.Column("frequency", sa.String(8), nullable=False),
        sa.Column("weekdays", JSON_VALUE, nullable=False),
        sa.Column("month_day", sa.Integer(), nullable=True),
        sa.Column("time_of_day", sa.String(5), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_recurring_campaigns_next_at", "recurring_campaigns", ["next_at"])
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("send_at", sa.DateTime(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("transactional", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("groups", JSON_VALUE, nullable=False),
        sa.Column("numbers", JSON_VALUE, nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("opted_out", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column(
            "recurrence_id",
            sa.Integer(),
            sa.ForeignKey("recurring_campaigns.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("occurrence_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("recurrence_id", "occurrence_at"),
    )
    # Plain ALTERs, no batch copy: the triggers on `messages` must stay. SQLite adds
    # a column with its reference in one statement, Alembic would add the constraint
    # apart, which SQLite cannot.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE messages ADD COLUMN campaign_id INTEGER REFERENCES campaigns (id)")
    else:
        op.add_column(
            "messages",
            sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), nullable=True),
        )
    op.create_index("ix_messages_campaign_status", "messages", ["campaign_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_messages_campaign_status", table_name="messages")
    op.drop_column("messages", "campaign_id")
    op.drop_table("campaigns")
    op.drop_index("ix_recurring_campaigns_next_at", table_name="recurring_campaigns")
    op.drop_table("recurring_campaigns")
