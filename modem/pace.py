"""When a worker asks for a message to send, and how long it then listens to its
modem: its rate limit, the turns the daemon's modems leave each other
(`smsbox.routing` says whose turn it is), and the sending hours of commercial
messages."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from modem.drivers.contract import ModemEvent
from smsbox import account_settings
from smsbox.models import utcnow
from smsbox.sending_window import SendingWindow

# How long an idle worker listens to its modem before it looks at the queue again.
IDLE_WAIT = 0.5
# How long a worker that left a message to a peer listens before it looks again:
# once the peer took it, the next may be this one's.
SHORT_LOOK = 0.05
RATE_WINDOW = 60.0
# How often the sending hours are read again: a change by an admin applies within.
SENDING_HOURS_REFRESH = 60.0


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
        peers: dict[int, Callable[[], None]] | None,
    ):
        self.rate_limit = RateLimit(rate_limit, monotonic) if rate_limit else None
        # How to wake each of the daemon's workers, by modem id: one whose turn came
        # while it waited is woken instead of being left to notice at its next look.
        self.peers = {} if peers is None else peers
        self._rang = False

    def join(self, modem_id: int, wake: Callable[[], None]) -> None:
        self.peers[modem_id] = wake

    def held_back(self) -> float:
        """Seconds the rate limit holds this modem back, 0 when it may send now."""
        return 0.0 if self.rate_limit is None else self.rate_limit.wait()

    def took_one(self) -> None:
        if self.rate_limit is not None:
            self.rate_limit.take()

    def ring(self, modem_id: int) -> None:
        """A message waits for `modem_id`, whose turn it is."""
        self._rang = True
        wake = self.peers.get(modem_id)
        if wake is not None:
            wake()

    def listen(
        self, events: Callable[[float], list[ModemEvent]], *, sent: bool, held_back: float
    ) -> list[ModemEvent]:
        """The modem's `events` after an attempt to send: none waited for after a
        message went (the next may be waiting), a short look after ringing another
        modem, else as long as idle or held back; the driver's `wake` (a peer's ring,
        a message queued) ends the wait."""
        rang, self._rang = self._rang, False
        if sent:
            return events(0.0)
        if rang:
            return events(SHORT_LOOK)
        return events(min(IDLE_WAIT, held_back or IDLE_WAIT))


class SendingHours:
    """Whether commercial messages may go now (`smsbox.sending_window`), the account's
    setting read again every minute."""

    def __init__(
        self, sessions: sessionmaker[Session], zone: ZoneInfo, monotonic: Callable[[], float]
    ):
        self.sessions = sessions
        self.zone = zone
        self._monotonic = monotonic
        self._window: SendingWindow | None = None
        self._read_at = 0.0

    def open_now(self) -> bool:
        if self._window is None or self._monotonic() - self._read_at >= SENDING_HOURS_REFRESH:
            with self.sessions() as session:
                self._window = account_settings.sending_window(session)
            self._read_at = self._monotonic()
        return self._window.is_open(utcnow(), self.zone)
