"""The events webhooks carry, queued in the transaction of what they tell.

An inbound message stored, an outbound one that became sent, delivered or failed, a
call recorded, a number put on the STOP list: for each such event `queue_events`
inserts one delivery row per enabled endpoint subscribed to it, on the connection of
the write itself: the event and its deliveries commit together, or neither does,
whatever wrote them (the daemon, the web, the CLI). Statuses changed by bulk
statements (the claim's `blocked`) are not events. What the ORM flushes is queued by
its hook (`smsbox.webhooks.flush_events`, loaded with the mapped models); what is
written through Core (`smsbox.outgoing`, `smsbox.inbox`) queues its events itself,
on a `Session` or a `Connection`: this module needs no ORM.

Kept cheap for the paths every message takes: the endpoints are read from the database
at most once a minute per database (`SUBSCRIPTIONS_REFRESH`), or when this process
changed them. An endpoint added by another process receives events within that minute.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Insert, bindparam, insert, select

from smsbox.tables import Status, utcnow, webhook_deliveries, webhook_endpoints
from smsbox.webhooks.event_types import (
    MESSAGE_DELIVERED,
    MESSAGE_FAILED,
    MESSAGE_SENT,
)

OUTBOUND_EVENTS = {
    Status.SENT: MESSAGE_SENT,
    Status.DELIVERED: MESSAGE_DELIVERED,
    Status.FAILED: MESSAGE_FAILED,
    Status.EXPIRED: MESSAGE_FAILED,
}
SUBSCRIPTIONS_REFRESH = 60.0
QUEUED_FLAG = "smsbox.webhooks.queued"

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    # What writes: the web's and the CLI's Session, or the daemon's Connection.
    Executor = Session | Connection


def connection_of(executor: Executor) -> Connection:
    """The connection a Session's transaction runs on, or the Connection given."""
    return executor if isinstance(executor, Connection) else executor.connection()


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

    def of(self, executor: Executor) -> list[Subscription]:
        connection = connection_of(executor)
        database = connection.engine.url.render_as_string(hide_password=False)
        with self._lock:
            cached = self._by_database.get(database)
        if cached is not None and self._monotonic() - cached[0] < SUBSCRIPTIONS_REFRESH:
            return cached[1]
        rows = connection.execute(
            select(webhook_endpoints.c.id, webhook_endpoints.c.events).where(
                webhook_endpoints.c.enabled
            )
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


def message_data(message: Any) -> dict[str, object]:
    """Of a mapped message or a row read through Core alike."""
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


def call_data(call: Any) -> dict[str, object]:
    return {
        "id": call.id,
        "number": call.number,
        "raw_number": call.raw_number,
        "received_at": _iso(call.received_at),
        "rings": call.rings,
    }


def optout_data(entry: Any) -> dict[str, object]:
    return {
        "number": entry.number,
        "source": entry.source,
        "keyword": entry.keyword,
        "created_at": _iso(entry.created_at),
    }


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


def queue_events(executor: Executor, found: list[tuple[str, dict[str, object]]]) -> None:
    """Queue the deliveries of these events, as (type, data), in the transaction of
    `executor`: the ORM's flush does for what it wrote, and so must whatever writes
    through Core what would be an event (`smsbox.outgoing`, `smsbox.inbox`). Once the
    transaction commits, `committed` tells the webhook sender (the ORM's hook does it
    for a Session; a Connection's caller calls it)."""
    if not found:
        return
    subscribed = subscriptions.of(executor)
    if not subscribed:
        return
    at = utcnow()
    rows = [row for kind, data in found for row in delivery_rows(subscribed, kind, data, at)]
    if rows:
        connection_of(executor).execute(_QUEUEING, rows)
        executor.info[QUEUED_FLAG] = True


def commit(executor: Executor) -> None:
    """Commit, and tell the sender if the transaction queued deliveries: a Session's
    hook tells it (`flush_events`), a Connection's is told here."""
    executor.commit()
    if isinstance(executor, Connection):
        committed(executor.info)


def committed(info: dict[Any, Any]) -> None:
    """The transaction whose `info` this is committed: tell the sender if it queued."""
    if info.pop(QUEUED_FLAG, False):
        for wake in list(_listeners):
            wake()


def rolled_back(info: dict[Any, Any]) -> None:
    info.pop(QUEUED_FLAG, None)


def _queueing() -> Insert:
    """One delivery row for an endpoint that is still there and enabled: the list of
    subscriptions is a minute old at most, and another process may have removed or
    disabled one meanwhile (a row for it would fail the event's whole transaction)."""
    table = webhook_deliveries
    given = [
        bindparam(name, type_=table.c[name].type)
        for name in ("event_type", "event_id", "payload", "created_at", "next_attempt_at")
    ]
    endpoints = webhook_endpoints.c
    still_subscribed = select(endpoints.id, *given).where(
        endpoints.id == bindparam("endpoint_id"), endpoints.enabled
    )
    columns = ["endpoint_id", *(param.key for param in given)]
    return insert(table).from_select(columns, still_subscribed)


_QUEUEING = _queueing()
