"""A serial port whose modem is a script, for the channel's tests."""

from __future__ import annotations

import time
from collections import deque


class FakePort:
    """A serial port whose modem answers each write with the next scripted bytes."""

    def __init__(self, *answers: bytes):
        self.timeout: float | None = 1.0
        self.written = b""
        self.closed = False
        self._answers = deque(answers)
        self._incoming = bytearray()

    def arrive(self, data: bytes) -> None:
        self._incoming += data

    def will_answer(self, *answers: bytes) -> None:
        """Script the answers to the next writes."""
        self._answers.extend(answers)

    def write(self, data: bytes) -> int:
        self.written += data
        if self._answers:
            self._incoming += self._answers.popleft()
        return len(data)

    def read(self, size: int = 1) -> bytes:
        if not self._incoming:
            time.sleep(self.timeout or 0)
            return b""
        data = bytes(self._incoming[:size])
        del self._incoming[:size]
        return data

    @property
    def in_waiting(self) -> int:
        return len(self._incoming)

    def close(self) -> None:
        self.closed = True
