from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings
from sqlalchemy.orm import Session, sessionmaker

from smsbox.config import Config, parse_config
from smsbox.database import make_engine, make_session_factory
from smsbox.modems import ensure_modem
from smsbox.setup import initialise

# Fixtures for running the real daemon against a simulated modem.
pytest_plugins = ["daemon_fixtures", "sim_engine"]

# The fuzz tests stay well under 30 s together in CI; HYPOTHESIS_PROFILE=deep runs them long.
# No deadline: a slow example on a busy CI machine is no bug.
settings.register_profile("ci", max_examples=300, deadline=None, database=None)
settings.register_profile("deep", max_examples=100_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def config(tmp_path) -> Config:
    return parse_config(
        {"data_dir": "data", "messaging": {"default_region": "FR", "timezone": "Europe/Paris"}},
        tmp_path,
    )


@pytest.fixture
def sessions(config: Config) -> Iterator[sessionmaker[Session]]:
    initialise(config)
    engine = make_engine(config.database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def modem_id(sessions) -> int:
    with sessions() as session:
        modem = ensure_modem(session, "sim1", "/dev/ttyUSB0")
        session.commit()
        return modem.id
