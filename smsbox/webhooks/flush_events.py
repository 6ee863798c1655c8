"""The ORM's side of the webhook events: what a session's flush wrote is queued by a
hook on every session (`smsbox.webhooks.events`), and the sender told once it commits.

Loaded with the mapped models (`smsbox.models`): whatever flushes mapped objects has
the hook. The hook first looks only at the objects in memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from smsbox.models.directory import OptOut
from smsbox.models.messaging import Direction, IncomingCall, Message
from smsbox.webhooks import events
from smsbox.webhooks.event_types import CALL_RECEIVED, MESSAGE_RECEIVED, OPTOUT_CREATED


def _events_in(session: Session) -> Iterator[tuple[str, dict[str, object]]]:
    """What the flush under way tells, as (type, data)."""
    for instance in session.new:
        if isinstance(instance, Message) and instance.direction == Direction.INBOUND:
            yield MESSAGE_RECEIVED, events.message_data(instance)
        elif isinstance(instance, IncomingCall):
            yield CALL_RECEIVED, events.call_data(instance)
        elif isinstance(instance, OptOut):
            yield OPTOUT_CREATED, events.optout_data(instance)
    for instance in session.dirty:
        if not isinstance(instance, Message) or instance.direction != Direction.OUTBOUND:
            continue
        kind = events.OUTBOUND_EVENTS.get(instance.status)
        if kind is not None and inspect(instance).attrs.status.history.added:
            yield kind, events.message_data(instance)


@event.listens_for(Session, "after_flush")
def _queue_deliveries(session: Session, _context: object) -> None:
    events.queue_events(session, list(_events_in(session)))


@event.listens_for(Session, "after_commit")
def _tell_sender(session: Session) -> None:
    events.committed(session.info)


@event.listens_for(Session, "after_rollback")
def _nothing_queued(session: Session) -> None:
    events.rolled_back(session.info)
