"""The AT driver: what the daemon asks of a modem (`modem.drivers.contract`), in
AT commands over a serial port."""

from __future__ import annotations

import logging
from collections.abc import Callable

import serial

from modem import pdu as pdus
from modem.at import (
    first_with,
    is_boot_line,
    parse_cmgl,
    parse_cmgr,
    parse_cmti,
)
from modem.channel import ATChannel, Port
from modem.drivers.at_status import StatusReader
from modem.drivers.contract import (
    DriverSettings,
    ModemEvent,
    ModemStatus,
    NewMessage,
    PduRequest,
    Restarted,
    StoredSms,
)
from modem.drivers.device import cannot_open
from modem.drivers.parts import split_into_pdus
from modem.drivers.pin import PinGuard
from modem.errors import ModemError, NoAnswer
from modem.reports import read_status_report
from modem.ringing import CALL_LINES, CallTracker

log = logging.getLogger(__name__)

ALL_MESSAGES = 4
# Store incoming SMS and announce them with +CMTI: a message is on the SIM
# before we are told, so a crash between the two cannot lose it. Status reports
# come straight to us with +CDS (<ds> 1): one lost while the daemon is down
# leaves its message `sent`, which is true.
NEW_MESSAGE_INDICATIONS = "2,1,0,{ds},0"
PIN_TIMEOUT = 20


