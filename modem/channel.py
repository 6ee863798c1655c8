"""Line-oriented conversation with a modem over a serial port.

One thread owns a channel. Unsolicited lines that arrive while a command runs
are kept aside and handed out by `poll_urcs`, so no +CMTI is ever lost.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Protocol

from modem.at import (
    TWO_LINE_URCS,
    ModemError,
    ModemTimeout,
    error_for,
    is_final,
    is_urc,
    parse_cmgs,
)

CTRL_Z = b"\x1a"
ESC = b"\x1b"
DEFAULT_TIMEOUT = 10.0
SUBMIT_TIMEOUT = 60.0


class Port(Protocol):
    """What a channel needs of a pyserial `Serial`."""

    timeout: float | None

    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes) -> int | None: ...
    def close(self) -> None: ...
    @property
    def in_waiting(self) -> int: ...


class ATChannel:
    def __init__(self, port: Port):
        self._port = port
        self._buffer = b""
        self._urcs: deque[str] = deque()

    def close(self) -> None:
        self._port.close()

    def write_raw(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except OSError as error:  # pyserial's SerialException is one
            raise ModemError(f"the serial port failed: {error}") from error

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ModemTimeout("the modem did not answer in time")
        self._port.timeout = min(remaining, 0.2)
        try:
            chunk = self._port.read(max(1, self._port.in_waiting))
        except OSError as error:
            raise ModemError(f"the serial port failed: {error}") from error
        self._buffer += chunk

    def _next_line(self, deadline: float) -> str:
        while True:
            for separator in (b"\r\n", b"\n", b"\r"):
                head, found, tail = self._buffer.partition(separator)
                if found:
                    self._buffer = tail
                    line = head.decode("ascii", errors="replace").strip()
                    if line:
                        return line
                    break
            else:
                self._fill(deadline)

    def _take_urc(self, line: str, deadline: float) -> None:
        if line.startswith(TWO_LINE_URCS):
            line = f"{line}\n{self._next_line(deadline)}"
        self._urcs.append(line)

    def _read_until_final(self, command: str, deadline: float, expect: str | None) -> list[str]:
        lines = []
        while True:
            line = self._next_line(deadline)
            if line == command:  # the echo, before ATE0 took effect
                continue
            if is_urc(line, expect):
                self._take_urc(line, deadline)
            elif is_final(line):
                error = error_for(line, command)
                if error:
                    raise error
                return lines
            else:
                lines.append(line)

    def command(
        self, command: str, *, timeout: float = DEFAULT_TIMEOUT, expect: str | None = None
    ) -> list[str]:
        """Send one command; return its information lines, or raise ModemError.

        `expect` is the prefix of the answer lines (e.g. '+CREG:') so that they are
        not taken for the URCs that share it.
        """
        self.write_raw(command.encode("ascii") + b"\r")
        return self._read_until_final(command, time.monotonic() + timeout, expect)

    def submit_pdu(self, pdu_hex: str, tpdu_length: int, *, timeout: float = SUBMIT_TIMEOUT) -> int:
        """AT+CMGS in PDU mode: wait for the '> ' prompt, send the PDU; returns the TP-MR."""
        command = f"AT+CMGS={tpdu_length}"
        deadline = time.monotonic() + timeout
        self.write_raw(command.encode("ascii") + b"\r")
        self._wait_for_prompt(command, deadline)
        self.write_raw(pdu_hex.encode("ascii") + CTRL_Z)
        lines = self._read_until_final(command, deadline, "+CMGS:")
        references = [line for line in lines if line.startswith("+CMGS:")]
        if not references:
            raise ModemError(f"{command}: no +CMGS reference in {lines!r}")
        return parse_cmgs(references[0])

    def _wait_for_prompt(self, command: str, deadline: float) -> None:
        while True:
            stripped = self._buffer.lstrip(b"\r\n")
            if stripped.startswith(b">"):
                self._buffer = stripped[1:].lstrip(b" ")
                return
            if b"\n" in stripped or b"\r" in stripped:
                line = self._next_line(deadline)
                if line == command:
                    continue
                if is_urc(line):
                    self._take_urc(line, deadline)
                    continue
                if is_final(line):
                    error = error_for(line, command)
                    raise error or ModemError(f"{command}: OK without a '> ' prompt")
                continue
            try:
                self._fill(deadline)
            except ModemTimeout:
                # A modem stuck at a prompt we missed would swallow the next commands.
                self.write_raw(ESC)
                raise

    def poll_urcs(self, timeout: float) -> list[str]:
        """Unsolicited lines received so far, waiting up to `timeout` for a first one."""
        deadline = time.monotonic() + timeout
        while not self._urcs:
            try:
                line = self._next_line(deadline)
            except ModemTimeout:
                break
            self._take_urc(line, deadline)
        taken = list(self._urcs)
        self._urcs.clear()
        return taken
