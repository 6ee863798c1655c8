from __future__ import annotations

import os
from collections.abc import Iterator

import databases
import gammu
import pytest
from databases import database_section
from hypothesis import settings
from sqlalchemy.orm import Session, sessionmaker

from smsbox.config import Config, parse_config
from smsbox.database import make_engine, make_session_factory
from smsbox.modems import ensure_modem
from smsbox.setup import initialise

# Fixtures for the real daemon on a simulated modem, the web app, a real browser, the CLI.
pytest_plugins = [
    "api_fixtures",
    "browser_fixtures",
    "cli_fixtures",
    "daemon_fixtures",
    "sim_engine",
    "web_fixtures",
]

# The fuzz tests stay well under 30 s together in CI; HYPOTHESIS_PROFILE=deep runs them long.
# No deadline: a slow example on a busy CI machine is no bug.
settings.register_profile("ci", max_examples=300, deadline=None, database=None)
settings.register_profile("deep", max_examples=100_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[databases.PostgresqlServer | None]:
    if not databases.ON_POSTGRESQL:
        yield None
        return
    server = databases.PostgresqlServer(databases.SERVER_URL)
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _test_databases(postgresql_server) -> Iterator[None]:
    """Each test's installations get their own database (see tests/databases.py)."""
    test_databases = databases.TestDatabases(postgresql_server)
    databases.serve(test_databases)
    try:
        yield
    finally:
        databases.serve(None)
        test_databases.drop_all()


@pytest.fixture
def config(tmp_path) -> Config:
    return parse_config(
        {
            "data_dir": "data",
            "database": database_section(tmp_path / "data"),
            "messaging": {"default_region": "FR", "timezone": "Europe/Paris"},
        },
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
        return modem


def _link_sms_called(*_: object) -> None:
    raise AssertionError("gammu.LinkSMS called: it loops forever on a part numbered 0")


@pytest.fixture(autouse=True)
def _no_link_sms(request, monkeypatch):
    """python-gammu's LinkSMS spins forever, holding the GIL, on a part numbered 0, where
    no timeout in the test's process could stop it: our code never calls it, and if it
    did, the test fails at once instead of hanging the suite. Tests of python-gammu as a
    client using it (on parts the simulator made) say so with `gammu_client_links_sms`."""
    if request.node.get_closest_marker("gammu_client_links_sms") is None:
        monkeypatch.setattr(gammu, "LinkSMS", _link_sms_called)
