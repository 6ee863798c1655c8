"""Serving the web UI in production with waitress."""

from __future__ import annotations

import gc
import warnings
from typing import Any

import waitress
from flask import Flask
from waitress import wasyncore
from waitress.server import BaseWSGIServer, MultiSocketServer

from smsbox.config import Config
from web import create_app

# waitress sends a response's head the moment it is written and its body in a second
# send: two segments, and two wake-ups of the client, for an API answer of a few hundred
# bytes (a 404 cost the server 1.5 ms of CPU, 0.7 ms sent whole). Held until this much
# waits, or the answer is complete, the head leaves with the body; a larger answer
# (a page, a streamed export) goes in pieces of this size at least. The setting is
# deprecated (2019) but kept in waitress 3.
SEND_BYTES = 8192


def serve_app(app: Flask, threads: int, **where: Any) -> BaseWSGIServer | MultiSocketServer:
    """waitress serving `app` with `threads` at `where` (host and port, or sockets)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "send_bytes", DeprecationWarning)
        return waitress.create_server(app, threads=threads, send_bytes=SEND_BYTES, **where)


def serve_for_good(server: BaseWSGIServer | MultiSocketServer) -> None:
    """Serve for the rest of the process. What it made to get there (the app, the
    modules, SQLAlchemy's compiled statements: some 140,000 objects) lives as long, so
    Python's cyclic garbage collector is told to leave it be: each of its full
    collections went through all of it again (0.05 ms of CPU a POST /messages, measured
    in one process with gc.callbacks, the full collections spread over the requests)."""
    gc.collect()
    gc.freeze()
    server.run()


class CannotListen(Exception):
    """The web address is taken by another program, or is not one of this machine's."""


def create_server(config: Config) -> BaseWSGIServer | MultiSocketServer:
    """A server on [web].host and [web].port; `run()` serves, `close()` stops it."""
    app = create_app(config)
    try:
        return serve_app(app, config.web.threads, host=config.web.host, port=config.web.port)
    except OSError as error:
        raise CannotListen(
            f"cannot listen on {config.web.host}:{config.web.port}: {error.strerror}"
        ) from None


def stop_server(server: BaseWSGIServer | MultiSocketServer) -> None:
    """Make `server.run()`, running in another thread, return: its loop ends once every
    socket it watches is closed, which must happen in the loop's own thread."""
    server.task_dispatcher.shutdown()
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
