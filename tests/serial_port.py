"""Reading a simulated modem's pty as a client does, through pyserial."""

from __future__ import annotations

import time

import serial


def read_until(port: serial.Serial, marker: bytes, timeout: float = 3.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data:
        assert time.monotonic() < deadline, f"no {marker!r} in {data!r}"
        data += port.read(max(1, port.in_waiting))
    return data


def read_for(port: serial.Serial, seconds: float) -> bytes:
    data = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data += port.read(max(1, port.in_waiting))
    return data


def answer(port: serial.Serial, line: str, final: bytes = b"OK\r\n") -> bytes:
    """Send a command line; what the modem says up to `final`."""
    port.write(line.encode("ascii") + b"\r")
    return read_until(port, final)
