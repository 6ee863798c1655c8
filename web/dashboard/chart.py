"""The month's traffic as bars in an SVG drawn by the template: the geometry here,
in the SVG's own units (its viewBox), so that the page scales it to any width."""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import get_locale

from smsbox.dashboard import DayTraffic

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 60, 616, 14, 186
BAR_WIDTH = 7.0
# A date under every LABEL_EVERY-th day, counted back from today.
LABEL_EVERY = 7


@dataclass(frozen=True)
class Bar:
    kind: str  # "sent" or "received"
    x: float
    y: float
    height: float
    value: int


@dataclass(frozen=True)
class DayColumn:
    """A day's bars, and its figures written the reader's way (formatted here at once:
    Flask-Babel's filters, which look up the locale at each call, cost more)."""

    day: str  # in full, for the table of figures
    label: str | None  # under the bars, on every LABEL_EVERY-th day
    sent: str
    received: str
    centre: float
    bars: tuple[Bar, Bar]


@dataclass(frozen=True)
class Chart:
    columns: list[DayColumn]
    scale: int  # the value of the top line
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def traffic_chart(days: list[DayTraffic]) -> Chart:
    scale = round_scale(max((max(day.sent, day.received) for day in days), default=0))
    slot = (RIGHT - LEFT) / max(len(days), 1)
    locale = get_locale()
    columns = []
    for index, day in enumerate(days):
        centre = round(LEFT + slot * (index + 0.5), 2)
        labelled = (len(days) - 1 - index) % LABEL_EVERY == 0
        columns.append(
            DayColumn(
                day=format_date(day.day, "full", locale=locale),
                label=format_date(day.day, "d MMM", locale=locale) if labelled else None,
                sent=format_decimal(day.sent, locale=locale),
                received=format_decimal(day.received, locale=locale),
                centre=centre,
                bars=(
                    _bar("sent", day.sent, centre - BAR_WIDTH, scale),
                    _bar("received", day.received, centre, scale),
                ),
            )
        )
    return Chart(columns, scale)


def _bar(kind: str, value: int, x: float, scale: int) -> Bar:
    height = (BOTTOM - TOP) * value / scale
    return Bar(kind, round(x, 2), round(BOTTOM - height, 2), round(height, 2), value)


def round_scale(largest: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that is at least `largest`."""
    scale = 1
    while scale < largest:
        scale = scale * 5 // 2 if str(scale)[0] == "2" else scale * 2
    return scale
