"""The modem daemon: one worker thread per modem, periodic jobs beside them, and a
main thread that watches the workers for systemd."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Engine

from modem.channel import PROMPT_TIMEOUT, SUBMIT_TIMEOUT
from modem.connections import PooledConnections, WorkerConnection
from modem.drivers import DriverSettings, open_driver
from modem.leasing import LeaseKeeper
from modem.periodic import PeriodicJob
from modem.worker import ModemWorker
from smsbox import account_details, outbox, systemd, traffic_triggers, wakeup
from smsbox.campaigns import due
from smsbox.config import Config, RetentionConfig
from smsbox.daemon_metrics import count_from_now
from smsbox.database import SQLITE_BUSY_TIMEOUT_MS, open_database
from smsbox.retention import purge as retention_purge
from smsbox.webhooks.sender import WebhookSender

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from smsbox.queue_notifications import NotificationListener

log = logging.getLogger(__name__)

# Seconds: a message scheduled for a time leaves within a second of it.
SCHEDULED_RELEASE_INTERVAL = 1
SUPERVISION_INTERVAL = 1.0
RETENTION_INTERVAL = 24 * 3600
# The dashboard's counts of past hours are folded from their shards into one row each
# (smsbox.traffic_triggers); the hour before this one is left to the late changes.
TRAFFIC_FOLD_INTERVAL = 600
# The longest a healthy worker goes between two beats: one submission's prompt
# and answer, plus a database write waiting out a lock.
STALL_LIMIT = PROMPT_TIMEOUT + SUBMIT_TIMEOUT + 2 * SQLITE_BUSY_TIMEOUT_MS / 1000
THREAD_JOIN_TIMEOUT = 90
# Connections kept besides one per modem's worker, for the short uses of the periodic
# jobs, the leases, the webhooks and the metrics (more are opened and closed when they
# meet). Few: a PostgreSQL server serves 100 connections by default, and 8 daemons of
# 8 modems each keep these and a listener's.
HELPER_CONNECTIONS = 2


class WorkerDied(RuntimeError):
    """A modem's worker thread ended: the daemon exits so that systemd restarts it."""


def run_daemon(config: Config, stop: threading.Event) -> None:
    """Serve every configured modem until `stop` is set (SIGTERM sets it)."""
    if not config.modems:
        raise ValueError("no [[modem]] section in the configuration: nothing to serve")
    engine = open_daemon_database(config)
    connections = PooledConnections(engine)

    def release_scheduled() -> None:
        with connections() as connection:
            occurred = due.create_due(
                connection,
                zone=account_details.account_zone(connection, config.messaging.timezone),
                default_region=config.messaging.default_region,
            )
            released = outbox.release_due_scheduled(connection)
            connection.commit()
        if released or occurred:
            wakeup.notify(config)
        if released:
            log.info("%d scheduled message(s) queued", released)
        if occurred:
            log.info("%d recurring campaign(s) queued", occurred)

    periodic = [PeriodicJob("scheduled", release_scheduled, SCHEDULED_RELEASE_INTERVAL, stop)]
    if config.retention.messages_days or config.retention.calls_days:
        periodic.append(
            PeriodicJob(
                "retention",
                lambda: _purge(connections, config.retention),
                RETENTION_INTERVAL,
                stop,
                at_once=True,
            )
        )
    if engine.dialect.name == "postgresql":
        periodic.append(
            PeriodicJob("traffic", lambda: _fold_traffic(engine), TRAFFIC_FOLD_INTERVAL, stop)
        )
    peers: dict[int, Callable[[], None]] = {}
    keeper = LeaseKeeper(connections, config.daemon)
    kept = kept_connections(engine, config)
    workers = [
        ModemWorker(
            modem,
            open_driver(
                modem.driver,
                DriverSettings(
                    device=modem.device,
                    baudrate=modem.baudrate,
                    pin=modem.pin,
                    status_reports=modem.status_reports,
                ),
            ),
            kept.get(modem.name, connections),
            messaging=config.messaging,
            calls=config.calls,
            stop=stop,
            peers=peers,
            lease=keeper.lease(modem.name),
        )
        for modem in config.modems
    ]
    # Daemon threads: a worker frozen in a C call must not keep a stopping process alive.
    threads = [
        threading.Thread(
            target=_serving(worker, kept.get(worker.modem.name)),
            name=f"modem-{worker.modem.name}",
            daemon=True,
        )
        for worker in workers
    ]
    metrics_server = _serve_metrics(config, engine)
    listener = _listen_for_wakeups(config, engine)
    webhooks = WebhookSender(connections, config.webhooks, stop)
    wake_worker_of = {worker.modem.name: worker.wake for worker in workers}
    helpers = [
        threading.Thread(
            target=keeper.renew_until,
            args=(stop, lambda name: wake_worker_of[name]()),
            name="leases",
            daemon=True,
        ),
        threading.Thread(target=webhooks.run, name="webhooks", daemon=True),
    ]
    if listener is not None:
        helpers.append(
            threading.Thread(
                target=relay_wakeups,
                args=(listener, [*workers, webhooks], peers, stop),
                name="wakeups",
                daemon=True,
            )
        )
    for job in periodic:
        job.start()
    release_scheduled()
    for thread in threads + helpers:
        thread.start()
    log.info("daemon serving %d modem(s) as host %s", len(threads), keeper.owner.host)
    systemd.notify("READY=1")
    try:
        supervise(workers, threads, stop)
    finally:
        stop.set()
        systemd.notify("STOPPING=1")
        for worker in workers:  # each ends its wait for the modem at once
            worker.wake()
        webhooks.wake()
        for thread in [*threads, *helpers, *periodic]:
            thread.join(timeout=THREAD_JOIN_TIMEOUT)
        if listener is not None:
            listener.close()
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
        engine.dispose()
        log.info("daemon stopped")


