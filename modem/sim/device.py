"""The pseudo-terminal a simulated modem answers on, behind a stable symlink."""

from __future__ import annotations

import os
import select
import tty
from pathlib import Path

WRITE_WAIT_SECONDS = 0.5


class PtyDevice:
    """The slave side is what clients open (through `link`); we read and write the master."""

    def __init__(self, link: Path):
        self.link = link
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
            return os.read(self.master, 4096)
        except BlockingIOError:
            return b""
        except OSError:
            # EIO: no client has the port open right now.
            return b""

    def write(self, data: bytes) -> int:
        """Write what the client can take; returns how many bytes were dropped.

        A USB modem's output is lost when nobody reads the port; here it would
        fill the pty's buffer and stall the modem, so it is dropped after a wait.
        """
        view = memoryview(data)
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
