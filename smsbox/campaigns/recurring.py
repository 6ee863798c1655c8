"""Campaigns sent again: daily, weekly on chosen weekdays, or monthly on a day, at a
local time of the account's zone (smsbox.campaigns.local_times for daylight saving),
until an optional last day.

The daemon makes each occurrence's campaign when it is due (`occur`, called by
smsbox.campaigns.due.create_due), its
recipients resolved then: who is in the groups at that time. Each occurrence is made
once: the campaign carries (recurrence id, occurrence time) under a unique constraint,
and moving the recurrence to its next occurrence commits with it, so a second daemon
or a restart finds it done. A daemon stopped over several occurrences sends the last
one missed, once, when it comes back: a week of daily reminders at once would help
nobody. A monthly day the month lacks (31 in April) is the month's last day. An
occurrence refused (caps, nobody left to send to) is logged and skipped.
"""

from __future__ import annotations

import calendar
import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smsbox.activity import Actor
from smsbox.campaigns.local_times import moment_of
from smsbox.campaigns.placeholders import parse
from smsbox.campaigns.store import CampaignRefused, CampaignRequest, send_campaign
from smsbox.models import Group, RecurringCampaign, utcnow
from smsbox.numbers import to_e164
from smsbox.outbox import check_body
from smsbox.quotas import refusal_logged
from smsbox.refusals import Refusal

log = logging.getLogger(__name__)

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Enough days to find the next occurrence of any rule (a monthly one: 31).
LOOK_AHEAD_DAYS = 62
THE_DAEMON = Actor("daemon")


class Frequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Rule:
    frequency: Frequency
    time_of_day: time
    weekdays: tuple[int, ...] = ()
    month_day: int | None = None
    ends_on: date | None = None

    def __post_init__(self) -> None:
        if self.frequency == Frequency.WEEKLY and not self.weekdays:
            raise CampaignRefused("a weekly campaign needs at least one day of the week")
        if any(not 0 <= day <= 6 for day in self.weekdays):
            raise CampaignRefused("a day of the week is 0 (Monday) to 6 (Sunday)")
        if self.frequency == Frequency.MONTHLY and not (
            self.month_day is not None and 1 <= self.month_day <= 31
        ):
            raise CampaignRefused("a monthly campaign needs a day of the month, 1 to 31")

    def falls_on(self, day: date) -> bool:
        if self.frequency == Frequency.WEEKLY:
            return day.weekday() in self.weekdays
        if self.frequency == Frequency.MONTHLY:
            last = calendar.monthrange(day.year, day.month)[1]
            return day.day == min(self.month_day or 1, last)
        return True

    def next_after(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """The first occurrence strictly after `moment` (UTC), None past the end."""
        start = moment.astimezone(zone).date()
        for ahead in range(LOOK_AHEAD_DAYS):
            day = start + timedelta(days=ahead)
            if self.ends_on is not None and day > self.ends_on:
                return None
            if not self.falls_on(day):
                continue
            occurrence = moment_of(datetime.combine(day, self.time_of_day), zone)
            if occurrence > moment:
                return occurrence
        return None


def parse_time_of_day(text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise CampaignRefused(
            "“%(value)s” is no time of day: write it HH:MM", value=text[:20]
        ) from None


def parse_weekdays(text: str) -> tuple[int, ...]:
    """Days written mon,wed,fri (or 0-6, Monday first)."""
    days = []
    for word in filter(None, (part.strip().lower()[:3] for part in text.split(","))):
        if word.isdigit() and int(word) < 7:
            days.append(int(word))
        elif word in WEEKDAY_NAMES:
            days.append(WEEKDAY_NAMES.index(word))
        else:
            raise CampaignRefused(
                "“%(value)s” is no day of the week: write mon, tue, wed, thu, fri, sat, sun",
                value=word,
            )
    return tuple(sorted(set(days)))


def rule_of(recurrence: RecurringCampaign) -> Rule:
    return Rule(
        Frequency(recurrence.frequency),
        time.fromisoformat(recurrence.time_of_day),
        tuple(recurrence.weekdays),
        recurrence.month_day,
        recurrence.ends_on,
    )


def add_recurrence(
    session: Session,
    *,
    text: str,
    rule: Rule,
    groups: Sequence[Group],
    numbers: Sequence[str],
    zone: ZoneInfo,
    default_region: str,
    transactional: bool = False,
    name: str = "",
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> RecurringCampaign:
    """Store a recurrence, checked as far as it can be before its first occurrence: the
    text, its placeholders' syntax, the loose numbers."""
    parse(text)
    check_body(text)
    if not groups and not numbers:
        raise CampaignRefused("choose at least one group or number to send to")
    for number in numbers:
        to_e164(number, default_region)
    first = rule.next_after(now or utcnow(), zone)
    if first is None:
        raise CampaignRefused("this recurring campaign ends before its first occurrence")
    recurrence = RecurringCampaign(
        name=" ".join(name.split())[:200] or " ".join(text.split())[:60],
        template=text,
        created_by_id=created_by_id,
        transactional=transactional,
        group_ids=[group.id for group in groups],
        numbers=[number.strip() for number in numbers if number.strip()],
        frequency=rule.frequency,
        weekdays=list(rule.weekdays),
        month_day=rule.month_day,
        time_of_day=rule.time_of_day.strftime("%H:%M"),
        ends_on=rule.ends_on,
        paused=False,
        next_at=first,
    )
    session.add(recurrence)
    session.flush()
    return recurrence


def get_recurrence(session: Session, recurrence_id: int) -> RecurringCampaign:
    recurrence = session.get(RecurringCampaign, recurrence_id)
    if recurrence is None:
        raise CampaignRefused("there is no recurring campaign %(id)s", id=recurrence_id)
    return recurrence


def list_recurrences(session: Session) -> list[RecurringCampaign]:
    return list(session.scalars(select(RecurringCampaign).order_by(RecurringCampaign.id)))


def set_paused(
    session: Session, recurrence_id: int, paused: bool, zone: ZoneInfo, now: datetime | None = None
) -> RecurringCampaign:
    """Pause, or resume from the next occurrence to come (none of those missed)."""
    recurrence = get_recurrence(session, recurrence_id)
    if not paused and recurrence.paused:
        recurrence.next_at = rule_of(recurrence).next_after(now or utcnow(), zone)
    recurrence.paused = paused
    session.flush()
    return recurrence


def remove_recurrence(session: Session, recurrence_id: int) -> None:
    """Delete it; the campaigns it made stay, as campaigns of their own."""
    session.delete(get_recurrence(session, recurrence_id))
    session.flush()


def occur(
    session: Session, recurrence_id: int, zone: ZoneInfo, default_region: str, now: datetime
) -> int:
    recurrence = session.get(RecurringCampaign, recurrence_id)
    if recurrence is None or recurrence.paused or recurrence.next_at is None:
        return 0
    rule = rule_of(recurrence)
    occurrence = recurrence.next_at
    following = rule.next_after(occurrence, zone)
    while following is not None and following <= now:
        occurrence, following = following, rule.next_after(following, zone)
    groups = list(session.scalars(select(Group).where(Group.id.in_(recurrence.group_ids))))
    request = CampaignRequest(
        recurrence.template,
        groups=groups,
        numbers=recurrence.numbers,
        send_at=occurrence,
        transactional=recurrence.transactional,
        name=recurrence.name,
        created_by_id=recurrence.created_by_id,
    )
    made = 0
    try:
        # Over a cap, everything since the last commit is rolled back and the refusal
        # logged; the occurrence is then skipped like any other refusal.
        with refusal_logged(session, THE_DAEMON, recurrence.name), session.begin_nested():
            send_campaign(
                session,
                request,
                THE_DAEMON,
                default_region=default_region,
                zone=zone,
                recurrence=(recurrence.id, occurrence),
                now=now,
            )
        made = 1
    except IntegrityError:
        # Another daemon made this occurrence first: it moves the recurrence on too.
        session.rollback()
        return 0
    except Refusal as refused:
        log.warning(
            "recurring campaign %d: occurrence %s skipped: %s", recurrence_id, occurrence, refused
        )
    recurrence.next_at = following
    session.commit()
    return made
