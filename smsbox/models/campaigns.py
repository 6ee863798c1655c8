"""Campaigns: one text sent to groups and loose numbers, and the recurrences that
make one campaign per occurrence (smsbox.campaigns)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from smsbox.models.base import Base, JsonDocument, UTCDateTime, utcnow


class Campaign(Base):
    """What was asked and what came of it when the messages were queued; the messages'
    states since are counted from `messages.campaign_id`."""

    __tablename__ = "campaigns"
    __table_args__ = (
        # Each occurrence of a recurrence once, whichever daemon gets there first.
        UniqueConstraint("recurrence_id", "occurrence_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The text with its placeholders, as typed.
    template: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the messages are released to the queue; None: at once.
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # smsbox.campaigns.store.State
    state: Mapped[str] = mapped_column(String(16))
    transactional: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The names of the groups and the numbers as given, for the record.
    groups: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    numbers: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    recipients: Mapped[int] = mapped_column(default=0)
    opted_out: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    # Messages still waiting that a person called off.
    cancelled: Mapped[int] = mapped_column(default=0)
    recurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("recurring_campaigns.id", ondelete="SET NULL")
    )
    occurrence_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecurringCampaign(Base):
    """A campaign sent again daily, weekly on some weekdays, or monthly on a day, at a
    local time of the account's time zone (smsbox.campaigns.recurring)."""

    __tablename__ = "recurring_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    transactional: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Group ids, so that a renamed group is still the one meant; numbers as given.
    group_ids: Mapped[list[int]] = mapped_column(JsonDocument, default=list)
    numbers: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    # "daily", "weekly" (on `weekdays`, 0 for Monday), "monthly" (on `month_day`).
    frequency: Mapped[str] = mapped_column(String(8))
    weekdays: Mapped[list[int]] = mapped_column(JsonDocument, default=list)
    month_day: Mapped[int | None]
    # "HH:MM", local time.
    time_of_day: Mapped[str] = mapped_column(String(5))
    ends_on: Mapped[date | None]
    paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The next occurrence (UTC); None once past the end.
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
