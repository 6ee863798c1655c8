"""The AT commands of the simulated modem, one module per family.

Each handler takes the engine and the parsed command, returns the information
lines to answer, and raises CommandError to answer an error instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from modem.sim.errors import INCORRECT_PARAMETERS, CommandError, cme
from modem.sim.parser import Command, Kind

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine

Handler = Callable[["ModemEngine", Command], list[str] | None]
COMMANDS: dict[str, Handler] = {}
# Vendor commands that answer only on the profiles listing them in `extra_commands`.
PROFILE_ONLY: set[str] = set()


def command(*names: str, profile_only: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            COMMANDS[name] = handler
            if profile_only:
                PROFILE_ONLY.add(name)
        return handler

    return register


def integer(value: str, allowed: range, error: CommandError | None = None) -> int:
    """A numeric parameter within `allowed`, else the error a modem gives for it."""
    if not value.strip().isdigit() or int(value) not in allowed:
        raise error or cme(INCORRECT_PARAMETERS)
    return int(value)


def setting(
    engine: ModemEngine, command: Command, name: str, allowed: range, test: str
) -> list[str] | None:
    """The common shape of AT+X=<n>, AT+X? and AT+X=? for one numeric setting."""
    if command.kind is Kind.READ:
        return [f"{command.name}: {getattr(engine.settings, name):d}"]
    if command.kind is Kind.TEST:
        return [f"{command.name}: {test}"]
    if command.kind is Kind.SET:
        value = integer(command.arguments()[0] if command.argument else "", allowed)
        setattr(engine.settings, name, type(getattr(engine.settings, name))(value))
        return None
    raise cme(INCORRECT_PARAMETERS)


# Registration happens on import.
from modem.sim.commands import (  # noqa: E402, F401
    calls,
    general,
    sms_reading,
    sms_sending,
    sms_settings,
    ussd,
    vendor,
)
