"""Incoming voice calls: RING and +CLIP, ATA, ATH and AT+CHUP (3GPP TS 27.007 §6-7).

The network side starts a call with `incoming_call`; it rings on timers of the
engine, so a test drives it with a fake clock and `engine.tick()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from modem.sim.commands import command, integer, setting
from modem.sim.errors import INCORRECT_PARAMETERS, FinalResult, cme
from modem.sim.network import CallRecord
from modem.sim.parser import Command, Kind

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine

# <type> of address (TS 24.008 §10.5.4.7) and <CLI validity> of +CLIP (TS 27.007 §7.18).
INTERNATIONAL, NATIONAL, UNKNOWN = 145, 129, 128
CLI_VALID, CLI_WITHHELD = 0, 1
# The extended ring of a voice call (3GPP TS 27.007 §6.11 <type> VOICE).
VOICE_RING = "+CRING: VOICE"


@dataclass
class Call:
    record: CallRecord
    rings: int
    interval: float
    answered: bool = False


def incoming_call(
    engine: ModemEngine, number: str | None, rings: int = 3, interval: float = 1.0
) -> None:
    """A call from `number` (None: withheld) ringing `rings` times, `interval` s apart.

    Unanswered, the caller gives up one interval after the last ring. A second call
    while one is under way is recorded as missed (no call waiting here)."""
    if rings < 1 or interval <= 0:
        raise ValueError("a call rings at least once, at a positive interval")
    with engine.lock:
        record = engine.network.record_call(number)
        caller = number or "a withheld number"
        if engine.call is not None:
            engine.network.update_call(record, outcome="missed")
            engine.on_event(f"call from {caller} missed: a call is already under way")
            return
        call = engine.call = Call(record, rings, interval)
        engine.later(0.0, lambda: _ring(engine, call))


def _ring(engine: ModemEngine, call: Call) -> None:
    if engine.call is not call or call.answered:
        return  # answered or hung up meanwhile
    number = call.record.number
    engine.urc(VOICE_RING if engine.settings.crc else engine.profile.ring_urc)
    if engine.settings.clip:
        engine.urc(clip_line(engine, number))
    sent = call.record.rings + 1
    engine.network.update_call(call.record, rings=sent)
    engine.on_event(f"call: ring {sent}/{call.rings} from {number or 'a withheld number'}")
    if sent < call.rings:
        engine.later(call.interval, lambda: _ring(engine, call))
    else:
        engine.later(call.interval, lambda: _give_up(engine, call))


def clip_line(engine: ModemEngine, number: str | None) -> str:
    """The +CLIP line after a ring, in the profile's layout."""
    if number is None:
        return engine.profile.clip_format.format(number="", type=UNKNOWN, validity=CLI_WITHHELD)
    kind = INTERNATIONAL if number.startswith("+") else NATIONAL
    return engine.profile.clip_format.format(number=number, type=kind, validity=CLI_VALID)


def _give_up(engine: ModemEngine, call: Call) -> None:
    if engine.call is not call or call.answered:
        return
    engine.call = None
    engine.network.update_call(call.record, outcome="missed")
    if engine.profile.missed_call_urc:
        engine.urc(engine.profile.missed_call_urc)
    number = call.record.number or "a withheld number"
    engine.on_event(f"call: missed call from {number} after {call.record.rings} ring(s)")


@command("+CLIP")
def caller_id(engine: ModemEngine, command: Command) -> list[str] | None:
    if command.kind is Kind.READ:
        # <m> = 1: CLIP is provisioned on the network.
        return [f"+CLIP: {engine.settings.clip:d},1"]
    return setting(engine, command, "clip", range(2), "(0,1)")


@command("+CRC")
def cellular_result_codes(engine: ModemEngine, command: Command) -> list[str] | None:
    return setting(engine, command, "crc", range(2), "(0,1)")


@command("A")
def answer(engine: ModemEngine, command: Command) -> None:
    call = engine.call
    if call is None or call.answered:
        raise FinalResult("NO CARRIER")
    call.answered = True
    engine.network.update_call(call.record, outcome="answered")
    engine.on_event(f"call: answered the call from {call.record.number or 'a withheld number'}")


@command("H")
def hang_up(engine: ModemEngine, command: Command) -> None:
    integer(command.argument or "0", range(1), cme(INCORRECT_PARAMETERS))
    _end(engine)


@command("+CHUP")
def hang_up_all(engine: ModemEngine, command: Command) -> None:
    if command.kind not in (Kind.EXECUTE, Kind.TEST):
        raise cme(INCORRECT_PARAMETERS)
    if command.kind is Kind.EXECUTE:
        _end(engine)


def _end(engine: ModemEngine) -> None:
    """Hang up: an answered call ends, a ringing one is rejected; OK either way."""
    call, engine.call = engine.call, None
    if call is None:
        return
    number = call.record.number or "a withheld number"
    if call.answered:
        engine.on_event(f"call: hung up the call with {number}")
    else:
        engine.network.update_call(call.record, outcome="rejected")
        engine.on_event(f"call: rejected the call from {number}")
