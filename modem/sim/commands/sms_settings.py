"""SMS settings of TS 27.005: format, service, centre, storages, new-message indications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modem.sim.commands import command, integer, setting
from modem.sim.commands.general import require_sim
from modem.sim.commands.sms_format import INVALID_TEXT, OPERATION_NOT_ALLOWED
from modem.sim.errors import cms
from modem.sim.parser import Command, Kind

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine


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
    # Status reports (AT+CNMI <ds> 2) are read and deleted from "SR", as <mem1> only:
    # no SMS is written or received there (Huawei's and Quectel's manuals list it so).
    readable = list(engine.stores)
    names = [name for name in readable if name != "SR"]
    if command.kind is Kind.TEST:
        first, other = (
            "(" + ",".join(f'"{name}"' for name in choice) + ")" for choice in (readable, names)
        )
        return [f"+CPMS: {first},{other},{other}"]
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
    if (
        not 1 <= len(wanted) <= 3
        or wanted[0] not in readable
        or any(name not in names for name in wanted[1:])
    ):
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


@command("+CMMS")
def more_messages(engine: ModemEngine, command: Command) -> list[str] | None:
    """TS 27.005 §3.5.6: keep the relay link open between consecutive messages.

    The simulated network has no link to keep: the setting is remembered and told as
    an event, so that a transcript shows the client asked for it."""
    answer = setting(engine, command, "more_messages", range(3), "(0-2)")
    if command.kind is Kind.SET:
        engine.on_event(f"relay link: AT+CMMS={engine.settings.more_messages}")
    return answer
