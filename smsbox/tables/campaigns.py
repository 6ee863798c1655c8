"""Campaigns: one text sent to groups and loose numbers, and the recurrences that
make one campaign per occurrence (smsbox.campaigns)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from smsbox.tables.columns import JsonDocument, UTCDateTime, metadata, utcnow

# What was asked and what came of it when the messages were queued; the messages'
# states since are counted from `messages.campaign_id`.
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    # The text with its placeholders, as typed.
    Column("template", Text, nullable=False),
    Column("created_by_id", Integer, ForeignKey("users.id")),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    # When the messages are released to the queue; None: at once.
    Column("send_at", UTCDateTime),
    # smsbox.campaigns.store.State
    Column("state", String(16), nullable=False),
    Column("transactional", Boolean, nullable=False, default=False, server_default=false()),
    # The names of the groups and the numbers as given, for the record.
    Column("groups", JsonDocument, nullable=False, default=list),
    Column("numbers", JsonDocument, nullable=False, default=list),
    Column("recipients", Integer, nullable=False, default=0),
    Column("opted_out", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    # Messages still waiting that a person called off.
    Column("cancelled", Integer, nullable=False, default=0),
    Column("recurrence_id", Integer, ForeignKey("recurring_campaigns.id", ondelete="SET NULL")),
    Column("occurrence_at", UTCDateTime),
    # Each occurrence of a recurrence once, whichever daemon gets there first.
    UniqueConstraint("recurrence_id", "occurrence_at"),
)

# A campaign sent again daily, weekly on some weekdays, or monthly on a day, at a
# local time of the account's time zone (smsbox.campaigns.recurring).
recurring_campaigns = Table(
    "recurring_campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("template", Text, nullable=False),
    Column("created_by_id", Integer, ForeignKey("users.id")),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    Column("transactional", Boolean, nullable=False, default=False, server_default=false()),
    # Group ids, so that a renamed group is still the one meant; numbers as given.
    Column("group_ids", JsonDocument, nullable=False, default=list),
    Column("numbers", JsonDocument, nullable=False, default=list),
    # "daily", "weekly" (on `weekdays`, 0 for Monday), "monthly" (on `month_day`).
    Column("frequency", String(8), nullable=False),
    Column("weekdays", JsonDocument, nullable=False, default=list),
    Column("month_day", Integer),
    # "HH:MM", local time.
    Column("time_of_day", String(5), nullable=False),
    Column("ends_on", Date),
    Column("paused", Boolean, nullable=False, default=False, server_default=false()),
    # The next occurrence (UTC); None once past the end.
    Column("next_at", UTCDateTime, index=True),
)
