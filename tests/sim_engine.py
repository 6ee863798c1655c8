"""The simulated modem's engine byte by byte, its time a fake clock moved by hand:
fixtures (registered in conftest.py) and helpers for the tests that drive it."""

from __future__ import annotations

import pytest

from modem.sim.engine import ModemEngine
from modem.sim.network import SimulatedNetwork
from modem.sim.profiles import PROFILES


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def network() -> SimulatedNetwork:
    return SimulatedNetwork()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make(network, clock):
    """An engine of some profile, set up as the driver sets it: no echo, numeric errors."""

    def make(profile: str = "sim800", *, pin: str = "", quiet: bool = True) -> ModemEngine:
        engine = ModemEngine(network, PROFILES[profile], pin=pin, clock=clock)
        engine.events = []  # type: ignore[attr-defined]
        engine.on_event = engine.events.append  # type: ignore[attr-defined]
        if quiet:
            assert run(engine, "ATE0;+CMEE=1") == b"ATE0;+CMEE=1\r\r\nOK\r\n"
        return engine

    return make


@pytest.fixture
def modem(make) -> ModemEngine:
    return make()


def run(engine: ModemEngine, line: str) -> bytes:
    engine.feed(line.encode("latin-1") + b"\r")
    return engine.take_output()


def later(engine: ModemEngine, clock: FakeClock, seconds: float) -> bytes:
    """What the modem says by itself while `seconds` pass."""
    clock.now += seconds
    engine.tick()
    return engine.take_output()


def lines(*texts: str | bytes) -> bytes:
    """Information lines or result codes, framed as a verbose modem frames them."""
    return b"".join(
        b"\r\n" + (text if isinstance(text, bytes) else text.encode("latin-1")) + b"\r\n"
        for text in texts
    )


OK = lines("OK")
