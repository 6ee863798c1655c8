"""Prometheus metrics: what the database holds, read at each scrape with cheap
queries, and what the daemon sees happen (latencies, modem faults), counted in its
process.

The web app (`/metrics`) and the daemon (`[metrics] port`) each serve a registry with
the database's collector; the daemon's holds its own counters too, fed through
`smsbox.daemon_metrics` once it serves them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from smsbox.models import Direction, Message, Modem, Status, utcnow
from smsbox.tables import written

MESSAGE_COUNTS_MAX_AGE = 60.0
# Seconds: a modem takes a few seconds per part, a network minutes to deliver.
SEND_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 900, 3600)
DELIVERY_BUCKETS = (5, 10, 30, 60, 120, 300, 900, 3600, 4 * 3600, 24 * 3600)

DAEMON_REGISTRY = CollectorRegistry()
SEND_LATENCY = Histogram(
    "smsbox_send_latency_seconds",
    "From queued (or due, when scheduled) to handed to the network, per message sent",
    buckets=SEND_BUCKETS,
    registry=DAEMON_REGISTRY,
)
DELIVERY_LATENCY = Histogram(
    "smsbox_delivery_latency_seconds",
    "From sent to the network's delivery report, per message delivered",
    buckets=DELIVERY_BUCKETS,
    registry=DAEMON_REGISTRY,
)
MODEM_FAULTS = Counter(
    "smsbox_modem_faults",
    "Faults that made a modem's worker reconnect (port lost, no answer, SIM refusal)",
    ["modem"],
    registry=DAEMON_REGISTRY,
)


def observe_sent(message: Message) -> None:
    if message.sent_at is not None:
        due = max(message.created_at, message.scheduled_at or message.created_at)
        SEND_LATENCY.observe(max((message.sent_at - due).total_seconds(), 0.0))


def observe_delivered(message: Message) -> None:
    if message.sent_at is not None and message.delivered_at is not None:
        DELIVERY_LATENCY.observe(max((message.delivered_at - message.sent_at).total_seconds(), 0.0))


def _seconds_since(moment: datetime | None, now: datetime) -> float:
    return (now - moment).total_seconds() if moment else float("nan")


class DatabaseCollector(Collector):
    """Gauges read from the database at a scrape: the queue through the index on
    (direction, status, created_at) and the modems' table (a few rows) each time; the count of
    every message by direction and state, a walk of the whole index on (direction,
    status, created_at), half a second at a million messages, at most once a
    `counts_max_age`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        counts_max_age: float = MESSAGE_COUNTS_MAX_AGE,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.sessions = sessions
        self._counts_max_age = counts_max_age
        self._monotonic = monotonic
        self._counts: list[tuple[str, str, int]] = []
        self._counted_at: float | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = utcnow()
        with self.sessions() as session:
            yield self._messages(session)
            yield from self._queue(session, now)
            yield from self._modems(session, now)

    def _messages(self, session: Session) -> GaugeMetricFamily:
        moment = self._monotonic()
        if self._counted_at is None or moment - self._counted_at >= self._counts_max_age:
            rows = session.execute(
                select(Message.direction, Message.status, func.count()).group_by(
                    Message.direction, Message.status
                )
            )
            self._counts = [
                (str(direction), str(status), count) for direction, status, count in rows
            ]
            self._counted_at = moment
        family = GaugeMetricFamily(
            "smsbox_messages",
            f"Messages in the database (counted at most every {self._counts_max_age:g} s)",
            labels=["direction", "status"],
        )
        for direction, status, count in self._counts:
            family.add_metric([direction, status], count)
        return family

    @staticmethod
    def _queue(session: Session, now: datetime) -> Iterator[GaugeMetricFamily]:
        # Both through the index on (direction, status, created_at): a count of the
        # queued range, and its first entry.
        queued = (Message.direction == written(Direction.OUTBOUND), Message.status == Status.QUEUED)
        depth = session.scalar(select(func.count()).select_from(Message).where(*queued))
        oldest = session.scalar(
            select(Message.created_at).where(*queued).order_by(Message.created_at).limit(1)
        )
        yield GaugeMetricFamily("smsbox_queue_depth", "Messages queued to send", value=depth)
        yield GaugeMetricFamily(
            "smsbox_oldest_queued_seconds",
            "Age of the oldest queued message, 0 when none is",
            value=_seconds_since(oldest, now) if oldest else 0.0,
        )

    @staticmethod
    def _modems(session: Session, now: datetime) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("smsbox_modem_up", "1 when the modem is ready", labels=["modem"])
        seen = GaugeMetricFamily(
            "smsbox_modem_last_seen_seconds",
            "Seconds since the daemon last heard from the modem",
            labels=["modem"],
        )
        signal = GaugeMetricFamily(
            "smsbox_modem_signal_quality", "AT+CSQ signal, 0 to 31", labels=["modem"]
        )
        used = GaugeMetricFamily("smsbox_modem_storage_used", "SMS on the SIM", labels=["modem"])
        total = GaugeMetricFamily(
            "smsbox_modem_storage_total", "SMS the SIM can hold", labels=["modem"]
        )
        error = GaugeMetricFamily(
            "smsbox_modem_error", "1 while the modem's last state is an error", labels=["modem"]
        )
        for modem in session.scalars(select(Modem).order_by(Modem.name)):
            up.add_metric([modem.name], float(modem.state == "ready"))
            seen.add_metric([modem.name], _seconds_since(modem.last_seen_at, now))
            error.add_metric([modem.name], float(modem.state == "error"))
            for family, value in (
                (signal, modem.signal_quality),
                (used, modem.storage_used),
                (total, modem.storage_total),
            ):
                if value is not None:
                    family.add_metric([modem.name], value)
        yield from (up, seen, signal, used, total, error)


def database_registry(
    sessions: sessionmaker[Session], *, with_daemon: bool = False
) -> CollectorRegistry:
    """The database's gauges, and the daemon's own counters `with_daemon`."""
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(sessions))
    if with_daemon:
        registry.register(DAEMON_REGISTRY)
    return registry
