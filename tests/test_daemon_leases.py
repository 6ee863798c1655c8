"""Several daemons on one database, each a "host" of its own: a modem is served by the
daemon holding its lease, and only that daemon settles what was in flight on it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from daemon_fixtures import ON_THE_NETWORK
from databases import database_section
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from waiting import wait_until

from modem.daemon import run_daemon
from modem.sim import SimulatedModem
from smsbox import leases, routing, sending
from smsbox.config import Config, parse_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Message, Modem, ModemLease, Status
from smsbox.modems import ensure_modem, record_state
from smsbox.outbox import queue_message
from smsbox.setup import initialise

LEASE_SECONDS = 3
OTHER_HOST = leases.Owner("box-b", "box-b:4242:cafe")


def host(tmp_path, name: str, *modems: str, database_url: str = "") -> Config:
    """The config of a daemon on host `name` serving these simulated modems (devices
    in tmp_path), on the database at `database_url` (default: the test's)."""
    database = {"url": database_url} if database_url else database_section(tmp_path / "data")
    config = parse_config(
        {
            "data_dir": f"data-{name}" if database_url else "data",
            "database": database,
            "daemon": {"lease_seconds": LEASE_SECONDS, "host_name": name},
            "modem": [{"name": modem, "device": str(tmp_path / modem)} for modem in modems],
        },
        tmp_path,
    )
    initialise(config)
    return config


@contextmanager
def running(config: Config) -> Iterator[threading.Event]:
    """The daemon in a thread until the block ends or the event yielded is set."""
    stop = threading.Event()
    thread = threading.Thread(target=run_daemon, args=(config, stop))
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=15)
        assert not thread.is_alive(), "the daemon did not stop when asked"


