"""What staff do to messages: mark several read or unread, delete them, call one
off before it leaves. The caller commits.

Core statements on smsbox.tables (the retention purge runs in the daemon without the
ORM): a mapped message a session loaded before is not refreshed by them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Row, delete, exists, select, update

from smsbox.refusals import Refusal
from smsbox.tables import (
    Direction,
    Status,
    inbound_parts,
    incoming_calls,
    message_parts,
    messages,
    opt_outs,
    utcnow,
    written,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# More at once than any page shows (100 rows) is no selection a person made.
MAX_SELECTION = 100
# The worker holds a message in `sending`: its parts may be in the modem's hands, and
# the worker writes their outcome into the row as the modem answers. Deleting it then
# would lose the record of an SMS that may be on the air and fail the worker's next
# write. A `queued` message is no one's yet: deleting it cancels it, and a worker
# racing for it finds nothing (its claim is an UPDATE ... WHERE status = 'queued').
UNDELETABLE = (Status.SENDING,)
# What can still be called off: nothing of it has reached a modem.
CANCELLABLE = (Status.SCHEDULED, Status.QUEUED)


class SelectionRefused(Refusal):
    """A choice of messages no list offers."""


@dataclass(frozen=True)
class Deletion:
    deleted: int
    # Ids chosen but kept: being sent, or still in a SIM's storage (see delete_messages).
    kept: list[int]


def mark_read(session: Session, ids: Collection[int], *, read: bool = True) -> int:
    """Mark the received messages among `ids` read (or unread); returns how many changed.
    Sent messages have no read state: they are left alone."""
    chosen = (
        messages.c.id.in_(_limited(ids)),
        messages.c.direction == written(Direction.INBOUND),
        messages.c.read_at.is_(None) if read else messages.c.read_at.is_not(None),
    )
    values = {"read_at": utcnow() if read else None}
    return session.execute(update(messages).where(*chosen).values(**values)).rowcount


def find_chosen(session: Session, ids: Collection[int]) -> list[Row[Any]]:
    """The messages among `ids` that exist, newest first: what a confirmation shows."""
    query = select(messages).where(messages.c.id.in_(_limited(ids)))
    return list(session.execute(query.order_by(messages.c.created_at.desc(), messages.c.id.desc())))


def delete_messages(session: Session, ids: Collection[int]) -> Deletion:
    """Delete the messages among `ids`, save those being sent (UNDELETABLE) and received
    ones whose parts the daemon has not yet deleted from the SIM: deleted here, the
    daemon would read that slot again and the message would come back.

    The calls and STOPs that refer to a deleted message stay, without the reference
    (so a caller whose automatic reply is deleted may get another within the period).
    """
    chosen = _limited(ids)
    still_on_a_sim = exists().where(
        inbound_parts.c.message_id == messages.c.id, inbound_parts.c.key.is_not(None)
    )
    deletable = select(messages.c.id).where(
        messages.c.id.in_(chosen), messages.c.status.not_in(UNDELETABLE), ~still_on_a_sim
    )
    doomed = list(session.scalars(deletable))
    # The status test again, in the DELETE itself: a worker may have claimed one of
    # them since the SELECT.
    deleted = delete_with_references(session, doomed, messages.c.status.not_in(UNDELETABLE))
    existing = set(session.scalars(select(messages.c.id).where(messages.c.id.in_(chosen))))
    return Deletion(deleted=deleted, kept=sorted(existing))


def cancel_message(session: Session, message_id: int) -> bool | None:
    """Call off an outbound message that is scheduled, or queued with no part handed to
    a modem yet: it stays, `cancelled`, and is never sent. True when this call
    cancelled it, False when it could not (cancelled before, a worker took it, part of
    it left), None when there is no such outbound message. The caller commits."""
    direction = session.scalar(select(messages.c.direction).where(messages.c.id == message_id))
    if direction != Direction.OUTBOUND:
        return None
    # A worker claims with an UPDATE ... WHERE status = 'queued': of it and this one,
    # one finds the row in the state it expects, the other nothing.
    untouched = messages.c.status.in_(CANCELLABLE) & ~exists().where(
        message_parts.c.message_id == messages.c.id, message_parts.c.status != Status.QUEUED
    )
    calling_off = (
        update(messages)
        .where(messages.c.id == message_id, untouched)
        .values(status=Status.CANCELLED)
    )
    return session.execute(calling_off).rowcount == 1


def delete_with_references(
    session: Session, doomed: list[int], still: ColumnElement[bool] | None = None
) -> int:
    """Delete the messages `doomed` (those for which `still` holds, if given) and the
    references to them."""
    if not doomed:
        return 0
    # A received message's parts are kept beside it, as read (smsbox.tables.inbound_parts).
    session.execute(delete(inbound_parts).where(inbound_parts.c.message_id.in_(doomed)))
    session.execute(
        update(opt_outs)
        .where(opt_outs.c.source_message_id.in_(doomed))
        .values(source_message_id=None)
    )
    session.execute(
        update(incoming_calls)
        .where(incoming_calls.c.reply_message_id.in_(doomed))
        .values(reply_message_id=None)
    )
    # Outbound parts go with their message (ON DELETE CASCADE).
    deleting = delete(messages).where(messages.c.id.in_(doomed))
    if still is not None:
        deleting = deleting.where(still)
    return session.execute(deleting).rowcount


def _limited(ids: Collection[int]) -> list[int]:
    if len(ids) > MAX_SELECTION:
        raise SelectionRefused(
            "at most %(limit)d messages can be chosen at once", limit=MAX_SELECTION
        )
    return list(ids)
