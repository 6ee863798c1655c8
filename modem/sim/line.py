"""The time bytes take on a serial line, for a simulator paced like a real modem's UART.

On an asynchronous serial line each byte is 10 bits (start bit, 8 data bits,
stop bit, no parity), so a line at `baud` carries baud / 10 bytes a second in
each direction. The pty itself moves bytes as fast as the kernel copies them.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import time

BITS_PER_BYTE = 10
# Bytes handed over at a time: at 115200 baud, 64 bytes are 5.6 ms of line.
CHUNK = 64
# prctl(2): how late the kernel may end the calling thread's sleeps, in nanoseconds.
PR_SET_TIMERSLACK = 29


def sleep_on_time() -> None:
    """The calling thread's sleeps end when due, not up to Linux's default 50 µs
    later: a line clock's byte takes 87 µs at 115200 baud, and a sleep came back 57 µs
    late, twice a message, where the bytes would have arrived."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0)


class LineClock:
    """One direction of a line: when the bytes sent so far have all gone through."""

    def __init__(self, baud: int):
        self.baud = baud
        self.seconds_per_byte = BITS_PER_BYTE / baud
        self._free_at = 0.0

    @property
    def free_at(self) -> float:
        """When the last byte sent so far has crossed (time.monotonic)."""
        return self._free_at

    def wait_for(self, count: int, *, queued: bool = False, answering: float | None = None) -> None:
        """Return once `count` more bytes would have crossed the line: they start when
        the line is free (or now, if it has been idle) and take their time. `queued`
        bytes were waiting while the ones before crossed: they follow them without a
        gap, whenever the simulator's thread woke up from that wait. Bytes `answering`
        what crossed the other way by then (a time.monotonic in the past) leave from
        then, as from a modem that answers at once: the simulator's own work since
        (its late wakeup, its parsing) is no time on the line."""
        now = time.monotonic()
        ready = now if answering is None else min(answering, now)
        start = self._free_at if queued else max(ready, self._free_at)
        self._free_at = start + count * self.seconds_per_byte
        if self._free_at > now:
            time.sleep(self._free_at - now)
