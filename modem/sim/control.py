"""Driving a running simulated modem from another process, through a Unix socket.

One JSON request per connection, one JSON reply:

    {"action": "deliver", "sender": "+33611111111", "text": "Bonjour"}
    {"ok": true, "parts": 1}

    {"action": "deliver", "pdu": "07913306091093F0040B91..."}
    {"ok": true, "parts": 1}

    {"action": "fault", "kind": "vanish"}
    {"ok": false, "error": "missing parameter 'seconds'"}

Actions: deliver, call, sent, report, fault, status (see ACTIONS). `request()`
is the client side; `smsbox sim ...` is built on it.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modem.sim.runner import SimulatedModem

MAX_REQUEST = 1 << 20
CLIENT_TIMEOUT = 15.0
UNIX_PATH_MAX = 107
_REQUIRED = object()
TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


class ControlError(Exception):
    """The request could not be made, or the simulator refused it."""


class BadRequest(ValueError):
    pass


class Params:
    """The parameters of a request, each read with its type; leftovers are refused."""

    def __init__(self, raw: dict[str, Any]):
        self._raw = raw
        self._used: set[str] = set()

    def get(self, name: str, kind: type, default: Any = _REQUIRED) -> Any:
        self._used.add(name)
        value = self._raw.get(name)
        if value is None:
            if default is _REQUIRED:
                raise BadRequest(f"missing parameter {name!r}")
            return default
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise BadRequest(f"parameter {name!r} must be {TYPE_NAMES[kind]}")
        return value

    def given(self, *names: str) -> bool:
        """Whether any of `names` has a value."""
        return any(self._raw.get(name) is not None for name in names)

    def check_all_used(self) -> None:
        unknown = sorted(set(self._raw) - self._used)
        if unknown:
            raise BadRequest(f"unknown parameter(s): {', '.join(unknown)}")


# -- actions -------------------------------------------------------------------------------


def _deliver(sim: SimulatedModem, params: Params) -> dict:
    pdu = params.get("pdu", str, None)
    if pdu is not None:
        if params.given("sender", "text", "message_class"):
            raise BadRequest("give either 'pdu' or 'sender' and 'text', not both")
        params.check_all_used()
        sim.deliver_pdu(pdu)
        return {"parts": 1}
    sender, text = params.get("sender", str), params.get("text", str)
    message_class = params.get("message_class", int, -1)
    if message_class not in range(-1, 4):
        raise BadRequest("message_class must be 0 to 3 (or -1: none)")
    params.check_all_used()
    return {"parts": sim.deliver(sender, text, message_class=message_class)}


def _call(sim: SimulatedModem, params: Params) -> dict:
    number = params.get("number", str, None)
    rings, interval = params.get("rings", int, 3), params.get("interval", float, 1.0)
    params.check_all_used()
    sim.call(number, rings=rings, interval=interval)
    return {}


def _sent(sim: SimulatedModem, params: Params) -> dict:
    params.check_all_used()
    return {"messages": [sms.as_dict() for sms in sim.sent()]}


def _report(sim: SimulatedModem, params: Params) -> dict:
    delay, outcome = params.get("delay", float, None), params.get("outcome", str, None)
    params.check_all_used()
    sim.configure_reports(delay=delay, outcome=outcome)
    return {"delay": sim.network.report_delay, "outcome": sim.network.report_outcome}


# Fault kind: the SimulatedModem method, and its parameters (JSON name, method's name,
# type, default).
FAULTS: dict[str, tuple[str, list[tuple[str, str, type, Any]]]] = {
    "error": (
        "fail_next",
        [
            ("count", "count", int, 1),
            ("code", "code", int, None),
            ("error_kind", "kind", str, "CMS"),
        ],
    ),
    "silence": ("go_silent", [("seconds", "seconds", float, _REQUIRED)]),
    "garbage": (
        "send_garbage",
        [("lines", "lines", int, _REQUIRED), ("now", "now", bool, False)],
    ),
    "vanish": ("vanish", [("seconds", "seconds", float, _REQUIRED)]),
    "storage-full": ("storage_full", [("on", "on", bool, True)]),
    "reboot": ("reboot", []),
    "slow": ("slow", [("seconds", "seconds", float, _REQUIRED)]),
    "urc-inside": ("urcs_inside_answers", [("count", "count", int, 1)]),
    "refuse": ("refuse", [("command", "command", str, _REQUIRED)]),
}


def _fault(sim: SimulatedModem, params: Params) -> dict:
    kind = params.get("kind", str)
    if kind not in FAULTS:
        raise BadRequest(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
    method, specs = FAULTS[kind]
    arguments = {name: params.get(key, wanted, default) for key, name, wanted, default in specs}
    params.check_all_used()
    getattr(sim, method)(**arguments)
    return {}


def _status(sim: SimulatedModem, params: Params) -> dict:
    params.check_all_used()
    return {"status": sim.status()}


ACTIONS: dict[str, Callable[[SimulatedModem, Params], dict]] = {
    "deliver": _deliver,
    "call": _call,
    "sent": _sent,
    "report": _report,
    "fault": _fault,
    "status": _status,
}


def handle(sim: SimulatedModem, raw: bytes) -> dict:
    """The reply to one request; never raises."""
    try:
        request = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {"ok": False, "error": "the request is not JSON"}
    if not isinstance(request, dict) or not isinstance(request.get("action"), str):
        return {"ok": False, "error": 'the request must be an object with an "action"'}
    action = ACTIONS.get(request.pop("action"))
    if action is None:
        return {"ok": False, "error": f"unknown action; known: {', '.join(ACTIONS)}"}
    try:
        return {"ok": True, **action(sim, Params(request))}
    except (ValueError, RuntimeError) as error:
        return {"ok": False, "error": str(error)}
    except Exception as error:  # a bug must not kill the simulator
        return {"ok": False, "error": f"internal error: {type(error).__name__}: {error}"}


# -- the socket ----------------------------------------------------------------------------


@contextmanager
def _address(path: Path) -> Iterator[str]:
    """A Unix socket path holds 107 bytes; a deeper one is reached through its directory."""
    if len(os.fsencode(path)) <= UNIX_PATH_MAX:
        yield str(path)
        return
    directory = os.open(path.parent, os.O_PATH | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{directory}/{path.name}"
    finally:
        os.close(directory)


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe, _address(path) as address:
        try:
            probe.connect(address)
        except OSError:
            return False
        return True


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10  # a client that never finishes its request is dropped
    server: _Server

    def handle(self) -> None:
        try:
            raw = self.rfile.readline(MAX_REQUEST)
        except OSError:
            return
        reply = handle(self.server.sim, raw)
        self.wfile.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, sim: SimulatedModem, address: str):
        self.sim = sim
        super().__init__(address, _Handler)


class ControlServer:
    """Serves `path` for `sim` in a background thread until `close()`."""

    def __init__(self, sim: SimulatedModem, path: str | Path):
        self.path = Path(path)
        if self.path.exists() or self.path.is_symlink():
            if not self.path.is_socket():
                raise FileExistsError(f"{self.path} exists and is not a socket")
            if _answers(self.path):
                raise FileExistsError(f"another simulated modem listens on {self.path}")
            self.path.unlink()  # left by a simulator that died
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _address(self.path) as address:
            self._server = _Server(sim, address)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="sim-control", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.path.unlink(missing_ok=True)


def request(path: str | Path, action: str, **params: Any) -> dict:
    """Ask the simulated modem serving `path`; its reply when it says ok, else ControlError."""
    path = Path(path)
    message = json.dumps({"action": action, **params}).encode() + b"\n"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(CLIENT_TIMEOUT)
            with _address(path) as address:
                client.connect(address)
            client.sendall(message)
            client.shutdown(socket.SHUT_WR)
            raw = b"".join(iter(lambda: client.recv(65536), b""))
    except FileNotFoundError:
        raise ControlError(
            f"no control socket at {path} (is `smsbox sim run --control {path}` running?)"
        ) from None
    except ConnectionRefusedError:
        raise ControlError(f"nothing listens on {path}: the simulated modem has stopped") from None
    except TimeoutError:
        raise ControlError(f"no answer on {path} within {CLIENT_TIMEOUT:g} s") from None
    except OSError as error:
        raise ControlError(f"cannot reach {path}: {error.strerror or error}") from None
    try:
        reply = json.loads(raw)
    except ValueError:
        raise ControlError(f"{path} answered something that is not JSON: {raw[:80]!r}") from None
    if not isinstance(reply, dict) or not reply.get("ok"):
        error = reply.get("error") if isinstance(reply, dict) else None
        raise ControlError(error or f"unexpected reply: {reply!r}")
    return reply
