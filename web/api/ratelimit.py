"""Requests per minute per API key: a token bucket per key, in memory that the web
processes forked after it was made share (`smsbox web` with `[web] processes`, see
web.prefork), so that the box allows a key its rate whichever process serves it. A
counter in the database would cost every request a write.

A bucket holds a minute's worth of requests and refills continuously, so a client
may burst up to its limit and then go at its rate. The buckets are a fixed table of
`SLOTS`, a key looked for among `PROBES` slots from its own; when all of them are
taken by other keys, the one idle longest gives its slot up and starts afresh (full)
when it comes back: that takes thousands of keys in use at once.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable

SLOTS = 4096
PROBES = 16
_FREE = 0  # no key id is 0


class TokenBuckets:
    def __init__(
        self, per_minute: int, clock: Callable[[], float] = time.monotonic, slots: int = SLOTS
    ):
        self.capacity = float(per_minute)
        self.per_second = per_minute / 60.0
        self._clock = clock  # CLOCK_MONOTONIC by default: the same in every process
        self._keys = multiprocessing.RawArray("q", slots)
        self._tokens = multiprocessing.RawArray("d", slots)
        self._as_of = multiprocessing.RawArray("d", slots)
        self._lock = multiprocessing.Lock()

    def take(self, key: int) -> float:
        """Take one request from `key`'s bucket: 0 when allowed, else the seconds until
        it would be."""
        with self._lock:
            now = self._clock()
            slot = self._slot_of(key, now)
            elapsed = now - self._as_of[slot]
            tokens = min(self.capacity, self._tokens[slot] + elapsed * self.per_second)
            self._as_of[slot] = now
            if tokens >= 1:
                self._tokens[slot] = tokens - 1
                return 0.0
            self._tokens[slot] = tokens
            return (1 - tokens) / self.per_second

    def _slot_of(self, key: int, now: float) -> int:
        slots = len(self._keys)
        candidates = [(key + probe) % slots for probe in range(min(PROBES, slots))]
        for slot in candidates:
            if self._keys[slot] == key:
                return slot
        free = [slot for slot in candidates if self._keys[slot] == _FREE]
        slot = free[0] if free else min(candidates, key=lambda taken: self._as_of[taken])
        self._keys[slot] = key
        self._tokens[slot] = self.capacity
        self._as_of[slot] = now
        return slot
