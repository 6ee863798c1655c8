"""The events webhooks carry, queued in the transaction of what they tell.

A hook on every session's flush looks at the rows the flush wrote: an inbound message
stored, an outbound one that became sent, delivered or failed, a call recorded, a
number put on the STOP list. For each such event it inserts one delivery row per
enabled endpoint subscribed to it, on the flush's own connection: the event and its
deliveries commit together, or neither does, whatever wrote them (the daemon, the web,
the CLI). Statuses changed by bulk statements (the claim's `blocked`) are not events.
The modem's sender writes its messages through Core (`smsbox.outgoing`) and queues
their events itself, through `queue_events` as the hook does.

Kept cheap for the paths every message takes: the hook first looks only at the objects
in memory, and the endpoints are read from the database at most once a minute per
database (`SUBSCRIPTIONS_REFRESH`), or when this process changed them. An endpoint added
by another process receives events within that minute.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Insert, bindparam, event, insert, inspect, select
from sqlalchemy.orm import Session

from smsbox.models import (
    Direction,
    IncomingCall,
    Message,
    OptOut,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from smsbox.webhooks.event_types import (
    CALL_RECEIVED,
    MESSAGE_DELIVERED,
    MESSAGE_FAILED,
    MESSAGE_RECEIVED,
    MESSAGE_SENT,
    OPTOUT_CREATED,
)

OUTBOUND_EVENTS = {
    Status.SENT: MESSAGE_SENT,
    Status.DELIVERED: MESSAGE_DELIVERED,
    Status.FAILED: MESSAGE_FAILED,
    Status.EXPIRED: MESSAGE_FAILED,
}
SUBSCRIPTIONS_REFRESH = 60.0
QUEUED_FLAG = "smsbox.webhooks.queued"


@dataclass(frozen=True)
class Subscription:
    endpoint_id: int
    events: frozenset[str]


class _Subscriptions:
    """Each database's enabled endpoints, read again once a minute."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic):
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._by_database: dict[str, tuple[float, list[Subscription]]] = {}

    def of(self, session: Session) -> list[Subscription]:
        connection = session.connection()
        database = connection.engine.url.render_as_string(hide_password=False)
        with self._lock:
            cached = self._by_database.get(database)
        if cached is not None and self._monotonic() - cached[0] < SUBSCRIPTIONS_REFRESH:
            return cached[1]
        rows = connection.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.enabled)
        )
        found = [Subscription(id_, frozenset(events.split(","))) for id_, events in rows]
        with self._lock:
            self._by_database[database] = (self._monotonic(), found)
        return found

    def forget(self) -> None:
        """Endpoints changed: the next event reads them again."""
        with self._lock:
            self._by_database.clear()


subscriptions = _Subscriptions()
# Told, after a commit that queued deliveries, so that the sender posts them at once.
_listeners: set[Callable[[], None]] = set()


def listen(wake: Callable[[], None]) -> None:
    _listeners.add(wake)


def stop_listening(wake: Callable[[], None]) -> None:
    _listeners.discard(wake)


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def message_data(message: Message) -> dict[str, object]:
    return {
        "id": message.id,
        "direction": message.direction,
        "number": message.number,
        "body": message.body,
        "status": message.status,
        "error": message.error,
        "created_at": _iso(message.created_at),
        "sent_at": _iso(message.sent_at),
        "delivered_at": _iso(message.delivered_at),
        "callback_data": message.callback_data,
    }


def call_data(call: IncomingCall) -> dict[str, object]:
    return {
        "id": call.id,
        "number": call.number,
        "raw_number": call.raw_number,
        "received_at": _iso(call.received_at),
        "rings": call.rings,
    }


def optout_data(entry: OptOut) -> dict[str, object]:
    return {
        "number": entry.number,
        "source": entry.source,
        "keyword": entry.keyword,
        "created_at": _iso(entry.created_at),
    }


def _events_in(session: Session) -> Iterator[tuple[str, dict[str, object]]]:
    """What the flush under way tells, as (type, data)."""
    for instance in session.new:
        if isinstance(instance, Message) and instance.direction == Direction.INBOUND:
            yield MESSAGE_RECEIVED, message_data(instance)
        elif isinstance(instance, IncomingCall):
            yield CALL_RECEIVED, call_data(instance)
        elif isinstance(instance, OptOut):
            yield OPTOUT_CREATED, optout_data(instance)
    for instance in session.dirty:
        if not isinstance(instance, Message) or instance.direction != Direction.OUTBOUND:
            continue
        kind = OUTBOUND_EVENTS.get(instance.status)
        if kind is not None and inspect(instance).attrs.status.history.added:
            yield kind, message_data(instance)


def payload(kind: str, data: dict[str, object], at: datetime) -> str:
    """The body posted: the Standard Webhooks envelope."""
    return json.dumps(
        {"type": kind, "timestamp": _iso(at), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def delivery_rows(
    subscribed: list[Subscription], kind: str, data: dict[str, object], at: datetime
) -> list[dict[str, object]]:
    """One row per endpoint subscribed to `kind`, all with the same event id."""
    endpoints = [entry.endpoint_id for entry in subscribed if kind in entry.events]
    if not endpoints:
        return []
    event_id, body = new_event_id(), payload(kind, data, at)
    return [
        {
            "endpoint_id": endpoint_id,
            "event_type": kind,
            "event_id": event_id,
            "payload": body,
            "created_at": at,
            "next_attempt_at": at,
        }
        for endpoint_id in endpoints
    ]


@event.listens_for(Session, "after_flush")
def _queue_deliveries(session: Session, _context: object) -> None:
    queue_events(session, list(_events_in(session)))


def queue_events(session: Session, found: list[tuple[str, dict[str, object]]]) -> None:
    """Queue the deliveries of these events, as (type, data), in the session's
    transaction: the ORM's flush does for what it wrote, and so must whatever writes
    through Core what would be an event (`smsbox.outgoing`)."""
    if not found:
        return
    subscribed = subscriptions.of(session)
    if not subscribed:
        return
    at = utcnow()
    rows = [row for kind, data in found for row in delivery_rows(subscribed, kind, data, at)]
    if rows:
        session.connection().execute(_QUEUEING, rows)
        session.info[QUEUED_FLAG] = True


def _queueing() -> Insert:
    """One delivery row for an endpoint that is still there and enabled: the list of
    subscriptions is a minute old at most, and another process may have removed or
    disabled one meanwhile (a row for it would fail the event's whole transaction)."""
    table = WebhookDelivery.__table__
    given = [
        bindparam(name, type_=table.c[name].type)
        for name in ("event_type", "event_id", "payload", "created_at", "next_attempt_at")
    ]
    still_subscribed = select(WebhookEndpoint.id, *given).where(
        WebhookEndpoint.id == bindparam("endpoint_id"), WebhookEndpoint.enabled
    )
    columns = ["endpoint_id", *(param.key for param in given)]
    return insert(table).from_select(columns, still_subscribed)


_QUEUEING = _queueing()


@event.listens_for(Session, "after_commit")
def _tell_sender(session: Session) -> None:
    if session.info.pop(QUEUED_FLAG, False):
        for wake in list(_listeners):
            wake()


@event.listens_for(Session, "after_rollback")
def _nothing_queued(session: Session) -> None:
    session.info.pop(QUEUED_FLAG, None)
