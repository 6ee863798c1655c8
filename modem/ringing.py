"""Incoming calls from the lines a ringing modem sends: pure, fed lines and a clock.

A modem repeats RING (or +CRING: VOICE) every 1 to 5 s while a call rings, each
followed by +CLIP when caller id is on. One call is announced ONCE, at its first
ring: a daemon that stops mid-ring has then already recorded it, where waiting
for the call to end would lose it. Each further ring is a `CallRang` that updates
the same record, so a call is never recorded twice. (A daemon that restarts in the
middle of a call announces its next ring as a new call: the call log counts it on
the call recorded before, see smsbox.calls.record_call.)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from modem.at import parse_clip
from modem.drivers.contract import CallRang, IncomingCall
from modem.errors import ModemError

log = logging.getLogger(__name__)

RING_LINES = ("RING", "+CRING:")
# SIMCom says NO CARRIER when the caller gives up (outside a dial: see modem.at),
# Huawei ^CEND:<id>,<duration>,<end status>[,<cause>].
CALL_END_LINES = ("NO CARRIER", "^CEND:")
# Longer than any modem's ring interval (1 to 5 s): a call that said nothing this
# long is over, even when its end line was lost.
QUIET_PERIOD = 8.0
# +CLIP follows its RING at once; a call still without one after this is announced
# without a number (caller id off, or refused by the modem).
CALLER_LINE_WAIT = 1.0
CALL_LINES = (*RING_LINES, "+CLIP:", *CALL_END_LINES)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Ringing:
    started_at: datetime
    first_ring: float
    last_ring: float
    rings: int = 1
    number: str | None = None
    announced: bool = False


class CallTracker:
    def __init__(
        self,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utcnow,
    ):
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._call: _Ringing | None = None

    def feed(self, line: str) -> list[IncomingCall | CallRang]:
        """What `line` tells about calls; lines about anything else tell nothing."""
        if line.startswith(RING_LINES):
            return self.ring()
        if line.startswith("+CLIP:"):
            try:
                number = parse_clip(line)
            except ModemError as error:
                log.warning("unreadable caller line, call kept without a number: %s", error)
                number = None
            return self.caller(number)
        if line.startswith(CALL_END_LINES):
            return self.ended()
        return self.tick()

    def ring(self) -> list[IncomingCall | CallRang]:
        """The modem rang once more (RING, +CRING)."""
        return self.tick() + self._ring()

    def caller(self, number: str | None) -> list[IncomingCall | CallRang]:
        """The modem named the caller of the call ringing (+CLIP): None when it could not.
        The line follows its RING at once, so the number is the call's however late the
        line is taken: a busy worker may take the RING, then send a message, before it
        takes the next line."""
        call = self._call
        if call is None or call.announced:
            return self.tick()
        call.number = number
        return self._announce()

    def ended(self) -> list[IncomingCall | CallRang]:
        """The caller gave up (NO CARRIER, ^CEND)."""
        return self.tick() + self._end()

    def tick(self) -> list[IncomingCall | CallRang]:
        """What time alone tells: a call that waited long enough for its caller line,
        or a call over because it stopped ringing."""
        call, now = self._call, self._monotonic()
        if call is None:
            return []
        if now - call.last_ring > QUIET_PERIOD:
            return self._end()
        if now - call.first_ring > CALLER_LINE_WAIT:
            return self._announce()
        return []

    def _ring(self) -> list[IncomingCall | CallRang]:
        now = self._monotonic()
        if self._call is None:
            self._call = _Ringing(self._wall_clock(), first_ring=now, last_ring=now)
            return []
        self._call.rings += 1
        self._call.last_ring = now
        # A ring with no +CLIP before it: caller id is off, no number is coming.
        events = self._announce()
        return events or [CallRang(self._call.started_at, self._call.rings, self._call.number)]

    def _end(self) -> list[IncomingCall | CallRang]:
        events = self._announce()
        self._call = None
        return events

    def _announce(self) -> list[IncomingCall | CallRang]:
        call = self._call
        if call is None or call.announced:
            return []
        call.announced = True
        return [IncomingCall(call.started_at, call.number, call.rings)]