def open_daemon_database(config: Config) -> Engine:
    return open_database(
        config.database_url, connections=len(config.modems) + HELPER_CONNECTIONS, bounded=True
    )


def kept_connections(engine: Engine, config: Config) -> dict[str, WorkerConnection]:
    """By modem: the connection its worker keeps across its uses (`WorkerConnection`),
    where the pool holds one for each worker beside the helpers' connections: always
    on a database server, whose pool is sized so; on SQLite, whose pool keeps 5 (each
    with its page cache), while the modems leave the helpers theirs. Other workers take
    one from the pool at each use: with one modem, that cost 10 % of the daemon's CPU."""
    if (
        engine.dialect.name == "sqlite"
        and len(config.modems) + HELPER_CONNECTIONS > engine.pool.size()
    ):
        return {}
    return {modem.name: WorkerConnection(engine) for modem in config.modems}


def _serving(worker: ModemWorker, kept: WorkerConnection | None) -> Callable[[], None]:
    return worker.run if kept is None else partial(kept.serve, worker.run)


def _purge(connections: PooledConnections, retention: RetentionConfig) -> None:
    messages, calls = retention_purge(connections, retention)
    if messages or calls:
        log.info("retention: %d message(s) and %d call(s) deleted", messages, calls)


def _fold_traffic(engine: Engine) -> None:
    hour_before_this_one = int(time.time() // 3600) - 1
    with engine.begin() as connection:
        traffic_triggers.fold_shards(connection, before_hour=hour_before_this_one)


def _serve_metrics(config: Config, engine: Engine) -> WSGIServer | None:
    """The Prometheus endpoint on [metrics] host and port, if set; a port taken is the
    daemon's failure to start, said in one line. Its queries load the ORM: only then."""
    if config.metrics.port is None:
        return None
    from prometheus_client import start_http_server

    from smsbox.database import make_session_factory
    from smsbox.metrics import database_registry

    try:
        server, _ = start_http_server(
            config.metrics.port,
            addr=config.metrics.host,
            registry=database_registry(make_session_factory(engine), with_daemon=True),
        )
    except OSError as error:
        raise ValueError(
            f"cannot serve metrics on {config.metrics.host}:{config.metrics.port}: "
            f"{error.strerror} ([metrics].port)"
        ) from None
    count_from_now()
    return server


def _listen_for_wakeups(
    config: Config, engine: Engine
) -> wakeup.Listener | NotificationListener | None:
    if engine.dialect.name == "postgresql":
        # Whatever queues, on whatever host, notifies through the database.
        from smsbox.queue_notifications import NotificationListener

        return NotificationListener(engine)
    try:
        return wakeup.Listener(config)
    except OSError as error:
        # The workers still poll the queue: messages only wait a little longer.
        log.warning("cannot listen for wake-ups at %s: %s", wakeup.socket_path(config), error)
        return None


class Wakeable(Protocol):
    def wake(self) -> None: ...


def relay_wakeups(
    listener: wakeup.Listener | NotificationListener,
    everyone: Sequence[Wakeable],
    workers_by_modem: Mapping[int, Callable[[], None]],
    stop: threading.Event,
) -> None:
    """Until `stop`: a message was queued (or a webhook delivery), so every idle worker
    and the webhook sender look at their queue now; or another host's daemon passed
    the turn to some of this one's modems (by id), whose workers look."""
    while not stop.is_set():
        heard = listener.wait(SUPERVISION_INTERVAL)
        if heard.queued:
            for worker in everyone:
                worker.wake()
        for modem in heard.turns & workers_by_modem.keys():
            workers_by_modem[modem]()


def supervise(
    workers: Sequence[ModemWorker],
    threads: Sequence[threading.Thread],
    stop: threading.Event,
    *,
    interval: float = SUPERVISION_INTERVAL,
    monotonic: Callable[[], float] = time.monotonic,
) -> None:
    """Until `stop`: raise WorkerDied when a worker's thread ended, and tell systemd's
    watchdog that all is well only while every worker is making progress."""
    watchdog = systemd.watchdog_seconds() is not None
    stalled_before: set[str] = set()
    while not stop.wait(interval):
        dead = [
            worker.modem.name
            for worker, thread in zip(workers, threads, strict=True)
            if not thread.is_alive()
        ]
        if dead and not stop.is_set():
            raise WorkerDied(f"the worker of modem {', '.join(dead)} ended: restart the daemon")
        stalled = {
            worker.modem.name
            for worker in workers
            if monotonic() - worker.last_progress > STALL_LIMIT
        }
        for name in stalled - stalled_before:
            log.error("modem %s: its worker has made no progress for %d s", name, STALL_LIMIT)
        stalled_before = stalled
        if watchdog and not stalled:
            systemd.notify("WATCHDOG=1")
