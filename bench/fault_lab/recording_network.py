"""The simulated network, also keeping every part it is handed, with the time.

`SimulatedModem.sent()` gives whole messages; a part handed over twice, or the
first parts of a message whose last never came, only show part by part.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from modem import pdu as pdus
from modem.sim.network import SimulatedNetwork, Submission


@dataclass(frozen=True)
class NetworkPart:
    """One SMS-SUBMIT the network got: for whom, which part of how many, and when
    (wall clock, `time.time()`, comparable with the daemon's timestamps)."""

    recipient: str
    part_number: int
    total_parts: int
    text: str
    at: float


class RecordingNetwork(SimulatedNetwork):
    def __init__(self) -> None:
        super().__init__()
        self._parts: list[NetworkPart] = []
        self._parts_lock = threading.Lock()

    def submit(self, pdu_hex: str) -> Submission:
        try:
            decoded = pdus.decode(pdu_hex)
        except pdus.PduError:  # the network refuses it below
            return super().submit(pdu_hex)
        concatenated = pdus.concatenation(decoded)
        part_number, total_parts = (1, 1) if concatenated is None else concatenated[1:]
        part = NetworkPart(
            decoded["Number"], part_number, total_parts, decoded["Text"], time.time()
        )
        # Kept even if joining it to its message fails below (a part given twice
        # under the same reference does): it reached the network all the same.
        with self._parts_lock:
            self._parts.append(part)
        return super().submit(pdu_hex)

    def parts(self) -> list[NetworkPart]:
        with self._parts_lock:
            return list(self._parts)

    def part_count(self) -> int:
        with self._parts_lock:
            return len(self._parts)
