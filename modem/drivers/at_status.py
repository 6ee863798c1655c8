"""What an AT modem says of itself (`ModemStatus`), for the staff's screens.

Modems differ in what they answer: a command refused (ERROR, +CME ERROR, Huawei's
COMMAND NOT SUPPORT) or answered with garbage leaves its field None, logged once per
connect. No answer at all still raises NoAnswer: the modem is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from modem.at import (
    first_with,
    parse_cnum,
    parse_cops,
    parse_cpms,
    parse_creg,
    parse_csq,
    parse_identity,
)
from modem.channel import ATChannel
from modem.drivers.contract import ModemStatus
from modem.errors import ModemError, NoAnswer

log = logging.getLogger(__name__)

Value = TypeVar("Value")

# AT+CCID is TS 27.007's; Quectel (EC25 AT manual, AT+QCCID) and SIMCom's LTE modules
# (SIM7500/SIM7600 AT manual §4.3, AT+CICCID) have their own, tried when it is refused.
ICCID_COMMANDS = ("AT+CCID", "AT+QCCID", "AT+CICCID")


@dataclass(frozen=True)
class Identity:
    """What does not change while the modem stays connected."""

    imei: str | None
    imsi: str | None
    iccid: str | None
    own_number: str | None


class StatusReader:
    """Asks one connected modem for its status; `forget` at each connect."""

    def __init__(self, channel: Callable[[], ATChannel], device: str):
        self._channel = channel
        self.device = device
        self._identity: Identity | None = None
        self._told: set[str] = set()

    def forget(self) -> None:
        """A new connect: the SIM may have been changed, refusals are told again."""
        self._identity = None
        self._told.clear()

    def status(self) -> ModemStatus:
        if self._identity is None:
            self._identity = self._read_identity()
        signal = self._tolerated("signal", lambda: self._line("AT+CSQ", "+CSQ:", parse_csq))
        registration = self._tolerated(
            "registration", lambda: self._line("AT+CREG?", "+CREG:", parse_creg)
        )
        operator = self._tolerated("operator", lambda: self._line("AT+COPS?", "+COPS:", parse_cops))
        used, total = self._tolerated(
            "storage", lambda: self._line("AT+CPMS?", "+CPMS:", parse_cpms)
        ) or (None, None)
        return ModemStatus(
            signal=signal,
            registration=registration,
            operator=operator,
            storage_used=used,
            storage_total=total,
            imei=self._identity.imei,
            imsi=self._identity.imsi,
            iccid=self._identity.iccid,
            own_number=self._identity.own_number,
        )

    def _read_identity(self) -> Identity:
        return Identity(
            imei=self._tolerated("IMEI", lambda: self._number_of("AT+CGSN")),
            imsi=self._tolerated("IMSI", lambda: self._number_of("AT+CIMI")),
            iccid=self._tolerated("ICCID", self._iccid),
            own_number=self._tolerated(
                "own number", lambda: parse_cnum(self._channel().command("AT+CNUM"))
            ),
        )

    def _number_of(self, command: str) -> str:
        return parse_identity(self._channel().command(command), command)

    def _iccid(self) -> str:
        refusals = []
        for command in ICCID_COMMANDS:
            try:
                return self._number_of(command)
            except NoAnswer:
                raise
            except ModemError as error:
                refusals.append(str(error))
        raise ModemError("; ".join(refusals))

    def _line(self, command: str, prefix: str, parse: Callable[[str], Value]) -> Value:
        """The answer line of `command` starting with `prefix`, parsed."""
        return parse(first_with(self._channel().command(command, expect=prefix), prefix, command))

    def _tolerated(self, field: str, read: Callable[[], Value]) -> Value | None:
        try:
            return read()
        except NoAnswer:
            raise
        except ModemError as error:
            if field not in self._told:
                self._told.add(field)
                log.info("the modem at %s does not tell its %s: %s", self.device, field, error)
            return None
