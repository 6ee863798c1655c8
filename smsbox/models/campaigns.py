"""Campaigns and their recurrences (smsbox.tables.campaigns)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Mapped

from smsbox import tables
from smsbox.models.base import Base


class Campaign(Base):
    __table__ = tables.campaigns

    id: Mapped[int]
    name: Mapped[str]
    template: Mapped[str]
    created_by_id: Mapped[int | None]
    created_at: Mapped[datetime]
    send_at: Mapped[datetime | None]
    state: Mapped[str]
    transactional: Mapped[bool]
    groups: Mapped[list[str]]
    numbers: Mapped[list[str]]
    recipients: Mapped[int]
    opted_out: Mapped[int]
    duplicates: Mapped[int]
    cancelled: Mapped[int]
    recurrence_id: Mapped[int | None]
    occurrence_at: Mapped[datetime | None]


class RecurringCampaign(Base):
    __table__ = tables.recurring_campaigns

    id: Mapped[int]
    name: Mapped[str]
    template: Mapped[str]
    created_by_id: Mapped[int | None]
    created_at: Mapped[datetime]
    transactional: Mapped[bool]
    group_ids: Mapped[list[int]]
    numbers: Mapped[list[str]]
    frequency: Mapped[str]
    weekdays: Mapped[list[int]]
    month_day: Mapped[int | None]
    time_of_day: Mapped[str]
    ends_on: Mapped[date | None]
    paused: Mapped[bool]
    next_at: Mapped[datetime | None]
