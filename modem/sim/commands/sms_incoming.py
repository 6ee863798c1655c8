"""What the network brings to the modem: SMS and status reports, routed by AT+CNMI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modem import pdu as pdus
from modem.sim.commands.sms_format import in_charset, text_data, timestamp, with_data
from modem.sim.state import MessageStatus

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine


def deliver_to_client(engine: ModemEngine, pdu_hex: str) -> bool:
    """Route an incoming SMS as AT+CNMI says; False when it must wait on the network."""
    if engine.sim.state != "READY":
        return False
    mode, mt = engine.settings.cnmi[0], engine.settings.cnmi[1]
    if mt == 2 and mode != 0 and _passed_on(engine, "+CMT", pdu_hex):
        return True
    storage = engine.settings.storages[2]
    store = engine.stores[storage]
    index = store.add(MessageStatus.REC_UNREAD, pdu_hex)
    if index is None:
        return False
    if mt != 0 and mode != 0:  # <mt> 2 only gets here with what text mode cannot show
        engine.urc(f'+CMTI: "{storage}",{index}')
    if store.full and engine.profile.memory_full_urc:
        engine.urc(engine.profile.memory_full_urc.format(storage=storage))
    return True


def _passed_on(engine: ModemEngine, prefix: str, pdu_hex: str) -> bool:
    """The message written out after `prefix`; False when text mode has no text to show
    (octets no modem could read), and it is to be stored instead."""
    if engine.settings.text_mode:
        try:
            decoded = pdus.decode(pdu_hex)
        except pdus.PduError:
            return False
        header = f'{prefix}: "{in_charset(engine, decoded["Number"])}",,'
        engine.urc(
            with_data(
                header + f'"{timestamp(decoded.get("DateTime"))}"', text_data(engine, decoded)
            )
        )
    else:
        engine.urc(with_data(f"{prefix}: ,{pdus.tpdu_length(pdu_hex)}", pdu_hex))
    return True


def deliver_report(engine: ModemEngine, pdu_hex: str) -> None:
    """A status report from the network, routed by <ds> of AT+CNMI."""
    ds = engine.settings.cnmi[3]
    if ds == 1:
        engine.urc(with_data(f"+CDS: {pdus.tpdu_length(pdu_hex)}", pdu_hex))
    elif ds == 2:
        index = engine.stores["SR"].add(MessageStatus.REC_UNREAD, pdu_hex)
        if index is not None:
            engine.urc(f'+CDSI: "SR",{index}')
    else:
        engine.on_event("status report not routed (AT+CNMI <ds> is 0)")
