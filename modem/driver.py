"""The AT driver: what the daemon asks of a modem, in AT commands.

Drivers share this small interface so that `[[modem]] driver = ...` can choose
another one (python-gammu's StateMachine) for modems this one does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import serial

from modem.at import (
    ModemError,
    StoredSms,
    first_with,
    parse_cmgl,
    parse_cmgr,
    parse_cmti,
    parse_csq,
)
from modem.channel import ATChannel
from modem.pdu import SubmitPdu

ALL_MESSAGES = 4
SYNC_ATTEMPTS = 3


@dataclass(frozen=True)
class NewMessage:
    storage: str
    index: int


class ModemDriver(Protocol):
    def connect(self) -> None: ...
    def close(self) -> None: ...
    def submit(self, pdu: SubmitPdu) -> int: ...
    def stored_messages(self) -> list[StoredSms]: ...
    def read_message(self, index: int) -> StoredSms | None: ...
    def delete_message(self, index: int) -> None: ...
    def signal_quality(self) -> int | None: ...
    def events(self, timeout: float) -> list[NewMessage]: ...


class ATDriver:
    def __init__(self, device: str, baudrate: int = 115200, pin: str = ""):
        self.device = device
        self.baudrate = baudrate
        self.pin = pin
        self._channel: ATChannel | None = None

    @property
    def channel(self) -> ATChannel:
        if self._channel is None:
            raise ModemError("the modem is not connected")
        return self._channel

    def connect(self) -> None:
        try:
            port = serial.Serial(self.device, self.baudrate, timeout=0.2)
        except serial.SerialException as error:
            raise ModemError(f"cannot open {self.device}: {error}") from error
        self._channel = ATChannel(port)
        self._initialise()

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None

    def _sync(self) -> None:
        # A modem just plugged in, or left at a '> ' prompt, may miss the first AT.
        for attempt in range(SYNC_ATTEMPTS):
            try:
                self.channel.command("AT", timeout=2)
                return
            except ModemError:
                if attempt == SYNC_ATTEMPTS - 1:
                    raise
                self.channel.write_raw(b"\x1b\r")

    def _initialise(self) -> None:
        self._sync()
        self.channel.command("ATE0")
        self.channel.command("AT+CMEE=1")
        self._unlock_sim()
        self.channel.command("AT+CMGF=0")
        self.channel.command('AT+CPMS="SM","SM","SM"', expect="+CPMS:")
        # Store incoming SMS and announce them with +CMTI: a message is on the SIM
        # before we are told, so a crash between the two cannot lose it.
        self.channel.command("AT+CNMI=2,1,0,0,0")

    def _unlock_sim(self) -> None:
        answer = self.channel.command("AT+CPIN?", expect="+CPIN:")
        state = first_with(answer, "+CPIN:", "AT+CPIN?").split(":", 1)[1].strip()
        if state == "READY":
            return
        if state != "SIM PIN":
            raise ModemError(f"the SIM is not usable: {state or 'no answer'}", permanent=True)
        if not self.pin:
            raise ModemError(
                "the SIM asks for a PIN: set pin in this [[modem]] section", permanent=True
            )
        self.channel.command(f'AT+CPIN="{self.pin}"', timeout=20)

    def submit(self, pdu: SubmitPdu) -> int:
        return self.channel.submit_pdu(pdu.hex, pdu.tpdu_length)

    def stored_messages(self) -> list[StoredSms]:
        return parse_cmgl(self.channel.command(f"AT+CMGL={ALL_MESSAGES}", expect="+CMGL:"))

    def read_message(self, index: int) -> StoredSms | None:
        return parse_cmgr(self.channel.command(f"AT+CMGR={index}", expect="+CMGR:"), index)

    def delete_message(self, index: int) -> None:
        self.channel.command(f"AT+CMGD={index}")

    def signal_quality(self) -> int | None:
        return parse_csq(
            first_with(self.channel.command("AT+CSQ", expect="+CSQ:"), "+CSQ:", "AT+CSQ")
        )

    def events(self, timeout: float) -> list[NewMessage]:
        """What the modem announced; lines this driver does not act on yet are dropped."""
        return [
            NewMessage(*parse_cmti(line))
            for line in self.channel.poll_urcs(timeout)
            if line.startswith("+CMTI:")
        ]
