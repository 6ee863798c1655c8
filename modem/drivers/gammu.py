"""The gammu driver: what the daemon asks of a modem (`modem.drivers.contract`), through
python-gammu's StateMachine, for phones and modems our AT driver does not know.

libgammu speaks to the modem; this driver keeps the daemon's rules around it. The
part is committed `sending` before SendSMS, which waits for the prompt and writes the
PDU in one call: from then on a lost answer is an unknown outcome, even when the
prompt itself never came (the call does not say which).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gammu

from modem import pdu as pdus
from modem import pdu_encoding
from modem.drivers.contract import (
    DriverSettings,
    Hook,
    ModemEvent,
    ModemStatus,
    NewMessage,
    PduRequest,
    StoredSms,
    no_hook,
)
from modem.drivers.device import cannot_open
from modem.drivers.gammu_terms import (
    MESSAGE_STATES,
    REFUSALS,
    REGISTRATIONS,
    SIM_STATES,
    memory_of,
    modem_error,
    reason,
    signal_of,
    slot_of,
)
from modem.drivers.parts import split_into_pdus
from modem.drivers.pin import READY, PinGuard
from modem.errors import ModemError, NoAnswer, PortError, SubmitOutcomeUnknown
from modem.reports import report_from
from modem.ringing import CallTracker

log = logging.getLogger(__name__)

# Only a gammurc file sets libgammu's AT+CNMI (SetConfig knows no such key): +CMTI for
# new SMS, so that they are on the SIM before we hear of them, and +CDS for reports
# (<ds> 1), which libgammu hands over decoded (with <ds> 2 it would read the report's
# slot as an SMS one).
GAMMURC = """[gammu]
device = {device}
connection = at{baudrate}
atgen_setcnmi = 2,1,0,{ds},0
"""
# libgammu hands its callbacks over one of each kind per call: the queue is drained
# with calls that wait for nothing, this far apart while the modem says nothing.
POLL_INTERVAL = 0.02


class GammuDriver(PinGuard):
    def __init__(self, settings: DriverSettings):
        super().__init__(settings.pin)
        self.settings = settings
        self._machine: gammu.StateMachine | None = None
        self._smsc: str | None = None
        self._indications_on = False
        # False while the modem refuses to announce new SMS: the worker then polls.
        self.announces_new_messages = True
        self._incoming: list[tuple[str, dict]] = []
        self._woken = threading.Event()
        self._calls = CallTracker()

    @property
    def machine(self) -> gammu.StateMachine:
        if self._machine is None:
            raise ModemError("the modem is not connected")
        return self._machine

    def _ask(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One python-gammu call, its errors ours."""
        try:
            return function(*args, **kwargs)
        except gammu.GSMError as error:
            raise modem_error(error) from error

    # -- life cycle -------------------------------------------------------------

    def connect(self) -> None:
        machine = gammu.StateMachine()
        with tempfile.TemporaryDirectory(prefix="smsbox-gammu-") as folder:
            config = Path(folder, "gammurc")
            config.write_text(
                GAMMURC.format(
                    device=self.settings.device,
                    baudrate=self.settings.baudrate,
                    ds=1 if self.settings.status_reports else 0,
                )
            )
            machine.ReadConfig(0, 0, str(config))
        try:
            self._ask(machine.Init)
        except ModemError as error:
            raise cannot_open(self.settings.device, error) from error
        incoming = self._incoming
        # Called inside python-gammu's calls, which it may not call back.
        machine.SetIncomingCallback(lambda _machine, kind, data: incoming.append((kind, data)))
        self._machine = machine
        self._indications_on = False
        self.reinitialise()

    def close(self) -> None:
        machine, self._machine = self._machine, None
        if machine is not None:
            try:
                # python-gammu frees its queue of callbacks twice (glibc aborts the
                # daemon) when a session ends with calls in it: they are taken first.
                self._drain(machine)
                self._incoming.clear()
                machine.Terminate()
            except gammu.GSMError as error:  # a port already gone: nothing left to close
                log.debug("closing %s: %s", self.settings.device, error)

    def reinitialise(self) -> None:
        self._unlock(self._sim_state(), self._send_pin)
        self._smsc = self._smsc_number()
        self._ask_for_indications()
        self._ask_for_calls()

    def _sim_state(self) -> str:
        state = self._ask(self.machine.GetSecurityStatus)
        return SIM_STATES.get(state, f"it asks for {state}")

    def _send_pin(self, pin: str) -> None:
        # Modems announce the open SIM with lines libgammu does not know (SIM800:
        # +CPIN: READY, Call Ready, SMS Ready): it takes them for the start of the next
        # answer, which then times out once; the worker reconnects and goes on.
        self._ask(self.machine.EnterSecurityCode, "PIN", pin)

    def _smsc_number(self) -> str | None:
        """The SIM's service centre, written into each SMS: libgammu sends none without
        one, and when it looks it up itself it also replaces our validity period."""
        try:
            return self._ask(self.machine.GetSMSC, Location=1)["Number"] or None
        except NoAnswer:
            raise
        except ModemError as error:
            log.warning(
                "the modem at %s does not say its SMS centre (%s): libgammu will ask at each "
                "SMS, which then goes with the modem's validity period",
                self.settings.device,
                error,
            )
            return None

    def _ask_for_indications(self) -> None:
        try:
            # libgammu sends AT+CNMI only when the setting changes: off first, to say it
            # again.
            if self._indications_on:
                self._ask(self.machine.SetIncomingSMS, False)
            self._ask(self.machine.SetIncomingSMS, True)
        except NoAnswer:
            raise
        except ModemError as error:
            # Messages still arrive in the storage: the worker sweeps it often instead.
            log.warning(
                "the modem at %s refuses to announce new SMS (%s): its storage is polled instead",
                self.settings.device,
                error,
            )
            self.announces_new_messages = False
            return
        self._indications_on = True
        self.announces_new_messages = True

    def _ask_for_calls(self) -> None:
        try:
            self._ask(self.machine.SetIncomingCall, True)
        except NoAnswer:
            raise
        except ModemError as error:
            log.warning("the modem refused call indications (%s): calls are not logged", error)

    def settings_lost(self) -> bool:
        """Whether the modem restarted, as far as libgammu lets us see: it hides the boot
        lines and cannot read AT+CNMI back, so a SIM asking for its PIN again is the
        sign, and the indications are given again at every check."""
        if self._sim_state() != READY:
            return True
        self._ask_for_indications()
        self._ask_for_calls()
        return False

    # -- sending ----------------------------------------------------------------

    def split(self, number: str, text: str, request: PduRequest) -> list[str]:
        return split_into_pdus(self.settings, number, text, request)

    def submit(self, part: str, before_handover: Hook, meanwhile: Hook = no_hook) -> int | None:
        sms = self._outgoing(part)
        before_handover()
        try:
            reference = self.machine.SendSMS(sms)
        except REFUSALS as error:
            raise modem_error(error) from error
        except gammu.GSMError as error:
            raise SubmitOutcomeUnknown(f"SendSMS: {reason(error)}") from error
        meanwhile()  # SendSMS waits for the answer itself: nothing to overlap
        return reference if reference >= 0 else None

    def _outgoing(self, part: str) -> dict:
        """python-gammu's dictionary for a stored part: libgammu encodes it again, with
        the same header, alphabet, report request and validity."""
        try:
            sms = pdus.decode(part)
            tpdu = pdus.split_smsc(pdus.pdu_octets(part))[1]
        except pdus.PduError as error:
            raise ModemError(f"stored part is no PDU: {error}", permanent=True) from error
        # TP-SRR (3GPP TS 23.040 §9.2.3.5): python-gammu writes it for this type alone.
        sms["Type"] = "Status_Report" if tpdu[0] & 0x20 else "Submit"
        validity = sms["SMSC"]["Validity"]
        sms["SMSC"] = (
            {"Location": 0, "Number": self._smsc, "Validity": validity}
            if self._smsc
            else {"Location": 1}
        )
        return sms

    # -- receiving --------------------------------------------------------------

    def stored_messages(self) -> list[StoredSms]:
        found: list[StoredSms] = []
        try:
            batch = self._ask(self.machine.GetNextSMS, Folder=0, Start=True)
            while True:
                found += [stored for sms in batch if (stored := self._stored(sms))]
                batch = self._ask(self.machine.GetNextSMS, Folder=0, Location=batch[0]["Location"])
        except ModemError as error:
            if not _is_empty(error):
                raise
        return found

    def read_message(self, index: int) -> StoredSms | None:
        try:
            (sms, *_) = self._ask(self.machine.GetSMS, Folder=0, Location=index)
        except ModemError as error:
            if _is_empty(error):
                return None
            raise
        return self._stored(sms)

    def delete_message(self, index: int) -> None:
        try:
            self._ask(self.machine.DeleteSMS, Folder=0, Location=index)
        except ModemError as error:
            if not _is_empty(error):
                raise

    def _stored(self, sms: dict) -> StoredSms | None:
        """Our view of an SMS libgammu read: the PDU the network delivered, encoded again
        from what libgammu decoded (it keeps no raw PDU)."""
        slot = slot_of(sms["Memory"], sms["Location"])
        if sms["Type"] not in ("Deliver", "Status_Report"):
            log.info("left in the modem at %d: not a received SMS (%s)", slot, sms["Type"])
            return None
        try:
            pdu = _received_pdu(sms)
        except gammu.GSMError as error:
            log.error("unreadable SMS at %d, left in the modem: %s", slot, error)
            return None
        return StoredSms(slot, MESSAGE_STATES.get(sms["State"], 0), pdu, sms["Memory"])

    # -- the modem's news -------------------------------------------------------

    def wake(self) -> None:
        self._woken.set()  # `events` polls the device: its next look returns

    def events(self, timeout: float) -> list[ModemEvent]:
        deadline = time.monotonic() + timeout
        while True:
            read = self.machine.ReadDevice(False)
            if read < 0:
                raise PortError(f"{self.settings.device}: the modem is gone")
            if read == 0 and (
                self._incoming or self._woken.is_set() or time.monotonic() >= deadline
            ):
                break
            if read == 0:
                time.sleep(POLL_INTERVAL)
        self._woken.clear()
        events: list[ModemEvent] = []
        for kind, data in self._drain(self.machine):
            events += self._event(kind, data)
        return events + self._calls.tick()

    def _drain(self, machine: gammu.StateMachine) -> list[tuple[str, dict]]:
        """Every callback python-gammu holds: it gives one of each kind per call."""
        taken: list[tuple[str, dict]] = []
        while True:
            taken += self._incoming
            self._incoming.clear()
            if machine.ReadDevice(False) <= 0 and not self._incoming:
                return taken

    def _event(self, kind: str, data: dict) -> list[ModemEvent]:
        if kind == "Call":
            return self._call_event(data)
        if kind != "SMS":
            return []
        if "Type" not in data:  # +CMTI: only where it is stored, as a flat location
            return [NewMessage(memory_of(data["Location"]), data["Location"])]
        if data["Type"] == "Status_Report":
            try:
                return [report_from(data)]
            except pdus.PduError as error:
                log.warning("unreadable status report: %s", error)
        return []

    def _call_event(self, call: dict) -> list[ModemEvent]:
        if call["Status"] == "IncomingCall":
            # libgammu says nothing at RING, then this at each caller line after it.
            return [*self._calls.ring(), *self._calls.caller(call["Number"] or None)]
        if call["Status"] == "CallRemoteEnd":
            return list(self._calls.ended())
        return []

    # -- the modem's state ------------------------------------------------------

    def status(self) -> ModemStatus:
        """What the modem says of itself; what it refuses to say stays None."""
        network = self._tolerated(self.machine.GetNetworkInfo) or {}
        storage = self._tolerated(self.machine.GetSMSStatus) or {}
        quality = self._tolerated(self.machine.GetSignalQuality)
        own = self._tolerated(self.machine.GetMemory, Type="ON", Location=1)
        return ModemStatus(
            signal=signal_of(quality) if quality else None,
            registration=REGISTRATIONS.get(network.get("State", ""), None),
            operator=network.get("NetworkName") or network.get("NetworkCode") or None,
            storage_used=storage.get("SIMUsed"),
            storage_total=storage.get("SIMSize"),
            imei=self._tolerated(self.machine.GetIMEI) or None,
            imsi=self._tolerated(self.machine.GetSIMIMSI) or None,
            own_number=_number_in(own),
        )

    def hang_up(self) -> None:
        # libgammu says AT+CHUP where the modem knows it, else ATH.
        self._ask(self.machine.CancelCall, 0, True)

    def _tolerated(self, function: Callable[..., Any], **kwargs: Any) -> Any:
        """An answer the modem may refuse to give: None then; no answer still raises."""
        try:
            return self._ask(function, **kwargs)
        except NoAnswer:
            raise
        except ModemError as error:
            log.debug("%s: %s", self.settings.device, error)
            return None


def _is_empty(error: ModemError) -> bool:
    """Whether libgammu's error was that the location holds nothing."""
    return isinstance(error.__cause__, gammu.ERR_EMPTY | gammu.ERR_INVALIDLOCATION)


def _number_in(entry: dict | None) -> str | None:
    """The number in a phonebook entry (the SIM's own numbers, AT+CNUM)."""
    for value in (entry or {}).get("Entries", []):
        if value.get("Type", "").startswith("Number") and value.get("Value"):
            return value["Value"]
    return None


def _received_pdu(sms: dict) -> str:
    """The PDU of an SMS or a status report libgammu read from the storage; a modem
    that files reports there (AT+CNMI <ds> 2) has them read like its SMS."""
    if sms["Type"] == "Deliver":
        return gammu.EncodePDU(sms, "Deliver").hex().upper()
    # python-gammu encodes no status report: it is put together again.
    return pdu_encoding.encode_status_report(
        sms["MessageReference"],
        sms["Number"],
        smsc=sms["SMSC"]["Number"],
        submitted_at=sms["DateTime"],
        discharged_at=sms["SMSCDateTime"],
        status=sms["DeliveryStatus"],
    )
