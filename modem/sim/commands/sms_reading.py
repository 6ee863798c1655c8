"""Reading and deleting stored messages: AT+CMGR, AT+CMGL and AT+CMGD."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modem.sim.commands import command, integer
from modem.sim.commands.general import require_sim
from modem.sim.commands.sms_format import (
    INVALID_INDEX,
    INVALID_PDU,
    INVALID_TEXT,
    OPERATION_NOT_ALLOWED,
    entry,
    preferred_store,
)
from modem.sim.commands.sms_sending import TEXT_STATUSES
from modem.sim.errors import cms
from modem.sim.parser import Command, Kind
from modem.sim.state import MessageStatus

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine

ALL_TEXT = "ALL"
ALL_NUMERIC = 4


@command("+CMGR")
def read_message(engine: ModemEngine, command: Command) -> list:
    require_sim(engine, sms=True)
    store = preferred_store(engine, 0)
    values = command.arguments() if command.kind is Kind.SET else []
    index = integer(values[0] if values else "", range(1, store.capacity + 1), cms(INVALID_INDEX))
    stored = store.messages.get(index)
    if stored is None:
        raise cms(INVALID_INDEX)
    lines = [entry(engine, "+CMGR", None, stored)]
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
    store = preferred_store(engine, 0)
    lines: list = []
    for index in sorted(store.messages):
        stored = store.messages[index]
        if stored.status in wanted:
            lines.append(entry(engine, "+CMGL", index, stored))
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
    store = preferred_store(engine, 0)
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
