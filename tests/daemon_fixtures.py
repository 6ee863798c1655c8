"""The daemon against a simulated modem: fixtures and waiting helpers for its tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from databases import database_section
from sqlalchemy import select
from waiting import wait_until

from modem.daemon import run_daemon
from modem.sim import SimulatedModem
from smsbox.config import Config, parse_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction, Message, Modem, Status
from smsbox.setup import initialise

# Sent, or already delivered when the simulated network's report came back.
ON_THE_NETWORK = frozenset({Status.SENT, Status.DELIVERED})
# Runs a test once per driver: on a module, its tests that start the daemon on
# `modem_config` (see the `driver_name` fixture) or pass `driver_name` to `configured`.
EVERY_DRIVER = pytest.mark.parametrize("driver_name", ["at", "gammu"])
# Long enough for the gammu driver: libgammu takes some 5 s to set a modem up, and
# sleeps 0.7 s in each SMS part it sends.
SENDING_WAIT = 30.0


def configured(
    tmp_path,
    device: str,
    messaging: dict | None = None,
    calls: dict | None = None,
    **modem: object,
) -> Config:
    """An initialised configuration with one modem at `device`, with `modem`'s keys."""
    return configured_modems(
        tmp_path, {"name": "sim", "device": device, **modem}, messaging=messaging, calls=calls
    )


def configured_modems(
    tmp_path, *modems: dict, messaging: dict | None = None, calls: dict | None = None
) -> Config:
    """An initialised configuration with these [[modem]] sections."""
    config = parse_config(
        {
            "data_dir": "data",
            "database": database_section(tmp_path / "data"),
            "messaging": {"default_region": "FR", "timezone": "Europe/Paris", **(messaging or {})},
            "calls": calls or {},
            "modem": list(modems),
        },
        tmp_path,
    )
    initialise(config)
    return config


@pytest.fixture
def driver_name() -> str:
    """The driver the daemon speaks to the simulated modem through: EVERY_DRIVER
    overrides it."""
    return "at"


@pytest.fixture
def modem_config(tmp_path, driver_name) -> Config:
    return configured(tmp_path, str(tmp_path / "modem"), driver=driver_name)


@pytest.fixture
def db(modem_config):
    engine = make_engine(modem_config.database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def sim(modem_config) -> Iterator[SimulatedModem]:
    with SimulatedModem(modem_config.modems[0].device) as simulated:
        yield simulated


@pytest.fixture
def start_daemon(modem_config):
    stop = threading.Event()
    threads = []

    def start() -> None:
        thread = threading.Thread(target=run_daemon, args=(modem_config, stop))
        thread.start()
        threads.append(thread)

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive(), "the daemon did not stop when asked"


def held_sms(sim: SimulatedModem) -> list[str]:
    """The PDUs in every storage of the modem: libgammu has new SMS stored in the
    phone's memory (ME), our AT driver in the SIM's."""
    with sim.engine.lock:
        return [
            message.pdu
            for name, store in sim.engine.stores.items()
            if name != "SR"
            for message in store.messages.values()
        ]


def run_daemon_until(config: Config, condition, timeout: float = 15.0) -> None:
    """Run the daemon in a thread until `condition()` holds, then stop it."""
    with daemon_running(config):
        wait_until(condition, timeout)


@contextmanager
def daemon_running(config: Config) -> Iterator[None]:
    """The daemon in a thread while the block runs."""
    stop = threading.Event()
    thread = threading.Thread(target=run_daemon, args=(config, stop))
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def messages(db, direction: Direction) -> list[Message]:
    with db() as session:
        return list(
            session.scalars(
                select(Message).where(Message.direction == direction).order_by(Message.id)
            )
        )


def modem_state(db) -> str:
    with db() as session:
        modem = session.query(Modem).one_or_none()
        return modem.state if modem else ""


def status_recorded(db) -> bool:
    with db() as session:
        modem = session.query(Modem).one_or_none()
        return modem is not None and modem.status_checked_at is not None


def start_and_settle(db, start_daemon) -> None:
    """The daemon connected and idle: its first status poll done, the next AT command
    is the one a test provokes (the next poll is a minute away)."""
    start_daemon()
    wait_until(lambda: modem_state(db) == "ready" and status_recorded(db))
