"""The daemon's side of recurring campaigns: finding the recurrences due, each then
made by smsbox.campaigns.recurring.

That module and what it makes a campaign with (the contacts, the lists, the bulk
inserts, the ORM) are imported once a recurrence is due, not before: a daemon whose
account has none never loads them (a few MB in each daemon)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from smsbox.tables import recurring_campaigns, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def create_due(
    executor: Session | Connection,
    *,
    zone: ZoneInfo,
    default_region: str,
    now: datetime | None = None,
) -> int:
    """Make the campaign of each recurrence due (smsbox.campaigns.recurring), each
    committed with the recurrence's next occurrence; how many campaigns were made.
    On the daemon's Connection, they are made in a Session of their own (making a
    campaign is the ORM's), once the Connection's read has ended."""
    now = now or utcnow()
    due = list(
        executor.scalars(
            select(recurring_campaigns.c.id).where(
                recurring_campaigns.c.paused.is_(False), recurring_campaigns.c.next_at <= now
            )
        )
    )
    if not due:
        return 0
    if not isinstance(executor, Connection):
        return _occur(executor, due, zone, default_region, now)
    from smsbox.database import make_session_factory

    executor.commit()
    with make_session_factory(executor.engine)() as session:
        return _occur(session, due, zone, default_region, now)


def _occur(
    session: Session, due: list[int], zone: ZoneInfo, default_region: str, now: datetime
) -> int:
    from smsbox.campaigns import recurring

    return sum(
        recurring.occur(session, recurrence_id, zone, default_region, now) for recurrence_id in due
    )