class ATDriver(PinGuard):
    def __init__(self, settings: DriverSettings, *, open_port: Callable[..., Port] = serial.Serial):
        super().__init__(settings.pin)
        self.settings = settings
        self.device = settings.device
        self._open_port = open_port
        self._indications = NEW_MESSAGE_INDICATIONS.format(ds=1 if settings.status_reports else 0)
        self._channel: ATChannel | None = None
        self._calls = CallTracker()
        self._status = StatusReader(lambda: self.channel, self.device)
        # False while the modem refuses every AT+CNMI: the worker then polls its storage.
        self.announces_new_messages = True

    @property
    def channel(self) -> ATChannel:
        if self._channel is None:
            raise ModemError("the modem is not connected")
        return self._channel

    def connect(self) -> None:
        try:
            port = self._open_port(self.device, self.settings.baudrate, timeout=0.2)
        except serial.SerialException as error:
            raise cannot_open(self.device, error) from error
        self._channel = ATChannel(port)
        self._status.forget()
        self.channel.resynchronise()
        self.reinitialise()

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None

    def reinitialise(self) -> None:
        """Our settings, after a connect or a modem that restarted by itself."""
        self.channel.command("ATE0")
        self.channel.command("AT+CMEE=1")
        self._unlock_sim()
        self.channel.command("AT+CMGF=0")
        self.channel.command('AT+CPMS="SM","SM","SM"', expect="+CPMS:")
        self._ask_for_indications()
        self._optional("AT+CLIP=1", "calls are logged without number")
        # The operator's name as staff know it, not its numeric code (TS 27.007 §7.3).
        self._optional("AT+COPS=3,0", "the operator may show as a number")
        # TS 27.005 §3.5.6: <n> 2 keeps the relay link open from one submission to the
        # next while they follow within 1-5 s, closing it after without resetting <n>:
        # set once, it serves every batch, where <n> 1 would fall back to 0 after one.
        self._optional("AT+CMMS=2", "each SMS opens its own link to the network")

    def _ask_for_indications(self) -> None:
        try:
            self._try_indications()
        except NoAnswer:
            raise
        except ModemError as error:
            # Messages still arrive in the storage: the worker sweeps it often instead.
            log.warning(
                "the modem at %s refuses to announce new SMS (%s): its storage is polled instead",
                self.device,
                error,
            )
            self.announces_new_messages = False
            return
        self.announces_new_messages = True

    def _try_indications(self) -> None:
        try:
            self.channel.command(f"AT+CNMI={self._indications}")
        except NoAnswer:
            raise
        except ModemError as error:
            without_reports = NEW_MESSAGE_INDICATIONS.format(ds=0)
            if self._indications == without_reports:
                raise
            # Some modems route reports only to their storage, or not at all: new
            # SMS matter more than reports, which then leave their messages `sent`.
            log.warning(
                "the modem at %s refuses to pass on delivery reports (%s): going without",
                self.device,
                error,
            )
            self._indications = without_reports
            self.channel.command(f"AT+CNMI={self._indications}")

    def _optional(self, command: str, without: str) -> None:
        """A setting some modems refuse: the daemon works without it."""
        try:
            self.channel.command(command)
        except NoAnswer:
            raise
        except ModemError as error:
            log.warning("the modem at %s refused %s (%s): %s", self.device, command, error, without)

    def settings_lost(self) -> bool:
        """Whether the modem forgot to announce new SMS, as after a silent restart."""
        if not self.announces_new_messages:
            # Nothing to compare with; a restart still shows by its boot lines, or by
            # the storage polls failing on a SIM that asks for its PIN again.
            return False
        answer = self.channel.command("AT+CNMI?", expect="+CNMI:")
        current = first_with(answer, "+CNMI:", "AT+CNMI?").split(":", 1)[1]
        wanted = self._indications.split(",")[:2]
        return [field.strip() for field in current.split(",")[:2]] != wanted

    def _unlock_sim(self) -> None:
        answer = self.channel.command("AT+CPIN?", expect="+CPIN:")
        state = first_with(answer, "+CPIN:", "AT+CPIN?").split(":", 1)[1].strip()
        self._unlock(state, self._send_pin)

    def _send_pin(self, pin: str) -> None:
        self.channel.command(f'AT+CPIN="{pin}"', timeout=PIN_TIMEOUT)

    def split(self, number: str, text: str, request: PduRequest) -> list[str]:
        return split_into_pdus(self.settings, number, text, request)

    def submit(self, part: str, before_handover: Callable[[], None]) -> int | None:
        return self.channel.submit_pdu(
            part, pdus.tpdu_length(part), before_handover=before_handover
        )

    def stored_messages(self) -> list[StoredSms]:
        return parse_cmgl(self.channel.command(f"AT+CMGL={ALL_MESSAGES}", expect="+CMGL:"))

    def read_message(self, index: int) -> StoredSms | None:
        return parse_cmgr(self.channel.command(f"AT+CMGR={index}", expect="+CMGR:"), index)

    def delete_message(self, index: int) -> None:
        self.channel.command(f"AT+CMGD={index}")

    def status(self) -> ModemStatus:
        return self._status.status()

    def hang_up(self) -> None:
        # AT+CHUP (3GPP TS 27.007 §6.5) ends a ringing call on the modems we know; ATH
        # (V.250) is older, and some modems only hang up a data call with it.
        try:
            self.channel.command("AT+CHUP")
        except NoAnswer:
            raise
        except ModemError:
            self.channel.command("ATH")

    def wake(self) -> None:
        channel = self._channel
        if channel is not None:  # not connected: the worker looks at the queue once it is
            channel.wake()

    def events(self, timeout: float) -> list[ModemEvent]:
        """What the modem announced; lines this driver does not act on yet are dropped,
        and so is a garbled +CMTI (the storage sweep finds its message)."""
        events: list[ModemEvent] = []
        for line in self.channel.poll_urcs(timeout):
            if is_boot_line(line):
                events.append(Restarted(line))
            elif line.startswith("+CMTI:"):
                try:
                    events.append(NewMessage(*parse_cmti(line)))
                except ModemError:
                    log.warning("unreadable new-message indication: %r", line)
            elif line.startswith("+CDS:"):
                try:
                    events.append(read_status_report(line.partition("\n")[2]))
                except pdus.PduError as error:
                    log.warning("unreadable status report %r: %s", line, error)
            elif line.startswith(CALL_LINES):
                events += self._calls.feed(line)
        return events + self._calls.tick()
