"""The daemon's periodic jobs: each on a thread of its own, at a fixed interval, until
the daemon stops.

A thread a job, so that a long one (a retention purge of a large history) never holds
back another (the release of scheduled messages, every second). A job still running
when its next time comes is not started twice: it runs again once, as soon as it ends,
however many of its times it missed. A job that raises is logged and keeps its
schedule.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class PeriodicJob:
    def __init__(
        self,
        name: str,
        job: Callable[[], None],
        interval: float,
        stop: threading.Event,
        *,
        at_once: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        """`job` every `interval` seconds from `start()` (the first at once when
        `at_once`), until `stop` is set."""
        self.name = name
        self._job = job
        self._interval = interval
        self._stop = stop
        self._at_once = at_once
        self._monotonic = monotonic
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        next_run = self._monotonic() + (0.0 if self._at_once else self._interval)
        while not self._stop.wait(max(0.0, next_run - self._monotonic())):
            try:
                self._job()
            except Exception:
                log.exception("periodic job %s failed; it runs again at its next time", self.name)
            next_run = max(next_run + self._interval, self._monotonic())
