"""Serving the web UI in production with waitress."""

from __future__ import annotations

import waitress
from waitress import wasyncore
from waitress.server import BaseWSGIServer, MultiSocketServer

from smsbox.config import Config
from web import create_app


class CannotListen(Exception):
    """The web address is taken by another program, or is not one of this machine's."""


def create_server(config: Config) -> BaseWSGIServer | MultiSocketServer:
    """A server on [web].host and [web].port; `run()` serves, `close()` stops it."""
    app = create_app(config)
    try:
        return waitress.create_server(
            app, host=config.web.host, port=config.web.port, threads=config.web.threads
        )
    except OSError as error:
        raise CannotListen(
            f"cannot listen on {config.web.host}:{config.web.port}: {error.strerror}"
        ) from None


def stop_server(server: BaseWSGIServer | MultiSocketServer) -> None:
    """Make `server.run()`, running in another thread, return: its loop ends once every
    socket it watches is closed, which must happen in the loop's own thread."""
    server.task_dispatcher.shutdown()
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
