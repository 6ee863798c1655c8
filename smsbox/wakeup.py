"""Telling the daemon that a message was queued, so that an idle worker sends it at
once instead of at its next look at the queue.

On one host: a Unix datagram socket in data_dir, which the daemon binds and
anything that queues (the web server, the CLI, the daemon's own jobs) sends a
byte to after its commit. Telling never blocks and never fails the caller: a
daemon that is not running, or busy, finds the message anyway when it looks,
as its workers still poll the queue. On PostgreSQL the daemon listens to the
database instead, which tells every host (`smsbox.queue_notifications`).
"""

from __future__ import annotations

import contextlib
import functools
import select
import socket
from dataclasses import dataclass
from pathlib import Path

from smsbox.config import Config

SOCKET_NAME = "wakeup.sock"


@dataclass(frozen=True)
class Heard:
    """What a listener heard: a message queued (every idle worker looks at the queue),
    or the turn passed to modems by another host's daemon (their workers look)."""

    queued: bool = False
    turns: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return self.queued or bool(self.turns)


NOTHING = Heard()
QUEUED = Heard(queued=True)


def socket_path(config: Config) -> Path:
    return config.data_dir / SOCKET_NAME


@functools.cache
def _sender() -> socket.socket:
    """The process's socket to tell the daemon with, made once: the web server tells it
    at each message the API queues. Threads may share it: each datagram is sent whole."""
    sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sender.setblocking(False)
    return sender


def notify(config: Config) -> None:
    """Wake the daemon if it listens; whatever happens, return at once."""
    # OSError: nobody listening (no socket, or a stale one), or its queue full: it is
    # awake already, or will see the message when it next looks.
    with contextlib.suppress(OSError):
        _sender().sendto(b"!", str(socket_path(config)))


class Listener:
    """The daemon's end. `wait(timeout)` says whether it was told within `timeout`
    (turns are passed on one host directly, between the daemon's own workers)."""

    def __init__(self, config: Config):
        self.path = socket_path(config)
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            # A daemon killed before it could clean up leaves its socket behind.
            self.path.unlink(missing_ok=True)
            self._socket.bind(str(self.path))
        except OSError:
            self._socket.close()
            raise
        self._socket.setblocking(False)

    def wait(self, timeout: float) -> Heard:
        readable, _, _ = select.select([self._socket], [], [], timeout)
        if not readable:
            return NOTHING
        # However many came meanwhile, one wake-up serves them all.
        while True:
            try:
                self._socket.recv(64)
            except BlockingIOError:
                return QUEUED

    def close(self) -> None:
        self._socket.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
