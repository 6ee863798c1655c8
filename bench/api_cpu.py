"""CPU time of one `POST /api/v1/messages` in one process.

    .venv/bin/python bench/api_cpu.py [--requests 1000] [--rounds 3] [--profile tottime]
        [--server] [--clients 4]

Makes an installation on a fresh SQLite file in a temporary directory, a key of scope
send, then posts `--requests` single-recipient messages after a warm-up, `--rounds`
times: through the Flask test client, or with `--server` through the real server
(waitress, one thread, in this process) from `--clients` connections of a child
process, as `smsbox web` serves them. Prints this process's CPU time
(time.process_time: the server's alone with `--server`) per request of each round,
which another job on the machine changes far less than the wall clock, then the least
and the median of the rounds: on a loaded machine, many short rounds and their least
are the figure to compare. Every answer must be 201. With `--profile`, one more round
runs under cProfile (timing CPU, not the wall clock; with `--server`, waitress's loop
and its thread each under one, their figures added) and its `--lines` (40) costliest
functions are printed, sorted by `tottime` or `cumulative`.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import logging
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from smsbox.apikeys import create_key
from smsbox.config import parse_config
from smsbox.setup import initialise
from web import create_app
from web.db import SESSIONS_KEY
from web.server import serve_app, stop_server

WARM_UP = 50
PATH = "/api/v1/messages"


def message(n: int) -> str:
    return json.dumps({"to": [f"+33612{n % 1000000:06d}"], "text": f"Rappel : rendez-vous n°{n}"})


def refused(status: int, answer: str) -> SystemExit:
    return SystemExit(f"answered {status}: {answer}")


def post(client: FlaskClient, token: str, start: int, count: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for n in range(start, start + count):
        answer = client.post(
            PATH, data=message(n), headers=headers, content_type="application/json"
        )
        if answer.status_code != 201:
            raise refused(answer.status_code, answer.get_data(as_text=True))


def post_over_http(port: int, token: str, start: int, count: int) -> None:
    """The child process's client: one connection posting one message after the other."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for n in range(start, start + count):
        connection.request("POST", PATH, body=message(n), headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 201:
            raise refused(answer.status, body.decode())


class _InThread:
    """A task for waitress's thread: runs `action` there (a profile switched on or off
    in the thread it is to time) and says when it has."""

    def __init__(self, action: Callable[[], object]):
        self.action, self.done = action, threading.Event()

    def service(self) -> None:
        self.action()
        self.done.set()


class Server:
    """waitress serving the app in this process (one thread, as `smsbox web` does with
    `[web] threads = 1`), the requests from `clients` connections of child processes."""

    def __init__(self, app: Flask, token: str, clients: int):
        self.token, self.clients = token, clients
        self.server = serve_app(app, 1, host="127.0.0.1", port=0)
        self.loop = threading.Thread(target=self.server.run)
        self.loop.start()

    def post(self, start: int, count: int) -> None:
        share = count // self.clients
        port = str(self.server.effective_port)
        children = [
            subprocess.Popen(
                [sys.executable, __file__, "--post", port, self.token, str(first), str(share)]
            )
            for first in range(start, start + count, share)
        ]
        if any(child.wait() != 0 for child in children):
            raise SystemExit("a client failed")

    def profiled(self, start: int, count: int) -> pstats.Stats:
        """cProfile of waitress's loop and its thread, each of its own, added."""
        loop, thread = (cProfile.Profile(time.thread_time) for _ in range(2))
        self._in_threads(loop.enable, thread.enable)
        self.post(start, count)
        self._in_threads(loop.disable, thread.disable)
        return pstats.Stats(loop).add(thread)

    def _in_threads(self, in_loop: Callable[[], object], in_thread: Callable[[], object]) -> None:
        looped, served = _InThread(in_loop), _InThread(in_thread)
        self.server.trigger.pull_trigger(looped.service)
        self.server.task_dispatcher.add_task(served)
        looped.done.wait()
        served.done.wait()

    def stop(self) -> None:
        stop_server(self.server)
        self.loop.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=("tottime", "cumulative"))
    parser.add_argument("--lines", type=int, default=40, help="functions the profile shows")
    parser.add_argument("--server", action="store_true", help="through waitress")
    parser.add_argument("--clients", type=int, default=4, help="connections, with --server")
    parser.add_argument("--post", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.post:
        port, token, start, count = args.post
        post_over_http(int(port), token, int(start), int(count))
        return

    with tempfile.TemporaryDirectory(prefix="smsbox-api-cpu-") as directory:
        config = parse_config(
            {"data_dir": ".", "api": {"rate_limit": 100_000_000}}, Path(directory)
        )
        initialise(config)
        app = create_app(config)
        with app.extensions[SESSIONS_KEY]() as session:
            _, token = create_key(session, "bench")
            session.commit()
        # Logging as `smsbox web` does it (smsbox.cli.main), queue warnings left out.
        logging.basicConfig(level=logging.INFO)
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        server = Server(app, token, args.clients) if args.server else None
        try:
            measure(args, app, token, server)
        finally:
            if server is not None:
                server.stop()


def measure(args: argparse.Namespace, app: Flask, token: str, server: Server | None) -> None:
    client = app.test_client()

    def send(start: int, count: int) -> None:
        if server is None:
            post(client, token, start, count)
        else:
            server.post(start, count)

    send(0, WARM_UP)
    sent = WARM_UP
    rounds = []
    for _ in range(args.rounds):
        cpu = time.process_time()
        send(sent, args.requests)
        sent += args.requests
        rounds.append((time.process_time() - cpu) / args.requests * 1000)
        print(f"{args.requests} requests: {rounds[-1]:.2f} ms of CPU a request")
    if rounds:
        print(
            f"least {min(rounds):.2f} ms, median {statistics.median(rounds):.2f} ms "
            f"of CPU a request over {len(rounds)} rounds"
        )
    if args.profile:
        if server is None:
            profile = cProfile.Profile(time.thread_time)  # CPU: what others load changes less
            profile.runcall(post, client, token, sent, args.requests)
            stats = pstats.Stats(profile)
        else:
            stats = server.profiled(sent, args.requests)
        stats.sort_stats(args.profile).print_stats(args.lines)


if __name__ == "__main__":
    main()
