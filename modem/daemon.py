"""The modem daemon: one worker thread per modem, periodic jobs beside them."""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler

from modem.driver import ATDriver
from modem.worker import ModemWorker
from smsbox import outbox
from smsbox.config import Config
from smsbox.database import make_engine, make_session_factory

log = logging.getLogger(__name__)

SCHEDULED_RELEASE_INTERVAL = 10


def run_daemon(config: Config, stop: threading.Event) -> None:
    """Serve every configured modem until `stop` is set (SIGTERM sets it)."""
    if not config.modems:
        raise ValueError("no [[modem]] section in the configuration: nothing to serve")
    engine = make_engine(config.database_url)
    sessions = make_session_factory(engine)

    def release_scheduled() -> None:
        with sessions() as session:
            released = outbox.release_due_scheduled(session)
            session.commit()
        if released:
            log.info("%d scheduled message(s) queued", released)

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        release_scheduled, "interval", seconds=SCHEDULED_RELEASE_INTERVAL, max_instances=1
    )
    workers = [
        ModemWorker(
            modem,
            ATDriver(modem.device, modem.baudrate, modem.pin),
            sessions,
            default_region=config.messaging.default_region,
            stop=stop,
        )
        for modem in config.modems
    ]
    threads = [
        threading.Thread(target=worker.run, name=f"modem-{worker.modem.name}") for worker in workers
    ]
    scheduler.start()
    release_scheduled()
    for thread in threads:
        thread.start()
    log.info("daemon serving %d modem(s)", len(threads))
    try:
        stop.wait()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        scheduler.shutdown(wait=True)
        engine.dispose()
        log.info("daemon stopped")
