"""Calls grouped from the lines a ringing modem sends, on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from modem.drivers.contract import CallRang, IncomingCall
from modem.ringing import QUIET_PERIOD, CallTracker

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SIMCOM_CLIP = '+CLIP: "+33612345678",145,"",0,"",0'
HUAWEI_CLIP = '+CLIP: "82882690",129,,,,0'
WITHHELD_CLIP = '+CLIP: "",128,"",0,"",1'


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return START + timedelta(seconds=self.now)


def tracker(clock: Clock) -> CallTracker:
    return CallTracker(monotonic=clock.monotonic, wall_clock=clock.wall)


def fed(calls: CallTracker, clock: Clock, *lines: str, every: float = 0.0) -> list:
    events = []
    for line in lines:
        events += calls.feed(line)
        if line.startswith("+CLIP:"):  # the next ring comes `every` s after
            clock.now += every
    return events


def test_it_makes_one_call_of_the_rings_of_one_call():
    clock = Clock()
    calls = tracker(clock)
    events = fed(calls, clock, *["RING", SIMCOM_CLIP] * 3, every=2.0)
    assert events == [
        IncomingCall(START, "+33612345678", 1),
        CallRang(START, 2, "+33612345678"),
        CallRang(START, 3, "+33612345678"),
    ]


def test_it_records_a_withheld_caller_without_a_number():
    clock = Clock()
    calls = tracker(clock)
    events = fed(calls, clock, "+CRING: VOICE", WITHHELD_CLIP, "+CRING: VOICE", WITHHELD_CLIP)
    assert events == [IncomingCall(START, None, 1), CallRang(START, 2)]


def test_it_makes_a_second_call_of_rings_after_the_quiet_period():
    clock = Clock()
    calls = tracker(clock)
    first = fed(calls, clock, "RING", SIMCOM_CLIP)
    clock.now += QUIET_PERIOD + 1
    assert calls.tick() == []
    second = fed(calls, clock, "RING", HUAWEI_CLIP)
    assert first == [IncomingCall(START, "+33612345678", 1)]
    assert second == [IncomingCall(START + timedelta(seconds=QUIET_PERIOD + 1), "82882690", 1)]


def test_it_ends_a_call_on_huawei_cend_so_that_the_next_ring_is_another_call():
    clock = Clock()
    calls = tracker(clock)
    events = fed(calls, clock, "RING", HUAWEI_CLIP, "^CEND:1,0,104,16")
    clock.now += 1
    events += fed(calls, clock, "RING", HUAWEI_CLIP)
    assert events == [
        IncomingCall(START, "82882690", 1),
        IncomingCall(START + timedelta(seconds=1), "82882690", 1),
    ]


def test_it_ends_a_call_on_no_carrier_from_simcom():
    clock = Clock()
    calls = tracker(clock)
    events = fed(calls, clock, "RING", SIMCOM_CLIP, "NO CARRIER", "RING", SIMCOM_CLIP)
    assert [type(event) for event in events] == [IncomingCall, IncomingCall]


def test_it_announces_a_call_without_caller_id_at_once_it_cannot_get_a_number():
    clock = Clock()
    calls = tracker(clock)
    assert fed(calls, clock, "RING") == []  # its +CLIP may be on its way
    clock.now += 1.5
    assert calls.tick() == [IncomingCall(START, None, 1)]
    assert fed(calls, clock, "RING") == [CallRang(START, 2)]


def test_it_gives_the_call_its_caller_line_taken_late_by_a_busy_worker():
    clock = Clock()
    calls = tracker(clock)
    assert fed(calls, clock, "RING") == []
    clock.now += 1.5  # the line was read with the RING, taken after a message was sent
    assert fed(calls, clock, SIMCOM_CLIP) == [IncomingCall(START, "+33612345678", 1)]


def test_it_announces_a_one_ring_call_without_caller_id_when_it_ends():
    clock = Clock()
    calls = tracker(clock)
    assert fed(calls, clock, "RING", "NO CARRIER") == [IncomingCall(START, None, 1)]


def test_it_keeps_a_call_whose_caller_line_is_garbled_without_a_number():
    clock = Clock()
    calls = tracker(clock)
    events = fed(calls, clock, "RING", '+CLIP: "+3361x",145,"",0,"",0', "RING")
    assert events == [IncomingCall(START, None, 1), CallRang(START, 2)]


def test_it_ignores_an_end_line_and_a_caller_line_without_a_call():
    calls = tracker(Clock())
    assert calls.feed("NO CARRIER") == calls.feed(SIMCOM_CLIP) == calls.tick() == []
