"""Serving the web UI in production with waitress."""

from __future__ import annotations

import waitress

from smsbox.config import Config
from web import create_app


def serve(config: Config) -> None:
    """Run until interrupted, on [web].host and [web].port."""
    waitress.serve(create_app(config), host=config.web.host, port=config.web.port)
