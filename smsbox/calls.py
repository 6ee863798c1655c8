"""The call log: incoming calls, one row per call, recorded by the daemon; and what the
box does about a call when configured to ([calls]: hang up, reply by SMS).

The daemon's records are written on the tables (`smsbox.tables`), on a Session or a
Connection alike, and a new call's `call.received` event is queued with it, as the
ORM's flush would (`smsbox.webhooks.events`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, insert, or_, select, update

from smsbox import outbox
from smsbox.numbers import from_network
from smsbox.pages import PAGE_SIZES, Cursor, ListRefused
from smsbox.tables import incoming_calls
from smsbox.webhooks import events
from smsbox.webhooks.event_types import CALL_RECEIVED

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smsbox.models import IncomingCall
    from smsbox.webhooks.events import Executor

# Longer than any modem's ring interval (1 to 5 s): the next ring of a call comes
# sooner than this after the last one.
RING_GAP = timedelta(seconds=8)


@dataclass(frozen=True)
class RecordedCall:
    """A call as the daemon recorded it: what its event and its reply read."""

    id: int
    number: str | None  # None: withheld
    raw_number: str | None
    received_at: datetime
    rings: int
    reply_message_id: int | None = None


_RECORDED = select(
    incoming_calls.c.id,
    incoming_calls.c.number,
    incoming_calls.c.raw_number,
    incoming_calls.c.received_at,
    incoming_calls.c.rings,
    incoming_calls.c.reply_message_id,
)


@dataclass(frozen=True)
class CallRow:
    """What the calls page shows of a call: read as plain columns, not as the call and
    its reply's objects (loading both took 53 µs a row, the columns take 32)."""

    id: int
    received_at: datetime
    number: str | None  # None: withheld
    rings: int
    hung_up: bool
    modem_name: str | None
    # The SMS sent back to the caller, if one was: its text and state.
    reply_body: str | None
    reply_status: str | None
    has_discussion: bool  # messages were exchanged with the caller


@dataclass(frozen=True)
class CallsPage:
    rows: list[CallRow]
    # Where the next (older) page starts, None on the last one.
    older: Cursor | None


def record_call(
    executor: Executor,
    modem_id: int,
    raw_number: str | None,
    started_at: datetime,
    rings: int,
    *,
    default_region: str,
    known_calls: set[int] | frozenset[int] = frozenset(),
) -> RecordedCall:
    """A call that started ringing; `raw_number` None when withheld or unknown.

    The rings of a call that was recorded before the daemon restarted come as a new
    call to the new daemon: they are counted on that call, unless it is one of
    `known_calls`, those this daemon saw ring and end itself.
    """
    number = None if raw_number is None else from_network(raw_number, default_region)
    calls = incoming_calls.c
    ringing = executor.execute(
        _RECORDED.where(
            calls.modem_id == modem_id,
            calls.number.is_(None) if number is None else calls.number == number,
            calls.last_ring_at >= started_at - RING_GAP,
            calls.id.not_in(known_calls),
        )
        .order_by(calls.last_ring_at.desc())
        .limit(1)
    ).first()
    if ringing is not None:
        executor.execute(
            update(incoming_calls)
            .where(calls.id == ringing.id)
            .values(rings=calls.rings + rings, last_ring_at=started_at)
        )
        return replace(RecordedCall(*ringing), rings=ringing.rings + rings)
    inserted = executor.execute(
        insert(incoming_calls).values(
            modem_id=modem_id,
            number=number,
            raw_number=raw_number,
            received_at=started_at,
            last_ring_at=started_at,
            rings=rings,
        )
    )
    call = RecordedCall(inserted.inserted_primary_key[0], number, raw_number, started_at, rings)
    events.queue_events(executor, [(CALL_RECEIVED, events.call_data(call))])
    return call


def count_rings(executor: Executor, call_id: int, rings: int, at: datetime) -> RecordedCall:
    """Call `call_id` has now rung `rings` times in all, the last one `at`."""
    call = RecordedCall(*executor.execute(_RECORDED.where(incoming_calls.c.id == call_id)).one())
    counted = replace(call, rings=max(call.rings, rings))
    executor.execute(
        update(incoming_calls)
        .where(incoming_calls.c.id == call_id)
        .values(rings=counted.rings, last_ring_at=at)
    )
    return counted


def record_hang_up(executor: Executor, call_id: int) -> None:
    executor.execute(
        update(incoming_calls).where(incoming_calls.c.id == call_id).values(hung_up=True)
    )


def reply_to_caller(
    session: Session, call: RecordedCall, text: str, *, every: timedelta, default_region: str
) -> bool:
    """Queue `text` to the caller, unless the number is withheld or was replied to less
    than `every` ago (a caller who tries again and again gets one SMS). The STOP list
    applies at sending time, as to any message."""
    if call.number is None or call.reply_message_id is not None:
        return False
    calls = incoming_calls.c
    replied_lately = session.scalar(
        select(calls.id).where(
            calls.number == call.number,
            calls.reply_message_id.is_not(None),
            calls.received_at >= call.received_at - every,
        )
    )
    if replied_lately is not None:
        return False
    reply = outbox.queue_reply(session, call.number, text, default_region=default_region)
    session.execute(
        update(incoming_calls).where(calls.id == call.id).values(reply_message_id=reply.id)
    )
    return True


def list_calls(session: Session, limit: int) -> list[IncomingCall]:
    """The latest `limit` calls, newest first."""
    # Here and in `calls_page`, not at the top: the daemon records calls without the ORM.
    from smsbox.models import IncomingCall

    query = select(IncomingCall).order_by(IncomingCall.received_at.desc(), IncomingCall.id.desc())
    return list(session.scalars(query.limit(limit)))


def calls_page(session: Session, *, page_size: int, older_than: Cursor | None = None) -> CallsPage:
    """One page of calls, newest first, those before `older_than` (a call's time and
    id, found through ix_incoming_calls_received: a deep page costs what the first
    does)."""
    from smsbox.models import ConversationHead, IncomingCall, Message, Modem

    if page_size not in PAGE_SIZES:
        raise ListRefused(
            "%(size)s rows per page is not offered: choose 10, 25, 50 or 100", size=page_size
        )
    query = (
        select(
            IncomingCall.id,
            IncomingCall.received_at,
            IncomingCall.number,
            IncomingCall.rings,
            IncomingCall.hung_up,
            Modem.name,
            Message.body,
            Message.status,
        )
        .outerjoin(Modem, Modem.id == IncomingCall.modem_id)
        .outerjoin(Message, Message.id == IncomingCall.reply_message_id)
        .order_by(IncomingCall.received_at.desc(), IncomingCall.id.desc())
        .limit(page_size + 1)
    )
    if older_than is not None:
        moment = older_than.created_at
        query = query.where(
            IncomingCall.received_at <= moment,
            or_(
                IncomingCall.received_at < moment,
                and_(IncomingCall.received_at == moment, IncomingCall.id < older_than.id),
            ),
        )
    found = session.execute(query).all()
    more = len(found) > page_size
    found = found[:page_size]
    numbers = {row.number for row in found if row.number is not None}
    talked = set(
        session.scalars(select(ConversationHead.number).where(ConversationHead.number.in_(numbers)))
    )
    rows = [CallRow(*row, has_discussion=row.number in talked) for row in found]
    last = rows[-1] if more else None
    return CallsPage(rows, Cursor(last.received_at, last.id) if last else None)
