"""The daemon's main thread: a dead worker ends the daemon, a stalled one starves
systemd's watchdog."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field

import pytest

from modem.daemon import STALL_LIMIT, WorkerDied, supervise


@dataclass
class ModemName:
    name: str


@dataclass
class StandInWorker:
    """What the supervisor reads of a worker: its modem and its last sign of progress."""

    modem: ModemName = field(default_factory=lambda: ModemName("sim"))
    last_progress: float = 0.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def running_thread(stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def notify_socket(tmp_path, monkeypatch) -> socket.socket:
    path = str(tmp_path / "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(0.5)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    yield listener
    listener.close()


def test_it_ends_the_daemon_when_a_worker_thread_died():
    stop = threading.Event()
    dead = threading.Thread(target=lambda: None)
    dead.start()
    dead.join()
    with pytest.raises(WorkerDied, match="modem sim"):
        supervise([StandInWorker()], [dead], stop, interval=0.01)


def test_it_feeds_the_watchdog_only_while_every_worker_makes_progress(notify_socket):
    stop = threading.Event()
    clock = Clock()
    lively, stalled = StandInWorker(ModemName("a")), StandInWorker(ModemName("b"))
    supervisor = threading.Thread(
        target=supervise,
        args=([lively, stalled], [running_thread(stop), running_thread(stop)], stop),
        kwargs={"interval": 0.05, "monotonic": clock},
    )
    supervisor.start()
    try:
        assert notify_socket.recv(64) == b"WATCHDOG=1"
        clock.now = STALL_LIMIT + 1
        lively.last_progress = clock.now  # b has not moved since 0
        while True:  # drain the pings sent before the clock moved
            try:
                notify_socket.recv(64)
            except TimeoutError:
                break
        with pytest.raises(TimeoutError):
            notify_socket.recv(64)
        stalled.last_progress = clock.now
        assert notify_socket.recv(64) == b"WATCHDOG=1"
    finally:
        stop.set()
        supervisor.join(timeout=5)


def test_it_stops_quietly_when_asked():
    stop = threading.Event()
    stop.set()
    supervise([StandInWorker()], [running_thread(stop)], stop, interval=0.01)
