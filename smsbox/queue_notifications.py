"""Telling every daemon, on every host, that a message was queued: PostgreSQL's
LISTEN/NOTIFY (the sibling of `smsbox.wakeup`, which does it on one host). The
daemons also pass each other the turn of their modems on this connection
(`smsbox.claims.TURN_CHANNEL`, the modem's id as payload).

A trigger on `messages` notifies the channel when an outbound row becomes `queued`,
inside the writer's transaction: the daemons hear it when that commits, whoever wrote
it (the web, the CLI, another host's daemon releasing scheduled messages), and nobody
has to remember to call anything. PostgreSQL folds the notifications of one
transaction into one, so a bulk send wakes the daemons once. On SQLite there is no
such thing: `smsbox.wakeup`'s socket and the workers' polling remain.
"""

from __future__ import annotations

import logging
import time

import psycopg
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from smsbox.claims import TURN_CHANNEL
from smsbox.wakeup import NOTHING, Heard

log = logging.getLogger(__name__)

CHANNEL = "smsbox_queued"
# How long a listener whose connection broke waits before it connects again.
RECONNECT_DELAY = 5.0

_CREATE = [
    "CREATE OR REPLACE FUNCTION smsbox_notify_queued() RETURNS trigger"
    f" LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER smsbox_notify_queued"
    " AFTER INSERT OR UPDATE OF status ON messages FOR EACH ROW"
    " WHEN (NEW.status = 'queued' AND NEW.direction = 'out')"
    " EXECUTE FUNCTION smsbox_notify_queued()",
]
_DROP = [
    "DROP TRIGGER IF EXISTS smsbox_notify_queued ON messages",
    "DROP FUNCTION IF EXISTS smsbox_notify_queued()",
]


def create_trigger(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for statement in _CREATE:
            connection.exec_driver_sql(statement)


def drop_trigger(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for statement in _DROP:
            connection.exec_driver_sql(statement)


class NotificationListener:
    """The daemon's end, on a connection of its own outside the pool, like
    `smsbox.wakeup.Listener`: `wait(timeout)` says whether a message was queued, and
    to which modems another daemon passed the turn."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._connection = None
        self._connect()

    def _connect(self) -> None:
        pooled = self.engine.raw_connection()
        connection = pooled.driver_connection
        pooled.detach()  # the pool neither resets it nor lends it to anybody else
        connection.autocommit = True
        connection.execute(f"LISTEN {CHANNEL}")
        connection.execute(f"LISTEN {TURN_CHANNEL}")
        self._connection = connection

    def wait(self, timeout: float) -> Heard:
        try:
            if self._connection is None:
                self._connect()
            first = list(self._connection.notifies(timeout=timeout, stop_after=1))
            # However many came meanwhile, one wake-up serves them all.
            notifications = first + list(self._connection.notifies(timeout=0)) if first else []
        except (DBAPIError, psycopg.Error, OSError) as error:
            # The workers still poll the queue: messages only wait a little longer.
            log.warning("listening for queued messages failed, again later: %s", error)
            self.close()
            time.sleep(min(timeout, RECONNECT_DELAY))
            return NOTHING
        return Heard(
            queued=any(notification.channel == CHANNEL for notification in notifications),
            turns=frozenset(
                int(notification.payload)
                for notification in notifications
                if notification.channel == TURN_CHANNEL
            ),
        )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> NotificationListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
