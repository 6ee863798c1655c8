"""Messages that wait for their time: the time a person types, read in the box's time
zone; the list of those waiting, soonest first; changing or cancelling one.

The daemon moves a message from `scheduled` to `queued` when its time comes
(outbox.release_due_scheduled), in one UPDATE. A change here is one UPDATE too,
conditional on the message being still `scheduled`: of the two, whichever the
database runs first wins, and a person told "changed" knows the daemon will send
the changed message, one told "already left" that it sends the old one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from smsbox.message_actions import cancel_message
from smsbox.models import Direction, Message, Modem, Status, utcnow
from smsbox.outbox import check_body
from smsbox.pages import PAGE_SIZES, Cursor, ListRefused
from smsbox.refusals import Refusal
from smsbox.tables import written

# Further ahead is a typo (2062 for 2026) more often than a plan.
MAX_AHEAD = timedelta(days=366)
# What a datetime-local field sends: minutes, or seconds when its step asks for them.
_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", re.ASCII)


class ScheduleRefused(Refusal):
    """A time to send that cannot be one."""


class NotScheduled(Refusal):
    """The message is no (longer a) scheduled one: `gone` says whether it exists at all."""

    def __init__(self, template: str, *, gone: bool, **values: object):
        super().__init__(template, **values)
        self.gone = gone


def send_time(text: str, timezone: str, now: datetime | None = None) -> datetime | None:
    """The UTC time of `text`, a local time in `timezone` as a datetime-local field sends
    it (YYYY-MM-DDTHH:MM); None when empty.

    A time the clocks skip (spring forward) is refused; one they pass twice (fall
    back) is the first of the two.
    """
    if not text:
        return None
    local = parse_local(text)
    zone = ZoneInfo(timezone)
    # fold=0, datetime's default: the first of two same local times.
    moment = local.replace(tzinfo=zone).astimezone(UTC)
    shown = _shown(local)
    if moment.astimezone(zone).replace(tzinfo=None) != local:
        raise ScheduleRefused(
            "%(time)s does not exist in %(zone)s: the clocks go forward at that hour; "
            "choose another time",
            time=shown,
            zone=timezone,
        )
    now = now or utcnow()
    if moment <= now:
        raise ScheduleRefused("%(time)s is in the past", time=shown)
    if moment > now + MAX_AHEAD:
        raise ScheduleRefused("%(time)s is more than a year ahead", time=shown)
    return moment


def local_input(moment: datetime, timezone: str) -> str:
    """`moment` as a datetime-local field shows it, in `timezone`."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")


def parse_local(text: str) -> datetime:
    if _LOCAL_TIME.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise ScheduleRefused(
        "“%(value)s” is not a date and time: write it as 2024-01-31T14:30", value=text[:40]
    )


def _shown(local: datetime) -> str:
    return local.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class WaitingMessage:
    """What the Scheduled page shows of a message: read as plain columns, not as the
    message's object and its modem's (the ORM's loading of both)."""

    id: int
    scheduled_at: datetime
    number: str
    body: str
    modem_name: str | None  # the modem asked for, if one was


@dataclass(frozen=True)
class ScheduledPage:
    messages: list[WaitingMessage]
    # Where the next page starts; None on the last page.
    later: Cursor | None


def list_scheduled(
    session: Session, *, page_size: int, after: Cursor | None = None
) -> ScheduledPage:
    """The messages waiting for their time, soonest first, by keyset: `after` is the
    (scheduled_at, id) of the last one of the page before, through the index on
    (status, scheduled_at)."""
    if page_size not in PAGE_SIZES:
        raise ListRefused(
            "%(size)s rows per page is not offered: choose 10, 25, 50 or 100", size=page_size
        )
    # Every scheduled message has its time: saying so (and not the direction, always
    # outbound) is what makes SQLite read ix_messages_status_scheduled in order rather
    # than another index on status and sort every waiting message.
    statement = (
        select(Message.id, Message.scheduled_at, Message.number, Message.body, Modem.name)
        .outerjoin(Modem, Modem.id == Message.requested_modem_id)
        .where(Message.status == Status.SCHEDULED, Message.scheduled_at.is_not(None))
    )
    if after is not None:
        # message_lists.Cursor is a time and an id: here the time is scheduled_at.
        statement = statement.where(
            and_(
                Message.scheduled_at >= after.created_at,
                or_(Message.scheduled_at > after.created_at, Message.id > after.id),
            )
        )
    found = session.execute(
        statement.order_by(Message.scheduled_at, Message.id).limit(page_size + 1)
    ).all()
    shown = [WaitingMessage(*row) for row in found[:page_size]]
    later = Cursor(shown[-1].scheduled_at, shown[-1].id) if len(found) > page_size else None
    return ScheduledPage(shown, later)


def scheduled_message(session: Session, message_id: int) -> Message:
    """The scheduled message `message_id`, or NotScheduled saying why not."""
    message = session.get(Message, message_id)
    if message is None or message.direction != Direction.OUTBOUND:
        raise NotScheduled("there is no such scheduled message", gone=True)
    if message.status == Status.CANCELLED:
        raise NotScheduled("this message was cancelled", gone=False)
    if message.status != Status.SCHEDULED:
        raise NotScheduled(
            "this message has already left the schedule for the queue: it can no longer be changed",
            gone=False,
        )
    return message


def reschedule(session: Session, message_id: int, body: str, scheduled_at: datetime) -> None:
    """Give a scheduled message a new text and time, if it is still waiting."""
    check_body(body)
    _change(session, message_id, body=body, scheduled_at=scheduled_at)


def cancel(session: Session, message_id: int) -> Message:
    """Call a scheduled message off, or one its time released that no modem took yet:
    it stays, `cancelled`, and is never sent."""
    if not cancel_message(session, message_id):
        _say_what_it_is_now(session, message_id)
    session.expire_all()
    return session.get_one(Message, message_id)


def _change(session: Session, message_id: int, **values: object) -> None:
    changed = session.execute(
        update(Message)
        .where(
            Message.id == message_id,
            Message.direction == written(Direction.OUTBOUND),
            Message.status == Status.SCHEDULED,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        _say_what_it_is_now(session, message_id)


def _say_what_it_is_now(session: Session, message_id: int) -> None:
    # Whoever changed it first (the daemon, another person) did: say what it is now.
    session.expire_all()
    scheduled_message(session, message_id)
