"""USSD (balance queries and the like): AT+CUSD of 3GPP TS 27.007 §7.15.

AT+CUSD=1,"*100#",15 answers OK at once; the network's reply comes a moment
later as the URC +CUSD: 0,"<text>",15, in the character set AT+CSCS chose
(hex under UCS2, like the request). A code the network doesn't know gets
+CUSD: 4 (<m> 4: operation not supported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modem.sim import charset
from modem.sim.commands import command, integer
from modem.sim.commands.general import require_network
from modem.sim.errors import INCORRECT_PARAMETERS, cme
from modem.sim.parser import Command, Kind

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine

REPLY_DELAY = 0.2
# <dcs>: TS 23.038 §5 "language unspecified", GSM 7-bit default alphabet.
DEFAULT_DCS = 15
# <m>: no further user action required / operation not supported.
DONE, NOT_SUPPORTED = 0, 4
PRESENT, CANCEL = 1, 2


@command("+CUSD")
def ussd(engine: ModemEngine, command: Command) -> list[str] | None:
    if command.kind is Kind.READ:
        return [f"+CUSD: {engine.settings.cusd}"]
    if command.kind is Kind.TEST:
        return ["+CUSD: (0-2)"]
    values = command.arguments() if command.kind is Kind.SET else []
    n = integer(values[0], range(3)) if values and values[0] else 0
    if n == CANCEL:
        engine.on_event("USSD: session cancelled")
        return None
    engine.settings.cusd = n
    if len(values) < 2 or not values[1]:
        return None
    if len(values) > 2 and values[2]:
        integer(values[2], range(256), cme(INCORRECT_PARAMETERS))
    require_network(engine)
    code = charset.decode(values[1].encode("latin-1"), engine.settings.charset)
    engine.on_event(f"USSD: {code} sent to the network")
    engine.later(REPLY_DELAY, lambda: _reply(engine, code))
    return None


def _reply(engine: ModemEngine, code: str) -> None:
    reply = engine.network.ussd_replies.get(code)
    engine.on_event(f"USSD: {code} answered {reply!r}" if reply else f"USSD: {code} unknown")
    if engine.settings.cusd != PRESENT:
        return  # AT+CUSD=0: the result code is not shown
    if reply is None:
        engine.urc(f"+CUSD: {NOT_SUPPORTED}")
        return
    text = charset.encode(reply, engine.settings.charset)
    engine.urc(f'+CUSD: {DONE},"'.encode() + text + f'",{DEFAULT_DCS}'.encode())
