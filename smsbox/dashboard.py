"""The dashboard's figures: messages today and over a week, the traffic of each of
the last 30 days, the unread count, and each modem's health.

The counts read `hourly_traffic` (kept by triggers, smsbox.traffic_triggers): a few
hundred counters, whatever number of messages the box holds; the unread count,
`unread_total` (smsbox.unread_triggers). Days are those of the
configured time zone, summed from the hours that start in them: exact wherever the
offset from UTC is whole hours; where it is not (India, Newfoundland...), the hour
across midnight counts for the day it starts in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from smsbox.models import Direction, HourlyTraffic, Status, UnreadTotal
from smsbox.modems import READY, latest_errors, list_modems
from smsbox.routing import SILENT_AFTER

CHART_DAYS = 30
WEEK_DAYS = 7
# Handed to the network and not reported lost; FAILED are those that were.
SENT = (Status.SENT, Status.DELIVERED)
FAILED = (Status.FAILED, Status.EXPIRED)
# AT+CSQ's 0-31 as the bars of a phone: the lowest quality of each bar.
BAR_THRESHOLDS = (2, 10, 15, 20)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Totals:
    """Messages of a period: sent, received, failed (or expired), and delivered."""

    sent: int = 0
    received: int = 0
    failed: int = 0
    delivered: int = 0

    @property
    def delivery_rate(self) -> float | None:
        """Delivered among those whose fate is known; None before there is any."""
        settled = self.delivered + self.failed
        return self.delivered / settled if settled else None


@dataclass(frozen=True)
class DayTraffic:
    day: date
    sent: int
    received: int


@dataclass(frozen=True)
class ModemCard:
    modem: Row[Any]  # of smsbox.tables.modems
    online: bool
    bars: int | None  # 0 to 4, None when the modem never told its signal
    latest_error: Row[Any] | None  # of smsbox.tables.modem_errors


@dataclass(frozen=True)
class Dashboard:
    today: Totals
    week: Totals
    unread: int
    days: list[DayTraffic]  # oldest first, today last
    modems: list[ModemCard]


def dashboard(session: Session, *, timezone: str, now: datetime | None = None) -> Dashboard:
    now = now or datetime.now(UTC)
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    return Dashboard(
        today=totals_since(session, _hour_of(_start_of(today, zone))),
        week=totals_since(session, _hour_of(_start_of(today - timedelta(WEEK_DAYS - 1), zone))),
        unread=unread_count(session),
        days=daily_traffic(session, today, zone),
        modems=modem_cards(session, now),
    )


def totals_since(session: Session, hour: int) -> Totals:
    """Each figure summed where its condition holds, in one pass over the hours:
    grouping the counters by direction and state sorted them first, which cost more
    than the sums at a million messages (every hour holding every state)."""
    figures = session.execute(_TOTALS_SINCE, {"since": hour}).one()
    return Totals(**{name: figure or 0 for name, figure in zip(_TOTALS, figures, strict=True)})


_OUTBOUND = HourlyTraffic.direction == Direction.OUTBOUND
_SENT = and_(_OUTBOUND, HourlyTraffic.status.in_(SENT))
_RECEIVED = HourlyTraffic.direction == Direction.INBOUND
_TOTALS = {
    "sent": _SENT,
    "received": _RECEIVED,
    "failed": and_(_OUTBOUND, HourlyTraffic.status.in_(FAILED)),
    "delivered": HourlyTraffic.status == Status.DELIVERED,
}


def _sum_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, HourlyTraffic.total), else_=0))


_TOTALS_SINCE = select(*[_sum_where(condition) for condition in _TOTALS.values()]).where(
    HourlyTraffic.hour >= bindparam("since")
)


def daily_traffic(session: Session, today: date, zone: ZoneInfo) -> list[DayTraffic]:
    """Messages sent and received on each of the CHART_DAYS days up to `today`."""
    days = [today - timedelta(days=back) for back in range(CHART_DAYS - 1, -1, -1)]
    starts = [_hour_of(_start_of(day, zone)) for day in [*days, today + timedelta(days=1)]]
    bounds = {f"day{index}": start for index, start in enumerate(starts)}
    sent, received = [0] * CHART_DAYS, [0] * CHART_DAYS
    for index, day_sent, day_received in session.execute(_DAILY_TRAFFIC, bounds):
        sent[index], received[index] = day_sent or 0, day_received or 0
    return [DayTraffic(day, s, r) for day, s, r in zip(days, sent, received, strict=True)]


def _daily_traffic_query() -> Select[tuple[int, int | None, int | None]]:
    """Messages sent and received on each day, `day0` to `day{CHART_DAYS}` the hours
    the days start at: each of a day's two sums reads that day's hours through the
    key, where one grouping of the month by a CASE over the days compared each hour
    with them and sorted the month's counters (5,000 at a million messages). Built
    once: its shape never changes."""
    # One SELECT a day, not a VALUES list: SQLAlchemy caches no statement holding one,
    # and compiling it anew at each request cost more than the sums.
    days = union_all(
        *[
            select(
                literal(index, Integer).label("day"),
                bindparam(f"day{index}", type_=Integer).label("first"),
                bindparam(f"day{index + 1}", type_=Integer).label("next"),
            )
            for index in range(CHART_DAYS)
        ]
    ).cte("days")

    def of_the_day(condition: ColumnElement[bool]) -> ScalarSelect[int | None]:
        return (
            select(func.sum(HourlyTraffic.total))
            .where(HourlyTraffic.hour >= days.c.first, HourlyTraffic.hour < days.c.next, condition)
            .scalar_subquery()
        )

    return select(
        days.c.day,
        of_the_day(_SENT),
        of_the_day(_RECEIVED),
    )


_DAILY_TRAFFIC = _daily_traffic_query()


def unread_count(session: Session) -> int:
    return session.scalar(select(UnreadTotal.total)) or 0


def modem_cards(session: Session, now: datetime) -> list[ModemCard]:
    errors = latest_errors(session)
    return [
        ModemCard(
            modem, is_online(modem, now), signal_bars(modem.signal_quality), errors.get(modem.id)
        )
        for modem in list_modems(session)
    ]


def is_online(modem: Row[Any], now: datetime) -> bool:
    """Connected and set up, and heard from lately by a running daemon."""
    return (
        modem.state == READY
        and modem.last_seen_at is not None
        and modem.last_seen_at >= now - SILENT_AFTER
    )


def signal_bars(quality: int | None) -> int | None:
    if quality is None or not 0 <= quality <= 31:  # 99: not known
        return None
    return sum(quality >= threshold for threshold in BAR_THRESHOLDS)


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _hour_of(moment: datetime) -> int:
    return (moment - _EPOCH) // _HOUR