@pytest.fixture
def db(tmp_path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(host(tmp_path, "box-a").database_url)
    yield make_session_factory(engine)
    engine.dispose()


def holder_host(db, modem: str) -> str | None:
    with db() as session:
        holder = leases.holders(session).get(modem)
        return holder.host if holder else None


def state_of(db, modem: str) -> str | None:
    with db() as session:
        return session.scalar(select(Modem.state).where(Modem.name == modem))


def ready_under(db, modem: str, host_name: str) -> bool:
    return state_of(db, modem) == "ready" and holder_host(db, modem) == host_name


def queue_for(db, config: Config, modem: str | None, text: str) -> int:
    """A message for `modem` only, or for any (None)."""
    with db() as session:
        asked = routing.requested_modem(session, config.modems, modem) if modem else None
        message = queue_message(
            session, "0611111111", text, default_region="FR", requested_modem_id=asked
        )
        session.commit()
        return message.id


def status_of(db, message_id: int) -> Status:
    with db() as session:
        return session.get_one(Message, message_id).status


def test_it_leaves_a_modem_another_host_serves_then_takes_it_over_when_that_host_stops(
    tmp_path, db, caplog
):
    caplog.set_level(logging.INFO)
    first = host(tmp_path, "box-a", "shared")
    second = host(tmp_path, "box-b", "shared", database_url=first.database_url)
    with SimulatedModem(tmp_path / "shared") as sim, running(first) as stop_first:
        wait_until(lambda: ready_under(db, "shared", "box-a"))
        with running(second):
            wait_until(lambda: "modem shared: not started, host box-a serves it" in caplog.text)
            assert holder_host(db, "shared") == "box-a"

            stop_first.set()
            wait_until(lambda: ready_under(db, "shared", "box-b"), timeout=30)
            sent = queue_for(db, second, "shared", "from the standby")
            wait_until(lambda: status_of(db, sent) in ON_THE_NETWORK, timeout=30)
    assert [sms.text for sms in sim.sent()] == ["from the standby"]


def in_flight_on(db, modem: str) -> int:
    """A message whose part the modem took without answering yet, as a daemon leaves
    it mid-send."""
    with db() as session:
        modem_id = ensure_modem(session, modem, "/dev/elsewhere")
        queue_message(session, "0622222222", "in flight", default_region="FR")
        session.commit()
        message = sending.claim_next(session, modem_id)
        assert message is not None
        sending.prepare_parts(message, ["00AA"])
        sending.record_handover(message.parts[0])
        session.commit()
        return message.id


def test_it_settles_in_flight_messages_only_on_the_modems_it_holds_the_lease_of(
    tmp_path, db, caplog
):
    in_flight = in_flight_on(db, "b")
    with db() as session:  # host box-b is serving modem b, mid-send
        leases.take(session, "b", OTHER_HOST, seconds=3600)
        session.commit()
    config = host(tmp_path, "box-a", "a", "b")
    with SimulatedModem(tmp_path / "a"), SimulatedModem(tmp_path / "b"), running(config):
        wait_until(lambda: ready_under(db, "a", "box-a"))
        wait_until(lambda: "modem b: not started, host box-b serves it" in caplog.text)
        assert status_of(db, in_flight) == Status.SENDING
        assert holder_host(db, "b") == "box-b"

        with db() as session:  # box-b died: its lease lapses
            session.execute(
                update(ModemLease)
                .where(ModemLease.modem_name == "b")
                .values(expires_at=leases.database_now(session) - timedelta(seconds=1))
            )
            session.commit()
        wait_until(lambda: ready_under(db, "b", "box-a"), timeout=30)
        assert status_of(db, in_flight) == Status.INTERRUPTED


def test_it_leaves_a_modem_at_once_when_its_lease_is_taken_over(tmp_path, db, caplog):
    caplog.set_level(logging.INFO)
    config = host(tmp_path, "box-a", "a")
    with SimulatedModem(tmp_path / "a") as sim, running(config):
        wait_until(lambda: ready_under(db, "a", "box-a"))
        with db() as session:
            session.execute(
                update(ModemLease)
                .where(ModemLease.modem_name == "a")
                .values(owner=OTHER_HOST.token, host=OTHER_HOST.host)
            )
            session.commit()
        wait_until(lambda: "modem a: lease lost, the modem is left alone" in caplog.text)
        waiting = queue_for(db, config, "a", "only once the lease is back")
        wait_until(lambda: "modem a: not started, host box-b serves it" in caplog.text)
        assert status_of(db, waiting) == Status.QUEUED
        assert sim.sent() == []

        with db() as session:
            leases.release(session, "a", OTHER_HOST)
            session.commit()
        wait_until(lambda: status_of(db, waiting) in ON_THE_NETWORK, timeout=30)
    assert [sms.text for sms in sim.sent()] == ["only once the lease is back"]


def test_it_settles_the_modem_of_a_daemon_that_died_and_sends_what_it_left_queued(
    tmp_path, db, caplog
):
    in_flight = in_flight_on(db, "b")
    with db() as session:  # host box-b was serving modem b, mid-send, and died
        modem = session.scalar(select(Modem).where(Modem.name == "b"))
        record_state(session, modem.id, "ready")
        dead_at = leases.database_now(session) - timedelta(seconds=2 * LEASE_SECONDS)
        leases.take(session, "b", OTHER_HOST, seconds=LEASE_SECONDS, now=dead_at)
        session.commit()
    config = host(tmp_path, "box-a", "a")
    with SimulatedModem(tmp_path / "a") as sim, running(config):
        left = queue_for(db, config, None, "left by box-b")
        wait_until(lambda: status_of(db, in_flight) == Status.INTERRUPTED, timeout=30)
        wait_until(lambda: status_of(db, left) in ON_THE_NETWORK, timeout=30)
        assert state_of(db, "b") == "stopped"
        assert holder_host(db, "b") is None
    assert "modem b: its daemon stopped renewing its lease" in caplog.text
    assert [sms.text for sms in sim.sent()] == ["left by box-b"]
