"""The web application on a fresh database, and a browser for it: the Flask test client."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from smsbox.users import create_user
from web import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def app(config, sessions):
    with sessions() as session:
        create_user(session, "alice", PASSWORD, language="en")
        session.commit()
    return create_app(config, sessions)


@pytest.fixture
def client(app) -> FlaskClient:
    """A browser set to English (the pages are in French by default)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def admin(client, sessions) -> FlaskClient:
    """`client` logged in as "root", an administrator."""
    from test_web import log_in  # late: test_web imports this module

    with sessions() as session:
        create_user(session, "root", PASSWORD, admin=True, language="en")
        session.commit()
    log_in(client, "root")
    return client
