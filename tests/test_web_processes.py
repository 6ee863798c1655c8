"""`smsbox web` with `[web] processes`: pre-forked waitress servers on one socket,
sharing each API key's rate limit, stopped together."""

from __future__ import annotations

import dataclasses
import gc
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from api_fixtures import ApiClient, new_key
from cli_runs import smsbox_command
from databases import database_toml
from sqlalchemy import func, select
from waiting import wait_until

from smsbox.config import load_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Message
from smsbox.setup import initialise

PROCESSES = 3
# A token every 30 s: none comes back while the test's few requests run.
RATE_LIMIT = 2
CONFIG = """\
data_dir = "data"

[web]
host = "127.0.0.1"
port = {port}
processes = {processes}

[api]
rate_limit = {rate_limit}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Served:
    def __init__(self, process: subprocess.Popen, base: str, sessions):
        self.process, self.base, self.sessions = process, base, sessions

    def wait_until_served(self) -> None:
        address = self.base.removeprefix("http://")
        for _ in range(300):
            assert self.process.poll() is None, self.process.communicate()[1]
            try:
                connection = http.client.HTTPConnection(address, timeout=5)
                connection.request("GET", "/api/v1/openapi.json")
                connection.getresponse().read()
                if len(children_of(self.process.pid)) == PROCESSES:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("smsbox web did not start its processes")


@pytest.fixture
def served(tmp_path):
    port = free_port()
    path = tmp_path / "smsbox.toml"
    path.write_text(
        CONFIG.format(port=port, processes=PROCESSES, rate_limit=RATE_LIMIT)
        + database_toml(tmp_path / "data"),
        encoding="utf-8",
    )
    config = load_config(path)
    initialise(config)
    engine = make_engine(config.database_url)
    process = subprocess.Popen(
        [smsbox_command(), "--config", str(path), "web"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        server = Served(process, f"http://127.0.0.1:{port}", make_session_factory(engine))
        server.wait_until_served()
        yield server
    finally:
        process.terminate()
        process.communicate(timeout=30)
        engine.dispose()


def test_the_processes_share_each_keys_rate_limit(served):
    client = ApiClient(served.base, new_key(served.sessions))
    # A connection a request: the kernel hands them to the processes as it likes.
    # Each process counting alone would let up to PROCESSES * RATE_LIMIT through.
    sent = [client.post("/messages", {"to": "0612345678", "text": "x"}) for _ in range(8)]
    statuses = [answer.status for answer in sent]
    assert statuses == [201] * RATE_LIMIT + [429] * (8 - RATE_LIMIT)
    with served.sessions() as session:
        assert session.scalar(select(func.count(Message.id))) == RATE_LIMIT


def test_sigterm_stops_every_process_and_the_command_ends_well(served):
    children = children_of(served.process.pid)
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0
    assert not any(is_running(pid) for pid in children)


def test_no_process_outlives_the_command_killed(served):
    children = children_of(served.process.pid)
    served.process.kill()
    served.process.wait(timeout=30)
    for _ in range(300):
        if not any(is_running(pid) for pid in children):
            return
        time.sleep(0.1)
    raise AssertionError("web processes outlived smsbox web")


def test_a_process_that_dies_alone_stops_the_others_and_the_command_fails(served):
    first, *others = children_of(served.process.pid)
    os.kill(first, signal.SIGKILL)
    assert served.process.wait(timeout=30) == 1
    _, errors = served.process.communicate(timeout=30)
    assert f"web process {first} ended (signal SIGKILL): stopped the others" in errors
    assert not any(is_running(pid) for pid in others)


def test_the_web_server_runs_the_threads_configured(config, sessions):
    from web.server import create_server

    web = dataclasses.replace(config.web, port=free_port(), threads=2)
    server = create_server(dataclasses.replace(config, web=web))
    try:
        assert server.adj.threads == 2
    finally:
        server.close()


def test_the_processes_share_the_lock_of_sqlite_writers(config, tmp_path, monkeypatch):
    from web import prefork

    web = dataclasses.replace(config.web, port=free_port(), processes=2)
    taken = tmp_path / "taken"
    taken.mkdir()

    def noting_the_lock(config, **shared):
        # Each process takes the lock without waiting and keeps it: one lock shared by
        # both lets one of them have it, a lock each would let both.
        got = shared["sqlite_writers"].acquire(block=False)
        (taken / str(os.getpid())).write_text(str(got))
        return object()

    class Server:
        def run(self) -> None:  # ends once both processes have tried
            wait_until(lambda: len(list(taken.iterdir())) == 2)

    monkeypatch.setattr(prefork, "create_app", noting_the_lock)
    monkeypatch.setattr(prefork, "serve_app", lambda *_, **__: Server())
    with pytest.raises(prefork.ServerDied):
        prefork.serve_in_processes(dataclasses.replace(config, web=web))
    assert sorted(path.read_text() for path in taken.iterdir()) == ["False", "True"]


def test_the_web_server_sends_an_answer_s_head_and_body_in_one_piece(config, sessions, monkeypatch):
    # Sent apart, they cost the client a wake-up more and the server twice the sends.
    from waitress.channel import HTTPChannel

    from web.server import create_server, stop_server

    sent = []
    send = HTTPChannel.send

    def noting(self, data, do_close=True):
        sent.append(bytes(data))
        return send(self, data, do_close)

    monkeypatch.setattr(HTTPChannel, "send", noting)
    web = dataclasses.replace(config.web, port=free_port())
    server = create_server(dataclasses.replace(config, web=web))
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
        connection.request("GET", "/api/v1/nothing-here")
        answer = connection.getresponse()
        body = answer.read()
        connection.close()
    finally:
        stop_server(server)
        thread.join(timeout=10)
    assert answer.status == 404
    assert len(sent) == 1
    assert sent[0].startswith(b"HTTP/1.1 404") and sent[0].endswith(body)


def test_a_web_process_leaves_what_it_made_to_serve_out_of_garbage_collections(
    config, tmp_path, monkeypatch
):
    from web import prefork

    frozen = tmp_path / "frozen"

    class Server:
        def run(self) -> None:
            frozen.write_text(str(gc.get_freeze_count()))

    monkeypatch.setattr(prefork, "create_app", lambda config, **shared: object())
    monkeypatch.setattr(prefork, "serve_app", lambda *_, **__: Server())
    web = dataclasses.replace(config.web, port=free_port(), processes=1)
    with pytest.raises(prefork.ServerDied):  # its server returned
        prefork.serve_in_processes(dataclasses.replace(config, web=web))
    assert int(frozen.read_text()) > 0
