"""Accepted `POST /api/v1/messages` per second through the real web server.

    .venv/bin/python bench/api_throughput.py [--clients 10] [--seconds 30] [--recipients 1]
        [--processes 1] [--threads 4]

Starts `smsbox web` (waitress, `[web] processes = --processes`, `threads = --threads`)
in a child process on a fresh SQLite database in a temporary directory, with a key of
scope send and no rate limit worth the name, and no daemon (the queue only grows).
`--clients` threads in this process each keep one HTTP connection and post
single-part messages to distinct numbers, one after the other, for `--seconds`.
Prints the requests answered 201 per second, the latency (from sending the request to
reading the whole answer) at p50, p95 and p99, and the server's CPU time per request
(user and system time of its processes over the timed part, from /proc: the fairer
figure on a machine others load). Every answer must be 201, and the database must
then hold as many messages as were accepted.

Then the webhook sender (smsbox.webhooks.sender, as the daemon runs it, with its
default settings): `--deliveries` inbound messages are stored with one endpoint
subscribed, a local receiver in a child process (http.server, answering 204), and the
sender posts them all; prints the deliveries per second, from its start to the last
recorded as delivered, and the CPU time of this process per delivery over that time
(the sender's, with this process's polling of the count).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, select

from smsbox.apikeys import create_key
from smsbox.config import load_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction, Message, Status, WebhookDelivery
from smsbox.setup import initialise
from smsbox.webhooks.endpoints import add_endpoint
from smsbox.webhooks.sender import WebhookSender

CONFIG = """\
data_dir = "."

[web]
host = "127.0.0.1"
port = {port}
{processes}
[api]
rate_limit = 100000000
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(port: int, server: subprocess.Popen, processes: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("smsbox web exited")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/api/v1/openapi.json")
            connection.getresponse().read()
        except OSError:
            time.sleep(0.1)
            continue
        forked = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if processes == 1 or len(forked) == processes:
            time.sleep(2)  # each process builds its app before accepting
            return
    raise RuntimeError("smsbox web did not start")


def cpu_seconds(pid: int) -> float:
    """User and system time of `pid` and its children still running (Linux)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for process in [pid, *map(int, children)]:
        fields = Path(f"/proc/{process}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


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


class Accepting(BaseHTTPRequestHandler):
    """A webhook receiver that takes everything."""

    protocol_version = "HTTP/1.1"  # keeps the sender's connections open

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def serve_receiver(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), Accepting).serve_forever()


def wait_until_listening(port: int, receiver: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if receiver.poll() is not None:
            raise RuntimeError("the webhook receiver exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the webhook receiver did not start")


def webhook_deliveries_per_second(config_path: Path, deliveries: int) -> tuple[float, float]:
    """Deliveries per second, and CPU seconds of this process per delivery."""
    config = load_config(config_path)
    engine = make_engine(config.database_url)
    sessions = make_session_factory(engine)
    port = free_port()
    receiver = subprocess.Popen([sys.executable, __file__, "--serve-receiver", str(port)])
    try:
        with sessions() as session:
            add_endpoint(
                session,
                f"http://127.0.0.1:{port}/hook",
                ["message.received"],
                created_by="bench",
                allow_private=True,
            )
            session.commit()
            for number in range(deliveries):
                session.add(
                    Message(
                        direction=Direction.INBOUND,
                        number=f"+336{number:08d}",
                        raw_number=f"+336{number:08d}",
                        body=f"Réponse n°{number}",
                        status=Status.RECEIVED,
                    )
                )
            session.commit()
        # A post refused before the receiver listens would wait for its retry.
        wait_until_listening(port, receiver)
        stop = threading.Event()
        sender = WebhookSender(sessions, config.webhooks, stop)
        started, cpu_started = time.monotonic(), time.process_time()
        thread = threading.Thread(target=sender.run)
        thread.start()
        try:
            while delivered(sessions) < deliveries:
                time.sleep(0.05)
        finally:
            stop.set()
            sender.wake()
            thread.join(timeout=30)
        cpu = time.process_time() - cpu_started
        return deliveries / (time.monotonic() - started), cpu / deliveries
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
        engine.dispose()


def delivered(sessions) -> int:
    with sessions() as session:
        return session.scalar(
            select(func.count(WebhookDelivery.id)).where(WebhookDelivery.delivered_at.is_not(None))
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--recipients", type=int, default=1, help="numbers per request")
    parser.add_argument("--processes", type=int, default=1, help="[web] processes")
    parser.add_argument("--threads", type=int, help="[web] threads (4 when not given)")
    parser.add_argument("--deliveries", type=int, default=3000, help="webhook posts to time")
    parser.add_argument("--serve-receiver", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_receiver:
        serve_receiver(args.serve_receiver)
        return

    with tempfile.TemporaryDirectory(prefix="smsbox-api-bench-") as directory:
        port = free_port()
        config_path = Path(directory) / "smsbox.toml"
        # Written only when more than one, so that the bench runs older code too.
        processes = f"processes = {args.processes}\n" if args.processes > 1 else ""
        if args.threads is not None:
            processes += f"threads = {args.threads}\n"
        config_path.write_text(CONFIG.format(port=port, processes=processes))
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
            wait_for_server(port, server, args.processes)
            per_client: list[list[float]] = [[] for _ in range(args.clients)]
            server_cpu_started = cpu_seconds(server.pid)
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
            server_cpu = cpu_seconds(server.pid) - server_cpu_started
        finally:
            server.terminate()
            server.wait(timeout=10)
        with sessions() as session:
            stored = session.scalar(select(func.count(Message.id)))
        engine.dispose()
        webhooks_per_second, cpu_per_delivery = webhook_deliveries_per_second(
            config_path, args.deliveries
        )

    latencies = sorted(latency for client in per_client for latency in client)
    accepted = len(latencies)
    if stored != accepted * args.recipients:
        raise SystemExit(f"{accepted * args.recipients} messages accepted, {stored} stored")
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{args.processes} process(es) of {args.threads or 4} threads, "
        f"{args.clients} clients, {args.seconds:.0f} s, "
        f"{args.recipients} recipient(s) a request: "
        f"{accepted} accepted, {accepted / elapsed:.0f} requests/s; latency "
        f"p50 {quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms, "
        f"p99 {quantiles[98] * 1000:.1f} ms; server CPU {server_cpu / accepted * 1000:.2f} ms "
        f"a request; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"webhooks: {args.deliveries} deliveries to a local receiver, "
        f"{webhooks_per_second:.0f} deliveries/s, {cpu_per_delivery * 1000:.2f} ms of CPU each"
    )


if __name__ == "__main__":
    main()
