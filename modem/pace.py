"""When a worker asks for a message to send, and how long it then listens to its
modem: its rate limit, and the turns the daemon's modems leave each other
(`smsbox.routing` says whose turn it is)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from modem.drivers.contract import ModemEvent

# How long an idle worker listens to its modem before it looks at the queue again.
IDLE_WAIT = 0.5
# An idle worker looks this often whether a peer left it a message (its turn came).
DOORBELL_CHECK = 0.05
RATE_WINDOW = 60.0


class RateLimit:
    """At most `per_minute` messages in any minute (a sliding window)."""

    def __init__(self, per_minute: int, monotonic: Callable[[], float]):
        self.per_minute = per_minute
        self._monotonic = monotonic
        self._taken: deque[float] = deque()

    def wait(self) -> float:
        """Seconds until another message may go, 0 when one may go now."""
        now = self._monotonic()
        while self._taken and self._taken[0] <= now - RATE_WINDOW:
            self._taken.popleft()
        if len(self._taken) < self.per_minute:
            return 0.0
        return self._taken[0] + RATE_WINDOW - now

    def take(self) -> None:
        self._taken.append(self._monotonic())


class SendingPace:
    def __init__(
        self,
        rate_limit: int | None,
        monotonic: Callable[[], float],
        doorbells: dict[int, threading.Event] | None,
    ):
        self.rate_limit = RateLimit(rate_limit, monotonic) if rate_limit else None
        # The daemon's workers by modem id: one whose turn came while it waited
        # is rung instead of being left to notice at its next look.
        self.doorbells = {} if doorbells is None else doorbells
        self.doorbell = threading.Event()
        self._rang = False

    def join(self, modem_id: int) -> None:
        self.doorbells[modem_id] = self.doorbell

    def held_back(self) -> float:
        """Seconds the rate limit holds this modem back, 0 when it may send now."""
        return 0.0 if self.rate_limit is None else self.rate_limit.wait()

    def took_one(self) -> None:
        if self.rate_limit is not None:
            self.rate_limit.take()

    def ring(self, modem_id: int) -> None:
        """A message waits for `modem_id`, whose turn it is."""
        self._rang = True
        doorbell = self.doorbells.get(modem_id)
        if doorbell is not None:
            doorbell.set()

    def listen(
        self, events: Callable[[float], list[ModemEvent]], *, sent: bool, held_back: float
    ) -> list[ModemEvent]:
        """The modem's `events` after an attempt to send: none waited for after a
        message went (the next may be waiting), a short look after ringing another
        modem (once it took its message, the next may be this one's), else as long
        as idle or held back; a ring from a peer ends the wait."""
        rang, self._rang = self._rang, False
        if sent:
            timeout = 0.0
        elif rang:
            timeout = DOORBELL_CHECK
        else:
            timeout = min(IDLE_WAIT, held_back or IDLE_WAIT)
        for _ in range(max(1, round(timeout / DOORBELL_CHECK))):
            announced = events(min(timeout, DOORBELL_CHECK))
            if announced or self.doorbell.is_set():
                break
        self.doorbell.clear()
        return announced
