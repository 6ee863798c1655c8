"""Accepted `POST /api/v1/messages` per second through the real web server.

    .venv/bin/python bench/api_throughput.py [--clients 10] [--seconds 30] [--recipients 1]

Starts `smsbox web` (waitress) in a child process on a fresh SQLite database in a
temporary directory, with a key of scope send and no rate limit worth the name, and
no daemon (the queue only grows). `--clients` threads in this process each keep one
HTTP connection and post single-part messages to distinct numbers, one after the
other, for `--seconds`. Prints the requests answered 201 per second and the latency
(from sending the request to reading the whole answer) at p50, p95 and p99. Every
answer must be 201, and the database must then hold as many messages as were
accepted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from smsbox.apikeys import create_key
from smsbox.config import load_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Message
from smsbox.setup import initialise

CONFIG = """\
data_dir = "."

[web]
host = "127.0.0.1"
port = {port}

[api]
rate_limit = 100000000
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("smsbox web exited")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/api/v1/openapi.json")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("smsbox web did not start")


def post_messages(
    port: int, token: str, client: int, recipients: int, until: float, latencies: list[float]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    sent = 0
    while time.monotonic() < until:
        numbers = [f"+3361{client:02d}{(sent + i) % 100000:05d}" for i in range(recipients)]
        body = json.dumps({"to": numbers, "text": f"Rappel : rendez-vous n°{sent}"})
        started = time.perf_counter()
        connection.request("POST", "/api/v1/messages", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 201:
            raise RuntimeError(f"answered {response.status}")
        sent += recipients
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--recipients", type=int, default=1, help="numbers per request")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="smsbox-api-bench-") as directory:
        port = free_port()
        config_path = Path(directory) / "smsbox.toml"
        config_path.write_text(CONFIG.format(port=port))
        config = load_config(config_path)
        initialise(config)
        engine = make_engine(config.database_url)
        sessions = make_session_factory(engine)
        with sessions() as session:
            _, token = create_key(session, "bench")
            session.commit()
        smsbox = Path(sys.executable).parent / "smsbox"
        server = subprocess.Popen(
            [str(smsbox), "--config", str(config_path), "web"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_server(port, server)
            per_client: list[list[float]] = [[] for _ in range(args.clients)]
            started = time.monotonic()
            until = started + args.seconds
            threads = [
                threading.Thread(
                    target=post_messages,
                    args=(port, token, client, args.recipients, until, per_client[client]),
                )
                for client in range(args.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=10)
        with sessions() as session:
            stored = session.scalar(select(func.count(Message.id)))
        engine.dispose()

    latencies = sorted(latency for client in per_client for latency in client)
    accepted = len(latencies)
    if stored != accepted * args.recipients:
        raise SystemExit(f"{accepted * args.recipients} messages accepted, {stored} stored")
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{args.clients} clients, {args.seconds:.0f} s, {args.recipients} recipient(s) a request: "
        f"{accepted} accepted, {accepted / elapsed:.0f} requests/s; latency "
        f"p50 {quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms, "
        f"p99 {quantiles[98] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
