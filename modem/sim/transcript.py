"""Every byte between a client and the simulated modem, with timestamps.

One record per chunk read or written, and one per event (faults, reboots):

    2026-11-24T20:31:30.123456Z <- AT+CMGS=23\\r
    2026-11-24T20:31:30.124101Z -> \\r\\n+CMGS: 7\\r\\n\\r\\nOK\\r\\n
    2026-11-24T20:31:31.002311Z ## fault: next 2 commands answer +CMS ERROR 500

Bytes are escaped so that a record stays on one line: \\r, \\n, \\t, a
backslash doubled, anything else unprintable (Ctrl-Z, ESC, non-ASCII) as \\xNN.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

NAMED = {0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t", 0x5C: "\\\\"}
FROM_CLIENT, TO_CLIENT, EVENT = "<-", "->", "##"


# Each byte's text by its value, for str.translate: a transcript records every byte
# the modem exchanges, and a loop over them in Python took a third of the simulator's
# CPU (a sequence is indexed in C; a dict would be looked up through Python).
_ESCAPES = tuple(
    NAMED.get(byte) or (chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}")
    for byte in range(256)
)


def escape(data: bytes) -> str:
    return data.decode("latin-1").translate(_ESCAPES)


_ESCAPED = re.compile(r"\\(?:x([0-9a-f]{2})|(.))")
_UNNAMED = {name[1]: byte for byte, name in NAMED.items()}


def unescape(text: str) -> bytes:
    """The bytes a record's text stands for (the inverse of `escape`)."""
    return _ESCAPED.sub(
        lambda match: chr(int(match[1], 16) if match[1] else _UNNAMED[match[2]]), text
    ).encode("latin-1")


def read_bytes(path: str | Path) -> Iterator[tuple[str, bytes]]:
    """Each chunk in a transcript, in order: (FROM_CLIENT or TO_CLIENT, its bytes)."""
    with Path(path).open(encoding="utf-8") as records:
        for record in records:
            _, direction, text = record.rstrip("\n").split(" ", 2)
            if direction != EVENT:
                yield direction, unescape(text)


def timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Transcript:
    """Appends to `path`, one flushed line per record, from any thread."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._file = self.path.open("a", encoding="utf-8", buffering=1)

    def from_client(self, data: bytes) -> None:
        self._record(FROM_CLIENT, escape(data))

    def to_client(self, data: bytes) -> None:
        self._record(TO_CLIENT, escape(data))

    def event(self, text: str) -> None:
        self._record(EVENT, " ".join(text.split()))

    def _record(self, direction: str, text: str) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.write(f"{timestamp()} {direction} {text}\n")

    def close(self) -> None:
        with self._lock:
            self._file.close()
