"""Requests per minute per API key: a token bucket per key, in this process's memory.

A bucket holds a minute's worth of requests and refills continuously, so a client
may burst up to its limit and then go at its rate. Counted per web process: with one
waitress process (the shipped unit) that is the box's limit; several processes, or
several hosts, would each allow it (a shared counter in the database would cost
every request a write).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBuckets:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(per_minute)
        self.per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # key: (tokens, as of)
        self._lock = threading.Lock()

    def take(self, key: int) -> float:
        """Take one request from `key`'s bucket: 0 when allowed, else the seconds until
        it would be."""
        with self._lock:
            now = self._clock()
            tokens, as_of = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - as_of) * self.per_second)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.per_second
