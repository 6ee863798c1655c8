"""The AT driver: what the daemon asks of a modem (`modem.drivers.contract`), in
AT commands over a serial port."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

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
    Hook,
    ModemEvent,
    ModemStatus,
    NewMessage,
    PduRequest,
    Restarted,
    StoredSms,
    no_hook,
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
# likewise where the modem has a storage for them (<ds> 2, +CDSI), else they come
# straight to us (<ds> 1, +CDS): one lost while the daemon is down leaves its
# message `sent`, which is true. Best first:
NEW_MESSAGE_INDICATIONS = "2,1,0,{ds},0"
FILED_REPORTS, PASSED_REPORTS, NO_REPORTS = 2, 1, 0
REPORT_STORAGE = "SR"
# A report in REPORT_STORAGE goes by a slot number above any SMS storage's index,
# as libgammu numbers its folders: the daemon's contract knows one numbering.
REPORT_SLOTS = 100_000
PIN_TIMEOUT = 20
# +CMS ERROR 321, "invalid memory index" (3GPP TS 27.005 §3.2.5): nothing is stored
# there. A +CMTI or +CDSI taken after a sweep read its message names such a slot,
# and that is no fault of the modem's.
EMPTY_SLOT = 321


class ATDriver(PinGuard):
    def __init__(self, settings: DriverSettings, *, open_port: Callable[..., Port] = serial.Serial):
        super().__init__(settings.pin)
        self.settings = settings
        self.device = settings.device
        self._open_port = open_port
        self._indications = NEW_MESSAGE_INDICATIONS.format(ds=NO_REPORTS)
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
        *better, last = self._report_routes()
        for ds in better:
            try:
                self._indicate(ds)
                return
            except NoAnswer:
                raise
            except ModemError as error:
                # Some modems route reports only one way, or not at all: new SMS
                # matter more than reports, which then leave their messages `sent`.
                log.warning(
                    "the modem at %s refuses AT+CNMI <ds> %d for delivery reports (%s)",
                    self.device,
                    ds,
                    error,
                )
        self._indicate(last)

    def _report_routes(self) -> list[int]:
        """The AT+CNMI <ds> values to try, best first."""
        if not self.settings.status_reports:
            return [NO_REPORTS]
        if self._offers_report_storage():
            return [FILED_REPORTS, PASSED_REPORTS, NO_REPORTS]
        return [PASSED_REPORTS, NO_REPORTS]

    def _offers_report_storage(self) -> bool:
        """Whether AT+CPMS=? lists REPORT_STORAGE among the storages to read from."""
        try:
            answer = self.channel.command("AT+CPMS=?", expect="+CPMS:")
        except NoAnswer:
            raise
        except ModemError:
            return False
        readable = first_with(answer, "+CPMS:", "AT+CPMS=?").partition(")")[0]
        return f'"{REPORT_STORAGE}"' in readable

    def _indicate(self, ds: int) -> None:
        self._indications = NEW_MESSAGE_INDICATIONS.format(ds=ds)
        self.channel.command(f"AT+CNMI={self._indications}")

    @property
    def _files_reports(self) -> bool:
        return self._indications == NEW_MESSAGE_INDICATIONS.format(ds=FILED_REPORTS)

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

    def submit(self, part: str, before_handover: Hook, meanwhile: Hook = no_hook) -> int | None:
        return self.channel.submit_pdu(
            part, pdus.tpdu_length(part), before_handover=before_handover, meanwhile=meanwhile
        )

    def stored_messages(self) -> list[StoredSms]:
        listed = parse_cmgl(self.channel.command(f"AT+CMGL={ALL_MESSAGES}", expect="+CMGL:"))
        if not self._files_reports:
            return listed
        with self._reading_reports():
            reports = parse_cmgl(self.channel.command(f"AT+CMGL={ALL_MESSAGES}", expect="+CMGL:"))
        return listed + [self._as_report(stored, stored.index) for stored in reports]

    def read_message(self, index: int) -> StoredSms | None:
        try:
            if index < REPORT_SLOTS:
                return parse_cmgr(self.channel.command(f"AT+CMGR={index}", expect="+CMGR:"), index)
            with self._reading_reports():
                answer = self.channel.command(f"AT+CMGR={index - REPORT_SLOTS}", expect="+CMGR:")
        except ModemError as error:
            if error.code == EMPTY_SLOT:
                return None
            raise
        stored = parse_cmgr(answer, index)
        return None if stored is None else self._as_report(stored, index - REPORT_SLOTS)

    def delete_message(self, index: int) -> None:
        try:
            if index < REPORT_SLOTS:
                self.channel.command(f"AT+CMGD={index}")
                return
            with self._reading_reports():
                self.channel.command(f"AT+CMGD={index - REPORT_SLOTS}")
        except ModemError as error:
            if error.code != EMPTY_SLOT:
                raise

    @contextmanager
    def _reading_reports(self) -> Iterator[None]:
        """AT+CMGR, AT+CMGL and AT+CMGD in REPORT_STORAGE, then in the SIM's again."""
        self.channel.command(f'AT+CPMS="{REPORT_STORAGE}"', expect="+CPMS:")
        try:
            yield
        finally:
            self.channel.command('AT+CPMS="SM"', expect="+CPMS:")

    @staticmethod
    def _as_report(stored: StoredSms, index_there: int) -> StoredSms:
        return replace(stored, index=REPORT_SLOTS + index_there, storage=REPORT_STORAGE)

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
            elif line.startswith("+CDSI:"):
                try:
                    storage, index = parse_cmti(line, "+CDSI:")
                except ModemError:
                    log.warning("unreadable report indication: %r", line)
                    continue
                slot = REPORT_SLOTS + index if storage == REPORT_STORAGE else index
                events.append(NewMessage(storage, slot))
            elif line.startswith("+CDS:"):
                try:
                    events.append(read_status_report(line.partition("\n")[2]))
                except pdus.PduError as error:
                    log.warning("unreadable status report %r: %s", line, error)
            elif line.startswith(CALL_LINES):
                events += self._calls.feed(line)
        return events + self._calls.tick()
