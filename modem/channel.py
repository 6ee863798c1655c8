"""Line-oriented conversation with a modem over a serial port.

One thread owns a channel. Unsolicited lines that arrive while a command runs
are kept aside and handed out by `poll_urcs`, so no +CMTI is ever lost. Another
thread may only `wake` it, to end its wait in `poll_urcs` early.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from modem.at import (
    TWO_LINE_URCS,
    error_for,
    is_boot_line,
    is_final,
    is_urc,
    parse_cmgs,
)
from modem.errors import (
    ModemError,
    ModemRestarted,
    ModemTimeout,
    NoAnswer,
    PortError,
    SubmitOutcomeUnknown,
)

CTRL_Z = b"\x1a"
ESC = b"\x1b"
DEFAULT_TIMEOUT = 10.0
# Modems show the '> ' prompt at once; waiting longer only delays the recovery
# from a modem that stopped answering.
PROMPT_TIMEOUT = 5.0
# After the Ctrl-Z the network has the message: a congested one takes its time.
SUBMIT_TIMEOUT = 60.0
RESYNC_ATTEMPTS = 5
RESYNC_ANSWER_TIMEOUT = 1.0
DRAIN_QUIET = 0.2
_LINE_END = re.compile(rb"\r\n|\n|\r")
DRAIN_LIMIT = 3.0


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
        # `wake` comes from another thread: the lock keeps it from poking a port being
        # closed (pyserial's abort pipe could be a reused descriptor by then).
        self._waking = threading.Lock()
        self._woken = False
        self._polling = False

    def close(self) -> None:
        with self._waking:
            self._port.close()

    def wake(self) -> None:
        """From any thread: the current or the next `poll_urcs` returns without waiting."""
        with self._waking:
            self._woken = True
            # Only a wait in poll_urcs is cut short: an aborted read elsewhere
            # (drain) would take the abort for a quiet line.
            if self._polling:
                cancel_read = getattr(self._port, "cancel_read", None)
                if cancel_read is not None:
                    cancel_read()

    def write_raw(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except OSError as error:  # pyserial's SerialException is one
            raise PortError(f"the serial port failed: {error}") from error
        # Whoever carries the bytes on (a pty's kernel worker, a simulated modem) was
        # just woken, often onto this core: without a yield it waits for the work we
        # do while the modem answers (the handover's commit, 0.9 ms of CPU), and the
        # line idles meanwhile.
        os.sched_yield()

    def _read_some(self, wait: float) -> bytes:
        # Setting the timeout reconfigures the port (pyserial reads and writes the
        # terminal's settings): only when it changes, not at every read of a message.
        # A dead port fails the read anyway.
        try:
            if self._port.timeout != wait:
                self._port.timeout = wait
            return self._port.read(max(1, self._port.in_waiting))
        except OSError as error:
            raise PortError(f"the serial port failed: {error}") from error

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ModemTimeout("the modem did not answer in time")
        self._buffer += self._read_some(min(remaining, 0.2))

    def drain(self) -> None:
        """Forget the answers the modem gave until it has been quiet a moment: late
        answers to commands we gave up on would otherwise be read as answers to the
        next. Its unsolicited lines are kept: a call ringing, or a status report that
        came while nobody read the port, is news all the same."""
        drained = self._buffer
        self._buffer = b""
        give_up_at = time.monotonic() + DRAIN_LIMIT
        while (more := self._read_some(DRAIN_QUIET)) and time.monotonic() < give_up_at:
            drained += more
        self._keep_unsolicited(drained)

    def _keep_unsolicited(self, drained: bytes) -> None:
        # The last piece has no line end yet: half a line, dropped with the answers.
        pieces = _LINE_END.split(drained)[:-1]
        lines = [line for piece in pieces if (line := piece.decode("ascii", "replace").strip())]
        for position, line in enumerate(lines):
            # A boot line is left out: setting the modem up is what the drain is for.
            if not is_urc(line) or is_boot_line(line):
                continue
            if not line.startswith(TWO_LINE_URCS):
                self._urcs.append(line)
            elif position + 1 < len(lines):
                self._urcs.append(f"{line}\n{lines[position + 1]}")

    def resynchronise(self) -> None:
        """Bring the modem back to a command line whose next answer is ours: leave
        any '> ' prompt, drop stale answers, then AT until OK."""
        for _ in range(RESYNC_ATTEMPTS):
            self.drain()
            try:
                self.command("AT", timeout=RESYNC_ANSWER_TIMEOUT)
                return
            except PortError:
                raise
            except ModemError:
                self.write_raw(ESC + b"\r")
        raise ModemTimeout(f"the modem did not answer AT after {RESYNC_ATTEMPTS} tries")

    def _buffered_line(self) -> str | None:
        """The next non-empty line already read, if a whole one is there."""
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
                return None

    def _next_line(self, deadline: float) -> str:
        while (line := self._buffered_line()) is None:
            self._fill(deadline)
        return line

    def _take_urc(self, line: str, deadline: float) -> None:
        if line.startswith(TWO_LINE_URCS):
            line = f"{line}\n{self._next_line(deadline)}"
        self._urcs.append(line)

    def _read_until_final(
        self, command: str, deadline: float, expect: str | None, *, stop_on_boot: bool = False
    ) -> list[str]:
        lines = []
        while True:
            line = self._next_line(deadline)
            if line == command:  # the echo, before ATE0 took effect
                continue
            if is_urc(line, expect, command):
                self._take_urc(line, deadline)
                if stop_on_boot and is_boot_line(line):
                    raise ModemRestarted(f"{command}: the modem restarted ({line})")
            elif is_final(line, command):
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

    def submit_pdu(
        self,
        pdu_hex: str,
        tpdu_length: int,
        *,
        before_handover: Callable[[], None] = lambda: None,
        meanwhile: Callable[[], None] = lambda: None,
        prompt_timeout: float | None = None,
        timeout: float | None = None,
    ) -> int | None:
        """AT+CMGS in PDU mode: wait for the '> ' prompt, send the PDU; returns the
        TP-MR, None when the modem said OK without a readable one.

        `before_handover` runs once the command is written, while the modem answers
        with its prompt, and before any byte of the PDU is written (the caller
        commits that the part's outcome is about to become unknown: the line carries
        the command meanwhile). If it raises, the prompt is cancelled and nothing is
        sent. A prompt that does not come after it ran raises as before it: a
        ModemError the modem answered, or NoAnswer; the PDU was not written.
        `meanwhile` runs once the PDU and its Ctrl-Z are written, before the answer
        is read: the caller's work then overlaps the modem's and the line's.
        From the Ctrl-Z on, a timeout, a lost port or a modem that restarts
        raises SubmitOutcomeUnknown; an error the modem answers is a ModemError.
        The timeouts default to PROMPT_TIMEOUT and SUBMIT_TIMEOUT as they are now.
        """
        command = f"AT+CMGS={tpdu_length}"
        self.write_raw(command.encode("ascii") + b"\r")
        prompt_deadline = time.monotonic() + (prompt_timeout or PROMPT_TIMEOUT)
        try:
            before_handover()
        except BaseException:
            self._cancel_prompt(command, prompt_deadline)
            raise
        self._wait_for_prompt(command, prompt_deadline)
        try:
            self.write_raw(pdu_hex.encode("ascii") + CTRL_Z)
            meanwhile()
            lines = self._read_until_final(
                command, time.monotonic() + (timeout or SUBMIT_TIMEOUT), "+CMGS:", stop_on_boot=True
            )
        except NoAnswer as error:
            raise SubmitOutcomeUnknown(f"{command}: {error}") from error
        return self._reference(lines)

    @staticmethod
    def _reference(lines: list[str]) -> int | None:
        for line in lines:
            if line.startswith("+CMGS:"):
                try:
                    return parse_cmgs(line)
                except ModemError:
                    return None
        return None

    def _cancel_prompt(self, command: str, deadline: float) -> None:
        """Leave the prompt of `command` without sending anything: a modem refusing
        the command, or silent (`_wait_for_prompt` escapes then), needs nothing more."""
        try:
            self._wait_for_prompt(command, deadline)
        except ModemError:
            return
        self.write_raw(ESC)

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
                if is_urc(line, None, command):
                    self._take_urc(line, deadline)
                    continue
                if is_final(line, command):
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
        """Unsolicited lines received so far, waiting up to `timeout` for a first one,
        or until `wake` is called."""
        deadline = time.monotonic() + timeout
        with self._waking:
            self._polling = True
        looked_once_woken = False
        try:
            while not self._urcs:
                line = self._buffered_line()
                if line is not None:
                    self._take_urc(line, deadline)
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0 or looked_once_woken:
                    break
                # Woken: what the modem said already is taken, without waiting for more.
                looked_once_woken = self._woken
                self._buffer += self._read_some(0 if looked_once_woken else min(remaining, 0.2))
        finally:
            with self._waking:
                self._polling = False
                self._woken = False
        taken = list(self._urcs)
        self._urcs.clear()
        return taken
