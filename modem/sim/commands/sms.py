"""SMS commands of 3GPP TS 27.005, in PDU mode and in text mode."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from modem import pdu as pdus
from modem.sim import charset
from modem.sim.commands import command, integer, setting
from modem.sim.commands.general import require_sim
from modem.sim.errors import cms
from modem.sim.parser import Command, Kind
from modem.sim.state import MessageStatus, MessageStore, StoredMessage

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine

OPERATION_NOT_ALLOWED = 302
INVALID_PDU = 304
INVALID_TEXT = 305
INVALID_INDEX = 321
MEMORY_FULL = 322
MAX_TPDU_LENGTH = 176
TEXT_STATUSES = {status.text: status for status in MessageStatus}
ALL_TEXT = "ALL"
ALL_NUMERIC = 4


def _pdu_length(pdu_hex: str) -> int:
    raw = bytes.fromhex(pdu_hex)
    return len(raw) - 1 - raw[0]


def _timestamp(moment: datetime | None) -> str:
    """'yy/MM/dd,hh:mm:ss+zz', zz in quarters of an hour, as text mode shows SCTS."""
    if moment is None:
        return ""
    offset = moment.utcoffset()
    quarters = int(offset.total_seconds() // 900) if offset else 0
    return moment.strftime("%y/%m/%d,%H:%M:%S") + f"{quarters:+03d}"


def _text_data(engine: ModemEngine, decoded: dict) -> bytes:
    # 27.005 §3.1: UCS2 and 8-bit messages are shown in hex whatever +CSCS says.
    if decoded["Coding"] == "Default_No_Compression":
        return charset.encode(decoded["Text"], engine.settings.charset)
    return charset.encode(decoded["Text"], "UCS2")


def _store(engine: ModemEngine, which: int) -> MessageStore:
    return engine.stores[engine.settings.storages[which]]


# -- settings --------------------------------------------------------------------------


@command("+CMGF")
def message_format(engine: ModemEngine, command: Command) -> list[str] | None:
    return setting(engine, command, "text_mode", range(2), "(0,1)")


@command("+CSMS")
def message_service(engine: ModemEngine, command: Command) -> list[str] | None:
    if command.kind is Kind.READ:
        return ["+CSMS: 0,1,1,1"]
    if command.kind is Kind.TEST:
        return ["+CSMS: (0,1)"]
    integer(command.arguments()[0], range(1))
    return ["+CSMS: 1,1,1"]


@command("+CSCA")
def service_centre(engine: ModemEngine, command: Command) -> list[str] | None:
    require_sim(engine, sms=True)
    if command.kind is Kind.READ:
        number = engine.sim.smsc
        return [f'+CSCA: "{number}",{145 if number.startswith("+") else 129}']
    if command.kind is Kind.SET and command.arguments()[0]:
        engine.sim.smsc = command.arguments()[0]
        return None
    if command.kind is Kind.TEST:
        return []
    raise cms(INVALID_TEXT)


@command("+CPMS")
def preferred_storage(engine: ModemEngine, command: Command) -> list[str] | None:
    names = [name for name in engine.stores if name != "SR"]
    if command.kind is Kind.TEST:
        choice = "(" + ",".join(f'"{name}"' for name in names) + ")"
        return [f"+CPMS: {choice},{choice},{choice}"]
    if command.kind is Kind.READ:
        return [
            "+CPMS: "
            + ",".join(
                f'"{name}",{len(engine.stores[name].messages)},{engine.stores[name].capacity}'
                for name in engine.settings.storages
            )
        ]
    if command.kind is not Kind.SET:
        raise cms(OPERATION_NOT_ALLOWED)
    wanted = [name.upper() for name in command.arguments()]
    if not 1 <= len(wanted) <= 3 or any(name not in names for name in wanted):
        raise cms(OPERATION_NOT_ALLOWED)
    engine.settings.storages[: len(wanted)] = wanted
    return [
        "+CPMS: "
        + ",".join(
            f"{len(engine.stores[name].messages)},{engine.stores[name].capacity}"
            for name in engine.settings.storages
        )
    ]


@command("+CNMI")
def new_message_indications(engine: ModemEngine, command: Command) -> list[str] | None:
    if command.kind is Kind.READ:
        return ["+CNMI: " + ",".join(str(value) for value in engine.settings.cnmi)]
    if command.kind is Kind.TEST:
        return ["+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"]
    values = command.arguments()
    limits = (range(3), range(4), range(4), range(3), range(2))
    if command.kind is not Kind.SET or len(values) > 5:
        raise cms(OPERATION_NOT_ALLOWED)
    current = list(engine.settings.cnmi)
    for position, value in enumerate(values):
        if value:
            current[position] = integer(value, limits[position], cms(OPERATION_NOT_ALLOWED))
    engine.settings.cnmi = tuple(current)  # type: ignore[assignment]
    return None


# -- sending -------------------------------------------------------------------------------


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
        raw = bytes.fromhex(pdu_hex)
    except ValueError:
        raise cms(INVALID_PDU) from None
    if not raw or len(raw) - 1 - raw[0] != length:
        raise cms(INVALID_PDU)
    return pdu_hex.upper()


def _pdu_from_text(engine: ModemEngine, number: str, raw: str) -> str:
    text = charset.decode(raw.encode("latin-1"), engine.settings.charset)
    parts = pdus.encode_submit(number, text, status_report=False)
    if len(parts) != 1:
        raise cms(INVALID_TEXT)  # text mode sends one SMS; longer needs PDU mode
    return parts[0].hex


def _typed_number(engine: ModemEngine, typed: str) -> str:
    """A number the client wrote in the current AT+CSCS."""
    return charset.decode(typed.encode("latin-1"), engine.settings.charset)


def _network_ready(engine: ModemEngine) -> None:
    require_sim(engine, sms=True)
    if engine.network.registration not in (1, 5):
        raise cms(331)


@command("+CMGS")
def send_message(engine: ModemEngine, command: Command) -> None:
    _network_ready(engine)
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
    store = _store(engine, 1)
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
    _network_ready(engine)
    values = command.arguments()
    store = _store(engine, 1)
    index = integer(values[0] if values else "", range(1, store.capacity + 1), cms(INVALID_INDEX))
    stored = store.messages.get(index)
    if stored is None:
        raise cms(INVALID_INDEX)
    pdu_hex = stored.pdu
    if len(values) > 1 and values[1]:
        decoded = pdus.decode(pdu_hex)
        pdu_hex = pdus.encode_submit(values[1], decoded["Text"], status_report=False)[0].hex
    reference = _submit_pdu(engine, pdu_hex)
    stored.status = MessageStatus.STO_SENT
    return [f"+CMSS: {reference}"]


# -- reading and deleting ---------------------------------------------------------------------


def _with_data(header: str, data: str | bytes) -> bytes:
    """A header and its data line: one CR LF between them, not a framed line each."""
    raw = data.encode("latin-1") if isinstance(data, str) else data
    return header.encode("latin-1") + b"\r\n" + raw


def _number(engine: ModemEngine, number: str) -> str:
    """A number as the current AT+CSCS writes it (UCS2: in hex)."""
    return charset.encode(number, engine.settings.charset).decode("latin-1")


def _read_entry(
    engine: ModemEngine, prefix: str, index: int | None, stored: StoredMessage
) -> bytes:
    """One stored message, header and data, in the current mode."""
    head = f"{prefix}: " + (f"{index}," if index is not None else "")
    if not engine.settings.text_mode:
        return _with_data(f"{head}{int(stored.status)},,{_pdu_length(stored.pdu)}", stored.pdu)
    decoded = pdus.decode(stored.pdu)
    number = _number(engine, decoded["Number"] or "")
    when = _timestamp(decoded.get("DateTime")) if stored.status <= MessageStatus.REC_READ else ""
    header = f'{head}"{stored.status.text}","{number}",,' + (f'"{when}"' if when else "")
    return _with_data(header.rstrip(","), _text_data(engine, decoded))


@command("+CMGR")
def read_message(engine: ModemEngine, command: Command) -> list:
    require_sim(engine, sms=True)
    store = _store(engine, 0)
    values = command.arguments() if command.kind is Kind.SET else []
    index = integer(values[0] if values else "", range(1, store.capacity + 1), cms(INVALID_INDEX))
    stored = store.messages.get(index)
    if stored is None:
        raise cms(INVALID_INDEX)
    lines = [_read_entry(engine, "+CMGR", None, stored)]
    if stored.status == MessageStatus.REC_UNREAD:
        stored.status = MessageStatus.REC_READ
    return lines


def _wanted_statuses(engine: ModemEngine, command: Command) -> set[MessageStatus]:
    values = command.arguments() if command.kind is Kind.SET else []
    if engine.settings.text_mode:
        wanted = values[0].upper() if values else "REC UNREAD"
        if wanted == ALL_TEXT:
            return set(MessageStatus)
        if wanted not in TEXT_STATUSES:
            raise cms(INVALID_TEXT)
        return {TEXT_STATUSES[wanted]}
    wanted_number = integer(values[0], range(5), cms(INVALID_PDU)) if values else 0
    return set(MessageStatus) if wanted_number == ALL_NUMERIC else {MessageStatus(wanted_number)}


@command("+CMGL")
def list_messages(engine: ModemEngine, command: Command) -> list:
    require_sim(engine, sms=True)
    if command.kind is Kind.TEST:
        if engine.settings.text_mode:
            return ['+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")']
        return ["+CMGL: (0-4)"]
    wanted = _wanted_statuses(engine, command)
    store = _store(engine, 0)
    lines: list = []
    for index in sorted(store.messages):
        stored = store.messages[index]
        if stored.status in wanted:
            lines.append(_read_entry(engine, "+CMGL", index, stored))
            if stored.status == MessageStatus.REC_UNREAD:
                stored.status = MessageStatus.REC_READ
    return lines


# <delflag> of AT+CMGD: which statuses go, beside the index given.
DELETE_FLAGS = {
    1: {MessageStatus.REC_READ},
    2: {MessageStatus.REC_READ, MessageStatus.STO_SENT},
    3: {MessageStatus.REC_READ, MessageStatus.STO_SENT, MessageStatus.STO_UNSENT},
    4: set(MessageStatus),
}


@command("+CMGD")
def delete_message(engine: ModemEngine, command: Command) -> list[str] | None:
    require_sim(engine, sms=True)
    store = _store(engine, 0)
    if command.kind is Kind.TEST:
        return [f"+CMGD: ({','.join(map(str, sorted(store.messages)))}),(0-4)"]
    values = command.arguments() if command.kind is Kind.SET else []
    flag = (
        integer(values[1], range(5), cms(OPERATION_NOT_ALLOWED))
        if len(values) > 1 and values[1]
        else 0
    )
    if flag:
        for index, stored in list(store.messages.items()):
            if stored.status in DELETE_FLAGS[flag]:
                del store.messages[index]
        return None
    index = integer(values[0] if values else "", range(1, store.capacity + 1), cms(INVALID_INDEX))
    if store.messages.pop(index, None) is None:
        raise cms(INVALID_INDEX)
    return None


# -- from the network ---------------------------------------------------------------------------


def deliver_to_client(engine: ModemEngine, pdu_hex: str) -> bool:
    """Route an incoming SMS as AT+CNMI says; False when it must wait on the network."""
    if engine.sim.state != "READY":
        return False
    mode, mt = engine.settings.cnmi[0], engine.settings.cnmi[1]
    if mt == 2 and mode != 0:
        _urc_with_data(engine, "+CMT", pdu_hex)
        return True
    storage = engine.settings.storages[2]
    store = engine.stores[storage]
    index = store.add(MessageStatus.REC_UNREAD, pdu_hex)
    if index is None:
        return False
    if mt in (1, 3) and mode != 0:
        engine.urc(f'+CMTI: "{storage}",{index}')
    if store.full and engine.profile.memory_full_urc:
        engine.urc(engine.profile.memory_full_urc.format(storage=storage))
    return True


def _urc_with_data(engine: ModemEngine, prefix: str, pdu_hex: str) -> None:
    if engine.settings.text_mode:
        decoded = pdus.decode(pdu_hex)
        header = f'{prefix}: "{_number(engine, decoded["Number"])}",,'
        engine.urc(
            _with_data(
                header + f'"{_timestamp(decoded.get("DateTime"))}"', _text_data(engine, decoded)
            )
        )
    else:
        engine.urc(_with_data(f"{prefix}: ,{_pdu_length(pdu_hex)}", pdu_hex))


def deliver_report(engine: ModemEngine, pdu_hex: str) -> None:
    """A status report from the network, routed by <ds> of AT+CNMI."""
    ds = engine.settings.cnmi[3]
    if ds == 1:
        engine.urc(_with_data(f"+CDS: {_pdu_length(pdu_hex)}", pdu_hex))
    elif ds == 2:
        index = engine.stores["SR"].add(MessageStatus.REC_UNREAD, pdu_hex)
        if index is not None:
            engine.urc(f'+CDSI: "SR",{index}')
    else:
        engine.on_event("status report not routed (AT+CNMI <ds> is 0)")
