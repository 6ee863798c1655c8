"""The pseudo-terminal a simulated modem answers on, behind a stable symlink."""

from __future__ import annotations

import fcntl
import os
import select
import sys
import termios
import tty
from pathlib import Path

from modem.sim.line import CHUNK, LineClock

WRITE_WAIT_SECONDS = 0.5


class PtyDevice:
    """The slave side is what clients open (through `link`); we read and write the master.

    With `baud`, bytes both ways take the time a serial line at that rate takes:
    what the client wrote reaches the modem, and what the modem says reaches the
    client, no faster than the line carries them.
    """

    def __init__(self, link: Path, baud: int | None = None):
        self.link = link
        self.baud = baud
        # One clock a direction: a serial line is full duplex.
        self._from_client = LineClock(baud) if baud else None
        self._to_client = LineClock(baud) if baud else None
        # The bytes read next were already waiting when the last ones were read: on
        # the line, they came right after them.
        self._queued = False
        self.master, self._slave = os.openpty()
        # Raw mode: no echo, no line editing, no CR/LF translation, as a USB modem.
        tty.setraw(self._slave)
        os.set_blocking(self.master, False)
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        self.name = os.ttyname(self._slave)
        link.symlink_to(self.name)

    def read(self) -> bytes:
        try:
            data = os.read(self.master, CHUNK if self._from_client else 4096)
        except BlockingIOError:
            return b""
        except OSError:
            # EIO: no client has the port open right now.
            return b""
        if self._from_client:
            queued, self._queued = self._queued, self._waiting() > 0
            self._from_client.wait_for(len(data), queued=queued)
        return data

    @property
    def heard_at(self) -> float | None:
        """When the last byte read so far crossed the line (None: unpaced)."""
        return self._from_client.free_at if self._from_client else None

    def _waiting(self) -> int:
        """Bytes the client wrote that are not read yet."""
        try:
            answer = fcntl.ioctl(self.master, termios.FIONREAD, bytes(4))
        except OSError:  # the client closed the port meanwhile
            return 0
        return int.from_bytes(answer, sys.byteorder)

    def write(self, data: bytes, *, answers: bool = False) -> int:
        """Write what the client can take; returns how many bytes were dropped.
        `data` that `answers` the bytes just read leaves once their last byte crossed
        (`LineClock.wait_for`), other output when written.

        A USB modem's output is lost when nobody reads the port; here it would
        fill the pty's buffer and stall the modem, so it is dropped after a wait.
        """
        if self._to_client is None:
            return self._write_all(memoryview(data))
        answering = self.heard_at if answers else None
        for start in range(0, len(data), CHUNK):
            chunk = memoryview(data)[start : start + CHUNK]
            self._to_client.wait_for(len(chunk), queued=start > 0, answering=answering)
            dropped = self._write_all(chunk)
            if dropped:
                return len(data) - start - len(chunk) + dropped
        return 0

    def _write_all(self, view: memoryview) -> int:
        while view:
            _, writable, _ = select.select([], [self.master], [], WRITE_WAIT_SECONDS)
            if not writable:
                return len(view)
            try:
                view = view[os.write(self.master, view) :]
            except BlockingIOError:
                continue
        return 0

    def close(self) -> None:
        if self.link.is_symlink():
            self.link.unlink()
        os.close(self.master)
        os.close(self._slave)
