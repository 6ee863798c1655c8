"""Local HTTP servers that stand in for the software webhooks are posted to."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next of `failures` (then 204), recording all."""

    url: str
    failures: list[int] = field(default_factory=list)
    posts: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_for_next(self) -> int:
        with self.lock:
            return self.failures.pop(0) if self.failures else 204


@contextmanager
def receiving(failures: list[int] | None = None) -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = receiver.answer_for_next()
            with receiver.lock:
                receiver.posts.append(Received(dict(self.headers.items()), body))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"no")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook", list(failures or []))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Silent:
    """Takes connections and never answers."""

    url: str
    connections: list[socket.socket] = field(default_factory=list)

    def close_all(self) -> None:
        """Hang up on every post waiting: its sender sees the connection end."""
        for connection in self.connections:
            connection.close()


@contextmanager
def never_answering() -> Iterator[Silent]:
    listener = socket.create_server(("127.0.0.1", 0))
    silent = Silent(f"http://127.0.0.1:{listener.getsockname()[1]}/hook")
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            silent.connections.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield silent
    finally:
        stop.set()
        thread.join(timeout=10)
        silent.close_all()
        listener.close()
