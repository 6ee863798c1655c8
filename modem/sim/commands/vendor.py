"""Vendor commands that only their family answers (see each profile's `extra_commands`);
on another profile the engine answers them as an unknown command. Sources: profiles.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modem.sim.commands import command, setting
from modem.sim.errors import INCORRECT_PARAMETERS, cme
from modem.sim.parser import Command, Kind

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine


@command("^CURC", profile_only=True)
def periodic_reports(engine: ModemEngine, command: Command) -> list[str] | None:
    """Huawei: AT^CURC=0 stops the ^RSSI/^BOOT/^MODE lines, AT^CURC=1 starts them."""
    return setting(engine, command, "periodic_urcs", range(2), "(0,1)")


@command("^PORTSEL", profile_only=True)
def urc_port(engine: ModemEngine, command: Command) -> list[str] | None:
    """Huawei: which of the stick's ports gets unsolicited lines (0 modem, 1 PC UI)."""
    return setting(engine, command, "urc_port", range(2), "(0-1)")


def _iccid(prefix: str):
    def answer(engine: ModemEngine, command: Command) -> list[str]:
        if command.kind is Kind.TEST:
            return []
        if command.kind is not Kind.EXECUTE:
            raise cme(INCORRECT_PARAMETERS)
        return [f"{prefix}: {engine.sim.iccid}"]

    return answer


command("+QCCID", profile_only=True)(_iccid("+QCCID"))  # Quectel
command("+CICCID", profile_only=True)(_iccid("+ICCID"))  # SIMCom SIM7600
