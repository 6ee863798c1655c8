"""The daemon against a simulated modem: fixtures and waiting helpers for its tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from waiting import wait_until

from modem.daemon import run_daemon
from modem.sim import SimulatedModem
from smsbox.config import Config, parse_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction, Message, Modem
from smsbox.setup import initialise


@pytest.fixture
def modem_config(tmp_path) -> Config:
    config = parse_config(
        {
            "data_dir": "data",
            "messaging": {"default_region": "FR", "timezone": "Europe/Paris"},
            "modem": [{"name": "sim", "device": str(tmp_path / "modem")}],
        },
        tmp_path,
    )
    initialise(config)
    return config


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


def signal_recorded(db) -> bool:
    with db() as session:
        modem = session.query(Modem).one_or_none()
        return modem is not None and modem.signal_quality is not None


def start_and_settle(db, start_daemon) -> None:
    """The daemon connected and idle: its first signal poll done, the next AT command
    is the one a test provokes (the next poll is a minute away)."""
    start_daemon()
    wait_until(lambda: modem_state(db) == "ready" and signal_recorded(db))
