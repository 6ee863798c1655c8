"""Serving the web UI in production with waitress."""

from __future__ import annotations

import waitress
from waitress.server import BaseWSGIServer, MultiSocketServer

from smsbox.config import Config
from web import create_app


def create_server(config: Config) -> BaseWSGIServer | MultiSocketServer:
    """A server on [web].host and [web].port; `run()` serves, `close()` stops it."""
    return waitress.create_server(create_app(config), host=config.web.host, port=config.web.port)


def serve(config: Config) -> None:
    """Run until interrupted."""
    create_server(config).run()
