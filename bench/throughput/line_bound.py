"""What a serial line allows: one send's bytes, read from the AT conversation itself."""

from __future__ import annotations

import statistics
from pathlib import Path

from modem.sim.line import BITS_PER_BYTE
from modem.sim.transcript import FROM_CLIENT, TO_CLIENT, read_bytes

SUBMIT = b"AT+CMGS="
FINAL = b"OK\r\n"


def bytes_per_send(transcript: Path) -> int:
    """The bytes, both ways, of the transcript's most common AT+CMGS exchange: the
    command, the prompt, the PDU and its Ctrl-Z, +CMGS: <mr> and OK."""
    exchanges: list[int] = []
    moved: int | None = None
    for way, data in read_bytes(transcript):
        if way == FROM_CLIENT and data.startswith(SUBMIT):
            moved = 0
        if moved is None:
            continue
        moved += len(data)
        if way == TO_CLIENT and data.endswith(FINAL):
            exchanges.append(moved)
            moved = None
    if not exchanges:
        raise ValueError(f"no AT+CMGS answered OK in {transcript}")
    return statistics.mode(exchanges)


def line_bound(baud: int, send_bytes: int) -> float:
    """Messages a second a line at `baud` carries when each send moves `send_bytes`:
    the command's bytes cross before the answer's, so both directions add up."""
    return baud / BITS_PER_BYTE / send_bytes
