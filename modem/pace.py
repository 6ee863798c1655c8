"""When a worker asks for a message to send, and how long it then listens to its
modem: its rate limit, the turns the daemon's modems leave each other
(`smsbox.routing` says whose turn it is), and the sending hours of commercial
messages."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar
from zoneinfo import ZoneInfo

from modem.drivers.contract import ModemEvent
from smsbox import account_settings
from smsbox.account_details import account_zone
from smsbox.quotas import Periods, Quotas, Usage, current_quotas, modem_usage
from smsbox.sending_window import SendingWindow
from smsbox.tables import utcnow

if TYPE_CHECKING:
    from modem.connections import Connections

# How long an idle worker listens to its modem before it looks at the queue again,
# unless told sooner (a message queued, its turn passed to it).
IDLE_WAIT = 0.5
RATE_WINDOW = 60.0
T = TypeVar("T")
# How often settings are read again: a change by an admin applies within.
SETTINGS_REFRESH = 60.0


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

    def join(self, modem_id: int, wake: Callable[[], None]) -> None:
        self.peers[modem_id] = wake

    def held_back(self) -> float:
        """Seconds the rate limit holds this modem back, 0 when it may send now."""
        return 0.0 if self.rate_limit is None else self.rate_limit.wait()

    def took_one(self) -> None:
        if self.rate_limit is not None:
            self.rate_limit.take()

    def ring(self, modem_id: int) -> bool:
        """A message waits for `modem_id`, whose turn it is: wake its worker if it is
        one of this daemon's, and say whether it was."""
        wake = self.peers.get(modem_id)
        if wake is None:
            return False
        wake()
        return True

    def listen(
        self, events: Callable[[float], list[ModemEvent]], *, sent: bool, held_back: float
    ) -> list[ModemEvent]:
        """The modem's `events` after an attempt to send: none waited for after a
        message went (the next may be waiting), else as long as idle or held back; the
        driver's `wake` (its turn passed to it, a message queued) ends the wait."""
        if sent:
            return events(0.0)
        return events(min(IDLE_WAIT, held_back or IDLE_WAIT))


class Reread(Generic[T]):
    """A value read from the database again once a minute: a setting an admin changes
    applies within, without a query at each step."""

    def __init__(self, read: Callable[[], T], monotonic: Callable[[], float]):
        self._read = read
        self._monotonic = monotonic
        self._value: T | None = None
        self._read_at = 0.0

    def get(self) -> T:
        if self._value is None or self._monotonic() - self._read_at >= SETTINGS_REFRESH:
            self._value = self._read()
            self._read_at = self._monotonic()
        return self._value


class SendingHours:
    """Whether commercial messages may go now (`smsbox.sending_window`), in the
    account's time zone (`default_zone` until an admin sets one)."""

    def __init__(self, sessions: Connections, default_zone: str, monotonic: Callable[[], float]):
        def read() -> tuple[SendingWindow, ZoneInfo]:
            with sessions() as session:
                window = account_settings.sending_window(session)
                return window, account_zone(session, default_zone)

        self._window = Reread(read, monotonic)

    def open_now(self) -> bool:
        window, zone = self._window.get()
        return window.is_open(utcnow(), zone)


@dataclass
class _CapState:
    quotas: Quotas
    periods: Periods
    used: Usage
    since: int = 0  # sent by this worker since `used` was counted


class ModemCap:
    """Each modem's daily and monthly caps (`smsbox.quotas`): its usage counted in the
    database once a minute, and by the worker in between."""

    def __init__(self, sessions: Connections, default_zone: str, monotonic: Callable[[], float]):
        self.sessions = sessions
        self.default_zone = default_zone
        self.modem_id: int | None = None
        self._state = Reread(self._count, monotonic)

    def _count(self) -> _CapState:
        with self.sessions() as session:
            periods = Periods.at(utcnow(), account_zone(session, self.default_zone))
            quotas = current_quotas(session)
            if not quotas.modem_capped or self.modem_id is None:
                return _CapState(quotas, periods, Usage(0, 0))
            return _CapState(quotas, periods, modem_usage(session, periods, self.modem_id))

    def capped(self) -> bool:
        return self._state.get().quotas.modem_capped

    def wait(self) -> float:
        """Seconds until this modem may send again, 0 when it may now."""
        state = self._state.get()
        today = state.used.today + state.since
        this_month = state.used.this_month + state.since
        now = utcnow()
        if state.quotas.modem_monthly is not None and this_month >= state.quotas.modem_monthly:
            return max((state.periods.month_end - now).total_seconds(), 0.0)
        if state.quotas.modem_daily is not None and today >= state.quotas.modem_daily:
            return max((state.periods.day_end - now).total_seconds(), 0.0)
        return 0.0

    def took_one(self) -> None:
        self._state.get().since += 1
