"""One SQLAlchemy session per request, closed when the request ends."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from smsbox.config import Config

SESSIONS_KEY = "smsbox.sessions"
CONFIG_KEY = "smsbox.config"


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions[SESSIONS_KEY]()
    return g.db_session


def get_config() -> Config:
    return current_app.extensions[CONFIG_KEY]


def close_session(_error: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
