"""Sending: AT+CMGS, AT+CMGW and AT+CMSS, in PDU mode and in text mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modem import pdu as pdus
from modem import pdu_encoding
from modem.sim import charset
from modem.sim.commands import command, integer
from modem.sim.commands.general import require_network, require_sim
from modem.sim.commands.sms_format import (
    INVALID_INDEX,
    INVALID_PDU,
    INVALID_TEXT,
    MEMORY_FULL,
    OPERATION_NOT_ALLOWED,
    preferred_store,
    readable,
)
from modem.sim.commands.sms_incoming import deliver_report
from modem.sim.errors import cms
from modem.sim.parser import Command, Kind
from modem.sim.state import MessageStatus, MessageStore

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine

MAX_TPDU_LENGTH = 176
TEXT_STATUSES = {status.text: status for status in MessageStatus}


def _submit_pdu(engine: ModemEngine, pdu_hex: str) -> int:
    """Hand one part to the network; its reference, and a status report if asked."""
    try:
        submission = engine.network.submit(pdu_hex)
    except ValueError:
        raise cms(INVALID_PDU) from None
    engine.on_event(f"SMS part submitted to {submission.recipient} (TP-MR {submission.reference})")
    if submission.status_report:
        engine.later(
            engine.network.report_delay,
            lambda: deliver_report(engine, engine.network.status_report(submission)),
        )
    return submission.reference


def _pdu_from_prompt(text: str, length: int) -> str:
    pdu_hex = text.strip()
    try:
        if pdus.tpdu_length(pdu_hex) != length:
            raise cms(INVALID_PDU)
    except pdus.PduError:
        raise cms(INVALID_PDU) from None
    return pdu_hex.upper()


def _pdu_from_text(engine: ModemEngine, number: str, raw: str) -> str:
    text = charset.decode(raw.encode("latin-1"), engine.settings.charset)
    parts = pdu_encoding.encode_submit(number, text, status_report=False)
    if len(parts) != 1:
        raise cms(INVALID_TEXT)  # text mode sends one SMS; longer needs PDU mode
    return parts[0].hex


def _typed_number(engine: ModemEngine, typed: str) -> str:
    """A number the client wrote in the current AT+CSCS."""
    return charset.decode(typed.encode("latin-1"), engine.settings.charset)


@command("+CMGS")
def send_message(engine: ModemEngine, command: Command) -> None:
    require_network(engine, sms=True)
    if command.kind is Kind.TEST:
        return None
    if command.kind is not Kind.SET:
        raise cms(OPERATION_NOT_ALLOWED)
    values = command.arguments()
    if engine.settings.text_mode:
        number = _typed_number(engine, values[0])
        engine.prompt(
            lambda text: [f"+CMGS: {_submit_pdu(engine, _pdu_from_text(engine, number, text))}"]
        )
    else:
        length = integer(values[0], range(1, MAX_TPDU_LENGTH + 1), cms(INVALID_PDU))
        engine.prompt(
            lambda text: [f"+CMGS: {_submit_pdu(engine, _pdu_from_prompt(text, length))}"]
        )
    return None


@command("+CMGW")
def write_message(engine: ModemEngine, command: Command) -> None:
    require_sim(engine, sms=True)
    store = preferred_store(engine, 1)
    if store.full:
        raise cms(MEMORY_FULL)
    values = command.arguments() if command.kind is Kind.SET else []
    if engine.settings.text_mode:
        number = _typed_number(engine, values[0]) if values else ""
        status = (
            TEXT_STATUSES.get(values[2], MessageStatus.STO_UNSENT)
            if len(values) > 2
            else MessageStatus.STO_UNSENT
        )

        def write(text: str) -> list[str]:
            return [f"+CMGW: {_add(store, status, _pdu_from_text(engine, number or '+0', text))}"]
    else:
        if not values:
            raise cms(INVALID_PDU)
        length = integer(values[0], range(1, MAX_TPDU_LENGTH + 1), cms(INVALID_PDU))
        status = (
            MessageStatus(integer(values[1], range(4)))
            if len(values) > 1
            else MessageStatus.STO_UNSENT
        )

        def write(text: str) -> list[str]:
            return [f"+CMGW: {_add(store, status, _pdu_from_prompt(text, length))}"]

    engine.prompt(write)
    return None


def _add(store: MessageStore, status: MessageStatus, pdu_hex: str) -> int:
    index = store.add(status, pdu_hex)
    if index is None:
        raise cms(MEMORY_FULL)
    return index


@command("+CMSS")
def send_stored(engine: ModemEngine, command: Command) -> list[str]:
    require_network(engine, sms=True)
    values = command.arguments()
    store = preferred_store(engine, 1)
    index = integer(values[0] if values else "", range(1, store.capacity + 1), cms(INVALID_INDEX))
    stored = store.messages.get(index)
    if stored is None:
        raise cms(INVALID_INDEX)
    pdu_hex = stored.pdu
    if len(values) > 1 and values[1]:
        decoded = readable(pdu_hex)
        pdu_hex = pdu_encoding.encode_submit(values[1], decoded["Text"], status_report=False)[0].hex
    reference = _submit_pdu(engine, pdu_hex)
    stored.status = MessageStatus.STO_SENT
    return [f"+CMSS: {reference}"]
