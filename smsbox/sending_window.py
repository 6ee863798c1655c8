"""When commercial SMS may go out: hours per weekday in the account's time zone, never
on public holidays. In France commercial SMS go out Monday to Saturday from 8:00 to
20:00, never on Sundays nor public holidays: that is the default. A commercial
message due outside the window waits in the queue until it opens; a transactional
one (a reply, a code, an appointment reminder) goes out at any hour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from smsbox.public_holidays import public_holidays, supported_countries
from smsbox.refusals import Refusal

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WORKING_HOURS = ("08:00", "20:00")
# As an end: open until midnight.
END_OF_DAY = "24:00"
# The days looked ahead for the next opening: a window open one day a year opens within.
LOOK_AHEAD_DAYS = 370


def _clock(value: str, what: str) -> time:
    if value == END_OF_DAY:
        return time.max
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise Refusal(
            "%(what)s: %(value)s is no time of day (HH:MM).", what=what, value=value
        ) from None


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Refusal("The holiday %(value)s is no date (YYYY-MM-DD).", value=value) from None


@dataclass(frozen=True)
class SendingWindow:
    # By weekday, Monday first: [start, end) as "HH:MM", or None when closed all day.
    hours: tuple[tuple[str, str] | None, ...] = (WORKING_HOURS,) * 6 + (None,)
    # Public holidays of this country (`smsbox.public_holidays`), "" for none.
    holiday_country: str = "FR"
    # Days off besides the country's, and the country's days that are worked anyway.
    extra_holidays: tuple[str, ...] = ()
    worked_holidays: tuple[str, ...] = ()
    _opening: tuple[tuple[time, time] | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.hours) != len(WEEKDAYS):
            raise Refusal("The sending hours need one entry per day of the week.")
        opening = []
        for name, hours in zip(WEEKDAYS, self.hours, strict=True):
            if hours is None:
                opening.append(None)
                continue
            start, end = (_clock(value, name) for value in hours)
            if end <= start:
                raise Refusal(
                    "%(day)s: the sending hours end (%(end)s) before they start (%(start)s).",
                    day=name,
                    start=hours[0],
                    end=hours[1],
                )
            opening.append((start, end))
        object.__setattr__(self, "_opening", tuple(opening))
        for value in self.extra_holidays + self.worked_holidays:
            _day(value)
        if self.holiday_country and self.holiday_country not in supported_countries():
            raise Refusal(
                "%(country)s is no country whose public holidays are known.",
                country=self.holiday_country,
            )

    @cached_property
    def _extra_days_off(self) -> frozenset[date]:
        return frozenset(_day(value) for value in self.extra_holidays)

    @cached_property
    def _days_worked(self) -> frozenset[date]:
        return frozenset(_day(value) for value in self.worked_holidays)

    def _is_day_off(self, day: date) -> bool:
        if day in self._days_worked:
            return False
        if day in self._extra_days_off:
            return True
        return bool(self.holiday_country) and day in public_holidays(self.holiday_country, day.year)

    def is_open(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone)
        hours = self._hours_on(local.date())
        return hours is not None and hours[0] <= local.time().replace(tzinfo=None) < hours[1]

    def next_opening(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """`moment` if the window is open then, else when it next opens (UTC); None
        when it never does."""
        if self.is_open(moment, zone):
            return moment
        local = moment.astimezone(zone)
        for ahead in range(LOOK_AHEAD_DAYS):
            day = local.date() + timedelta(days=ahead)
            hours = self._hours_on(day)
            if hours is None:
                continue
            # A start in a spring-forward gap is taken as the wall clock after it.
            opens = datetime.combine(day, hours[0], zone).astimezone(UTC)
            if opens > moment:
                return opens
        return None

    def _hours_on(self, day: date) -> tuple[time, time] | None:
        if self._is_day_off(day):
            return None
        return self._opening[day.weekday()]
