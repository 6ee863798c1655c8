"""Jinja filters. Times are stored UTC and shown in the configured time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

TIME_FORMAT = "%Y-%m-%d %H:%M"


def localtime_filter(timezone: str) -> Callable[[datetime | None], str]:
    zone = ZoneInfo(timezone)

    def localtime(value: datetime | None) -> str:
        if value is None:
            return ""
        if value.tzinfo is None:  # the model gives aware UTC; be safe with anything else
            value = value.replace(tzinfo=UTC)
        return value.astimezone(zone).strftime(TIME_FORMAT)

    return localtime
