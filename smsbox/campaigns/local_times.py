"""A wall-clock time of the account's zone as the UTC moment a campaign goes.

Across daylight saving: a time the clocks skip (02:30 on the spring-forward night in
Paris) is the moment they jump, which the clocks show as 03:00; a time they show twice
(02:30 on the autumn night) is the first of the two, so a send at that time goes once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from smsbox.models import utcnow
from smsbox.scheduled import MAX_AHEAD, ScheduleRefused, parse_local

MINUTE = timedelta(minutes=1)
# "2026-12-24 09:00" as a person types it, for the "T" a datetime-local field sends.
_DATE_THEN_SPACE = re.compile(r"^(\d{4}-\d{2}-\d{2}) +")


def moment_of(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC moment of the naive local time `local` in `zone` (see the module)."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _shown(first, zone) == local:
        return first
    # In a gap: fold=1 reads it with the offset after the jump, an earlier instant;
    # the jump lies between the two, on a whole minute.
    moment = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    while _shown(moment, zone) < local:
        moment += MINUTE
    return moment


def _shown(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def send_time(text: str, zone: ZoneInfo, now: datetime | None = None) -> datetime:
    """The UTC moment of `text`, a local time written 2026-03-29 02:30 (or with a T as a
    datetime-local field sends it); refused when past or more than a year ahead."""
    local = parse_local(_DATE_THEN_SPACE.sub(r"\1T", text.strip(), count=1))
    moment = moment_of(local, zone)
    now = now or utcnow()
    shown = local.strftime("%Y-%m-%d %H:%M")
    if moment <= now:
        raise ScheduleRefused("%(time)s is in the past", time=shown)
    if moment > now + MAX_AHEAD:
        raise ScheduleRefused("%(time)s is more than a year ahead", time=shown)
    return moment
