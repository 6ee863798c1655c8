"""`smsbox web` as several waitress processes (`[web] processes`): one waitress process
runs Python on one core at a time, whatever its threads.

The parent binds the listening socket and makes the API's rate limits and the lock of
SQLite's writers (web.db.one_writer) in shared memory, then forks the servers: each
accepts on the same socket (the kernel hands each connection to one of them) and builds
its own app, so its own database engine (a connection must never cross a fork). The
parent serves nothing: it waits. SIGTERM or SIGINT stops every server; a server that
dies alone stops the others too (it may have died holding the writers' lock) and the
command fails, for systemd to restart the lot (`Restart=on-failure`) rather than run on
with fewer.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import traceback
from dataclasses import dataclass

from smsbox.config import Config
from web import create_app
from web.api.ratelimit import TokenBuckets
from web.db import Lock
from web.server import CannotListen, serve_app, serve_for_good

# What waitress itself would queue of connections not yet accepted.
BACKLOG = 1024
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Shared:
    """What the web processes share, made before they fork."""

    limits: TokenBuckets
    writers: Lock


class ServerDied(Exception):
    """One of the web processes ended on its own."""


def listening_socket(host: str, port: int) -> socket.socket:
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
    except OSError as error:
        raise CannotListen(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener.listen(BACKLOG)
    listener.setblocking(False)
    return listener


def serve_in_processes(config: Config) -> None:
    """Serve with `config.web.processes` waitress processes until SIGTERM or SIGINT;
    ServerDied when one of them ends without being told to."""
    listener = listening_socket(config.web.host, config.web.port)
    shared = Shared(TokenBuckets(config.api.rate_limit), multiprocessing.Lock())
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    children: set[int] = set()
    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        for _ in range(config.web.processes):
            children.add(_fork_server(config, listener, shared))
        listener.close()  # the servers have it; the parent accepts nothing
        died = None
        while children:
            pid, status = os.wait()
            children.discard(pid)
            if not stopping:
                died = (pid, status)
                stop()
        if died is not None:
            pid, status = died
            raise ServerDied(f"web process {pid} ended ({_how(status)}): stopped the others")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _fork_server(config: Config, listener: socket.socket, shared: Shared) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    # The server: stopped by the parent's SIGTERM (Ctrl-C reaches the parent, which
    # passes it on), never returning into the parent's code.
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _end_with(parent)
        app = create_app(config, api_limits=shared.limits, sqlite_writers=shared.writers)
        serve_for_good(serve_app(app, config.web.threads, sockets=[listener]))
        code = 0
    except BaseException:  # told, then the process ends either way
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _end_with(parent: int) -> None:
    """Have the kernel send this process SIGTERM when its parent dies, even by SIGKILL
    (which it cannot pass on): no server outlives `smsbox web`."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # it died before the call
        os._exit(0)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.kill(pid, signum)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
