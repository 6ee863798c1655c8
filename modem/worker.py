"""One modem's worker: small steps, each committing before the next AT command.

Nothing but `stop` ends a worker: a modem fault reconnects, a database that
cannot be written is retried, and `last_progress` lets the daemon see a worker
that hangs (it then stops telling systemd's watchdog that all is well).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from modem import pdu as pdus
from modem.at import ModemError, StoredSms
from modem.driver import ModemDriver, NewMessage, PinRefused, Restarted
from modem.reports import Outcome, StatusReport
from modem.ringing import CallRang, IncomingCall
from modem.sender import MessageSender
from smsbox import calls, delivery, inbox, optouts, sending
from smsbox.config import MessagingConfig, ModemConfig
from smsbox.models import InboundPart, Message, Status
from smsbox.modems import (
    ensure_modem,
    pin_was_refused,
    record_refused_pin,
    record_signal,
    record_state,
)

log = logging.getLogger(__name__)

IDLE_WAIT = 0.5
SIGNAL_POLL_INTERVAL = 60.0
# A modem that restarts without a word (Huawei sticks say nothing) is noticed
# by its lost settings; the storage sweep catches any SMS whose +CMTI was lost.
SETTINGS_CHECK_INTERVAL = 10.0
STORAGE_SWEEP_INTERVAL = 60.0
RECONNECT_DELAYS = (0.5, 1, 2, 5, 10)
# A SIM that needs a person (PIN refused, PUK) is only looked at, never retried harder.
PERMANENT_FAULT_RECHECK = 60.0
DEVICE_POLL = 0.2
REPORTED_STATES = {
    Outcome.DELIVERED: Status.DELIVERED,
    Outcome.FAILED: Status.FAILED,
    Outcome.EXPIRED: Status.EXPIRED,
}


class ModemWorker:
    def __init__(
        self,
        modem: ModemConfig,
        driver: ModemDriver,
        sessions: sessionmaker[Session],
        *,
        messaging: MessagingConfig,
        stop: threading.Event,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.modem = modem
        self.driver = driver
        self.sessions = sessions
        self.default_region = messaging.default_region
        self.incomplete_after = timedelta(hours=messaging.incomplete_after_hours)
        self.stop = stop
        self._monotonic = monotonic
        self._modem_id: int | None = None
        self.sender = MessageSender(
            modem.name,
            driver,
            sessions,
            stop=stop,
            pause=self._pause,
            status_reports=modem.status_reports,
            validity_hours=messaging.validity_hours,
        )
        self._next_signal_poll = 0.0
        self._next_settings_check = 0.0
        self._next_sweep = 0.0
        self.last_progress = monotonic()

    # -- life cycle -------------------------------------------------------------

    def run(self) -> None:
        """Serve the modem until stopped, reconnecting after faults."""
        failures = 0
        while not self.stop.is_set():
            self._beat()
            try:
                self.connect()
                failures = 0
                while not self.stop.is_set():
                    self._beat()
                    self.step()
            except ModemError as error:
                log.warning("modem %s: %s", self.modem.name, error)
                self._after_fault(str(error), failures, permanent=error.permanent)
            except Exception as error:
                # Whatever went wrong, the worker must come back: a dead thread
                # would leave the queue unserved with nobody told.
                log.exception("modem %s: unexpected failure", self.modem.name)
                self._after_fault(str(error), failures, permanent=False)
            failures += 1
        self._record_state_quietly("stopped")

    def _after_fault(self, reason: str, failures: int, *, permanent: bool) -> None:
        try:
            self.driver.close()
        except Exception:
            log.exception("modem %s: closing the port failed", self.modem.name)
        self._record_state_quietly("error", reason)
        try:
            # Now, not at the next connect: a modem gone for hours must not hold the
            # messages it had claimed but not handed over (another modem may send them).
            self._settle_unfinished()
        except SQLAlchemyError as error:
            log.warning("modem %s: cannot settle its messages yet: %s", self.modem.name, error)
        if permanent:
            self._pause(PERMANENT_FAULT_RECHECK)
        elif not os.path.exists(self.modem.device):
            self._wait_for_device()
        else:
            self._pause(RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)])

    def _beat(self) -> None:
        self.last_progress = self._monotonic()

    def _pause(self, seconds: float) -> None:
        """Wait, still showing progress, until `seconds` passed or stop is set."""
        until = self._monotonic() + seconds
        while not self.stop.is_set() and (left := until - self._monotonic()) > 0:
            self._beat()
            self.stop.wait(min(left, 1.0))

    def _wait_for_device(self) -> None:
        # A USB modem that reboots leaves the bus for a few seconds: be back as soon
        # as its device is, rather than after a fixed delay.
        log.info("modem %s: waiting for %s to come back", self.modem.name, self.modem.device)
        while not self.stop.is_set() and not os.path.exists(self.modem.device):
            self._beat()
            self.stop.wait(DEVICE_POLL)

    def connect(self) -> None:
        with self.sessions() as session:
            modem = ensure_modem(session, self.modem.name, self.modem.device)
            session.commit()
            self._modem_id = modem.id
            self.driver.pin_refused = bool(self.modem.pin) and pin_was_refused(
                session, modem.id, self.modem.pin
            )
        self._settle_unfinished()
        try:
            self.driver.connect()
        except PinRefused:
            self._write(lambda session: record_refused_pin(session, self.modem_id, self.modem.pin))
            raise
        self._record_state("ready")
        self._sweep_storage()
        self._next_settings_check = self._monotonic() + SETTINGS_CHECK_INTERVAL

    def _settle_unfinished(self) -> None:
        if self._modem_id is None:
            return
        with self.sessions() as session:
            interrupted = sending.recover_unfinished(session, self._modem_id)
            session.commit()
        for message in interrupted:
            log.warning("modem %s: message %d interrupted", self.modem.name, message.id)

    @property
    def modem_id(self) -> int:
        if self._modem_id is None:
            raise RuntimeError("connect() first")
        return self._modem_id

    def step(self) -> None:
        """Take in what the modem announced, then send at most one message."""
        sent = self.sender.send_one(self.modem_id)
        events = self.driver.events(0 if sent else IDLE_WAIT)
        restart = next((event for event in events if isinstance(event, Restarted)), None)
        if restart is not None:
            log.warning(
                "modem %s restarted (%s): setting it up again", self.modem.name, restart.line
            )
            self._set_up_again()
        for report in (event for event in events if isinstance(event, StatusReport)):
            self._take_report(report)
        arrived = [event for event in events if isinstance(event, NewMessage)]
        for event in arrived:
            stored = self.driver.read_message(event.index)
            if stored is not None:
                self._receive(stored)
        if arrived:
            self._assemble()
        for event in events:
            if isinstance(event, IncomingCall | CallRang):
                self._write(lambda session, event=event: self._record_call(session, event))
        self._periodic_checks()

    def _periodic_checks(self) -> None:
        now = self._monotonic()
        if now >= self._next_settings_check:
            self._next_settings_check = now + SETTINGS_CHECK_INTERVAL
            if self.driver.settings_lost():
                log.warning("modem %s forgot its settings: setting it up again", self.modem.name)
                self._set_up_again()
        if now >= self._next_sweep:
            self._sweep_storage()
        if now >= self._next_signal_poll:
            self._next_signal_poll = now + SIGNAL_POLL_INTERVAL
            self._record_signal(self.driver.signal_quality())

    def _take_report(self, report: StatusReport) -> None:
        state = REPORTED_STATES.get(report.outcome)
        if state is None:
            return  # the network is still trying: the part stays sent
        with self.sessions() as session:
            part = delivery.record_report(
                session,
                self.modem_id,
                report.reference,
                report.recipient,
                state,
                report.discharged_at,
                default_region=self.default_region,
                detail=f"(TP-Status {report.status:#04x})",
            )
            session.commit()
        if part is None:
            log.warning(
                "modem %s: status report for no part sent (reference %d to %s, %s)",
                self.modem.name,
                report.reference,
                report.recipient,
                report.outcome,
            )
        self.driver.reinitialise()
        self._sweep_storage()

    # -- receiving -------------------------------------------------------------------

    def _sweep_storage(self) -> None:
        """What is on the SIM unannounced or unread: first release the slots emptied
        just before a crash, so that the same octets now in one are a new message."""
        self._next_sweep = self._monotonic() + STORAGE_SWEEP_INTERVAL
        stored = self.driver.stored_messages()
        with self.sessions() as session:
            held = [(sms.storage, sms.index, sms.pdu) for sms in stored]
            inbox.release_emptied_slots(session, self.modem_id, held)
            session.commit()
        for sms in stored:
            self._receive(sms)
        self._assemble()

    def _receive(self, stored: StoredSms) -> None:
        try:
            part = pdus.received_part(stored.pdu)
        except pdus.PduError as error:
            # Left on the SIM: deleting what we cannot read would lose it.
            log.error("modem %s: unreadable SMS at %d: %s", self.modem.name, stored.index, error)
            return
        with self.sessions() as session:
            inbox.store_part(
                session, self.modem_id, part, storage=stored.storage, index=stored.index
            )
            session.commit()
        self.driver.delete_message(stored.index)
        with self.sessions() as session:
            inbox.release_slot(session, self.modem_id, stored.storage, stored.index, stored.pdu)
            session.commit()

    def _assemble(self) -> None:
        with self.sessions() as session:
            for parts in inbox.ready_groups(
                session, self.modem_id, incomplete_after=self.incomplete_after
            ):
                try:
                    self._store_message(session, parts)
                except Exception:
                    # One message that cannot be stored must hold up neither the others
                    # nor the modem; its parts stay pending for the next attempt.
                    session.rollback()
                    log.exception("modem %s: message not stored from its parts", self.modem.name)

    def _store_message(self, session: Session, parts: list[InboundPart]) -> None:
        """The message `parts` make: their joined text, or when they make none, the
        reason and what text each part carries."""
        hexes = [part.pdu for part in parts]
        try:
            body, error = pdus.join_text(hexes), None
        except Exception as failure:  # PduError says why; anything else is a bug, kept here
            body, error = pdus.recovered_text(hexes), f"its parts make no message: {failure}"
            log.warning(
                "modem %s: %s",
                self.modem.name,
                error,
                exc_info=not isinstance(failure, pdus.PduError),
            )
        message = inbox.assemble(
            session, parts, body, default_region=self.default_region, error=error
        )
        session.commit()
        log.info(
            "modem %s: received message %d from %s", self.modem.name, message.id, message.number
        )
        if optouts.is_stop_message(message):
            self._opt_out(session, message)

    def _opt_out(self, session: Session, stop: Message) -> None:
        """After the message is committed: whatever fails here, the STOP itself is kept
        in the inbox for a person to act on."""
        try:
            optouts.opt_out(session, stop.number, source_message_id=stop.id)
            session.commit()
        except Exception:
            session.rollback()
            log.exception(
                "modem %s: %s not put on the STOP list (message %d)",
                self.modem.name,
                stop.number,
                stop.id,
            )
            return
        log.info("modem %s: %s opted out (message %d)", self.modem.name, stop.number, stop.id)

    def _record_call(self, session: Session, event: IncomingCall | CallRang) -> None:
        if isinstance(event, CallRang):
            calls.count_rings(session, self.modem_id, event.started_at, event.rings)
            return
        calls.record_call(
            session,
            self.modem_id,
            event.number,
            event.started_at,
            event.rings,
            default_region=self.default_region,
        )
        log.info("modem %s: call from %s", self.modem.name, event.number or "a withheld number")

    # -- the database ----------------------------------------------------------------

    def _write(self, change: Callable[[Session], None]) -> None:
        with self.sessions() as session:
            change(session)
            session.commit()

    def _record_state(self, state: str, error: str | None = None) -> None:
        self._write(lambda session: record_state(session, self.modem_id, state, error))

    def _record_state_quietly(self, state: str, error: str | None = None) -> None:
        """Best effort: the state is written again at the next change anyway."""
        if self._modem_id is None:
            return
        try:
            self._record_state(state, error)
        except SQLAlchemyError as failure:
            log.warning("modem %s: cannot record state %s: %s", self.modem.name, state, failure)

    def _record_signal(self, quality: int | None) -> None:
        self._write(lambda session: record_signal(session, self.modem_id, quality))
