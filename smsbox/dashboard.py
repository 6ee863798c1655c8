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
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from smsbox.models import Direction, HourlyTraffic, Modem, ModemError, Status, UnreadTotal
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
    modem: Modem
    online: bool
    bars: int | None  # 0 to 4, None when the modem never told its signal
    latest_error: ModemError | None


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
    rows = session.execute(
        select(HourlyTraffic.direction, HourlyTraffic.status, func.sum(HourlyTraffic.total))
        .where(HourlyTraffic.hour >= hour)
        .group_by(HourlyTraffic.direction, HourlyTraffic.status)
    )
    counts: dict[str, int] = {"sent": 0, "received": 0, "failed": 0, "delivered": 0}
    for direction, status, total in rows:
        if direction == Direction.INBOUND:
            counts["received"] += total
        elif status in SENT:
            counts["sent"] += total
        elif status in FAILED:
            counts["failed"] += total
        if status == Status.DELIVERED:
            counts["delivered"] += total
    return Totals(**counts)


def daily_traffic(session: Session, today: date, zone: ZoneInfo) -> list[DayTraffic]:
    """Messages sent and received on each of the CHART_DAYS days up to `today`."""
    days = [today - timedelta(days=back) for back in range(CHART_DAYS - 1, -1, -1)]
    starts = [_hour_of(_start_of(day, zone)) for day in [*days, today + timedelta(days=1)]]
    sent, received = [0] * CHART_DAYS, [0] * CHART_DAYS
    bounds = {f"day{index}": start for index, start in enumerate(starts)}
    for index, direction, total in session.execute(_DAILY_TRAFFIC, bounds):
        (received if direction == Direction.INBOUND else sent)[index] += total
    return [DayTraffic(day, s, r) for day, s, r in zip(days, sent, received, strict=True)]


def _daily_traffic_query() -> Select[tuple[int, str, int]]:
    """Messages sent or received per day and direction, `day0` to `day{CHART_DAYS}` the
    hours the days start at: the database sums the counters of each day, so that a few
    rows come back and not one per hour. Built once: its shape never changes."""
    day = case(
        *[
            (HourlyTraffic.hour >= bindparam(f"day{index}"), index)
            for index in range(CHART_DAYS - 1, 0, -1)
        ],
        else_=0,
    ).label("day")
    return (
        select(day, HourlyTraffic.direction, func.sum(HourlyTraffic.total))
        .where(
            HourlyTraffic.hour >= bindparam("day0"),
            HourlyTraffic.hour < bindparam(f"day{CHART_DAYS}"),
            or_(HourlyTraffic.direction == Direction.INBOUND, HourlyTraffic.status.in_(SENT)),
        )
        .group_by(day, HourlyTraffic.direction)
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


def is_online(modem: Modem, now: datetime) -> bool:
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
