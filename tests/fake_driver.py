"""A modem in memory that keeps the driver contract (`modem.drivers.contract`): a SIM
of slots, a network that takes parts, and faults to arm. No port, no AT: the worker's
own decisions are what the tests through it look at."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

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
from modem.drivers.parts import split_into_pdus
from modem.errors import ModemError, NoAnswer, PortError, SubmitOutcomeUnknown
from modem.sim.network import SimulatedNetwork
from modem.worker import ModemWorker
from smsbox.config import MessagingConfig, ModemConfig

# When an armed submission fault strikes (`FakeDriver.submit_faults`).
BEFORE_HANDOVER, AT_THE_PROMPT, TAKEN = "before the handover", "at the prompt", "taken"


@dataclass
class FakeDriver:
    slots: dict[int, str] = field(default_factory=dict)
    # Takes the parts, joins long messages and gives TP-MRs as the simulator's does.
    network: SimulatedNetwork = field(default_factory=SimulatedNetwork)
    # Handed out by the next `events` call, then forgotten.
    pending_events: list[ModemEvent] = field(default_factory=list)
    # Each submission takes the first of these, if any: an exception to raise, and
    # when: before the handover, after it with nothing taken (no prompt came), or once
    # the modem took the part (the answer then is what got lost).
    submit_faults: list[tuple[ModemError, str]] = field(default_factory=list)
    failing_reads: int = 0
    failing_deletes: int = 0
    # What `status` says the modem says of itself.
    said: ModemStatus = field(default_factory=lambda: ModemStatus(signal=20))
    announces_new_messages: bool = True
    pin_refused: bool = False
    connects: int = 0
    reinitialisations: int = 0
    forgot_settings: bool = False
    hang_ups: int = 0

    # -- faults to arm ------------------------------------------------------------

    def refuse_next(self, message: str = "+CMS ERROR: 38", *, permanent: bool = False) -> None:
        self.submit_faults.append((ModemError(message, permanent=permanent), BEFORE_HANDOVER))

    def lose_next_answer(self) -> None:
        """The modem takes the next part and its answer never comes."""
        self.submit_faults.append((SubmitOutcomeUnknown("no answer after the PDU"), TAKEN))

    def fall_silent_at_next_prompt(self) -> None:
        """The next submission's handover is recorded, then the modem never asks for
        the part."""
        self.submit_faults.append((NoAnswer("no '> ' prompt"), AT_THE_PROMPT))

    def vanish_at_next_submission(self) -> None:
        """The port goes before the modem took anything."""
        self.submit_faults.append((PortError("the serial port failed"), BEFORE_HANDOVER))

    def deliver(self, *parts: str) -> None:
        """SMS arrive on the SIM and are announced."""
        for part in parts:
            index = max(self.slots, default=0) + 1
            self.slots[index] = part
            self.pending_events.append(NewMessage("SM", index))

    def texts_on_the_network(self) -> list[str]:
        return [sms.text for sms in self.network.submitted()]

    # -- the contract -------------------------------------------------------------

    def connect(self) -> None:
        self.connects += 1
        self.reinitialise()

    def reinitialise(self) -> None:
        self.reinitialisations += 1
        self.forgot_settings = False

    def settings_lost(self) -> bool:
        return self.forgot_settings

    def close(self) -> None:
        pass

    def split(self, number: str, text: str, request: PduRequest) -> list[str]:
        return split_into_pdus(DriverSettings("/dev/null"), number, text, request)

    def submit(self, part: str, before_handover: Hook, meanwhile: Hook = no_hook) -> int | None:
        fault, when = self.submit_faults.pop(0) if self.submit_faults else (None, TAKEN)
        if fault is not None and when == BEFORE_HANDOVER:
            raise fault
        before_handover()
        if fault is not None and when == AT_THE_PROMPT:
            raise fault
        submission = self.network.submit(part)
        meanwhile()
        if fault is not None:
            raise fault
        return submission.reference

    def stored_messages(self) -> list[StoredSms]:
        return [StoredSms(index, 0, pdu) for index, pdu in sorted(self.slots.items())]

    def read_message(self, index: int) -> StoredSms | None:
        if self.failing_reads:
            self.failing_reads -= 1
            raise NoAnswer("AT+CMGR: the port went away")
        pdu = self.slots.get(index)
        return None if pdu is None else StoredSms(index, 0, pdu)

    def delete_message(self, index: int) -> None:
        if self.failing_deletes:
            self.failing_deletes -= 1
            raise NoAnswer("AT+CMGD: the port went away")
        self.slots.pop(index, None)

    def status(self) -> ModemStatus:
        return self.said

    def hang_up(self) -> None:
        self.hang_ups += 1

    def events(self, timeout: float) -> list[ModemEvent]:
        events, self.pending_events = self.pending_events, []
        return events

    def wake(self) -> None:
        pass  # `events` never waits


def connected_worker(sessions, driver, clock, peers=None, **modem) -> ModemWorker:
    """A daemon's worker on `driver`, connected, its time `clock`'s."""
    worker = ModemWorker(
        ModemConfig(device="/dev/null", **{"name": "fake", **modem}),
        driver,
        sessions,
        messaging=MessagingConfig(default_region="FR"),
        stop=threading.Event(),
        monotonic=clock,
        peers=peers,
    )
    worker.connect()
    return worker
