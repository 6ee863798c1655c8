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
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from modem.answering import CallHandler
from modem.drivers.contract import (
    CallRang,
    IncomingCall,
    ModemDriver,
    ModemStatus,
    NewMessage,
    PduRequest,
    Restarted,
    StatusReport,
)
from modem.errors import ModemError, PinRefused
from modem.leasing import ModemLease, NoLease
from modem.pace import ModemCap, Reread, SendingHours, SendingPace
from modem.receiver import MessageReceiver
from modem.sender import CLAIM_BATCH, MessageSender
from modem.upkeep import ModemUpkeep
from smsbox import sending
from smsbox.config import CallsConfig, MessagingConfig, ModemConfig
from smsbox.daemon_metrics import count_modem_fault
from smsbox.message_settings import message_settings
from smsbox.modems import (
    CONNECTING,
    READY,
    STOPPED,
    ensure_modem,
    pin_was_refused,
    record_rate_limited,
    record_refused_pin,
    record_state,
    record_status,
)
from smsbox.tables import utcnow
from smsbox.webhooks import events

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from modem.connections import Connections

log = logging.getLogger(__name__)

RECONNECT_DELAYS = (0.5, 1, 2, 5, 10)
# A SIM that needs a person (PIN refused, PUK) is only looked at, never retried harder.
PERMANENT_FAULT_RECHECK = 60.0
DEVICE_POLL = 0.2
LEASE_LATE_WAIT = 0.2


class ModemWorker:
    def __init__(
        self,
        modem: ModemConfig,
        driver: ModemDriver,
        sessions: Connections,
        *,
        messaging: MessagingConfig,
        stop: threading.Event,
        calls: CallsConfig | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        peers: dict[int, Callable[[], None]] | None = None,
        lease: ModemLease | NoLease | None = None,
    ):
        self.modem = modem
        self.lease = lease or NoLease()
        self.driver = driver
        self.sessions = sessions
        self.default_region = messaging.default_region
        self.default_validity_hours = messaging.validity_hours
        self.stop = stop
        self._monotonic = monotonic
        self._modem_id: int | None = None
        self.receiver = MessageReceiver(
            modem.name,
            driver,
            sessions,
            default_region=messaging.default_region,
            incomplete_after=timedelta(hours=messaging.incomplete_after_hours),
        )
        self.sender = MessageSender(
            modem.name,
            driver,
            sessions,
            stop=stop,
            pause=self._pause,
            pdu_request=Reread(self._read_pdu_request, monotonic).get,
        )
        self.calls = CallHandler(
            modem.name,
            driver,
            sessions,
            settings=calls or CallsConfig(),
            default_region=messaging.default_region,
        )
        self.upkeep = ModemUpkeep(
            modem.name,
            driver,
            self.receiver,
            monotonic=monotonic,
            record_status=self._record_status,
        )
        self.pace = SendingPace(modem.rate_limit, monotonic, peers)
        self.sending_hours = SendingHours(sessions, messaging.timezone, monotonic)
        self.cap = ModemCap(sessions, messaging.timezone, monotonic)
        self._rate_limited = False
        self.last_progress = monotonic()

    def _read_pdu_request(self) -> PduRequest:
        with self.sessions() as session:
            settings = message_settings(session)
        return PduRequest(
            validity_hours=settings.validity_hours or self.default_validity_hours,
            delivery_report=settings.delivery_reports,
        )

    # -- life cycle -------------------------------------------------------------

    def run(self) -> None:
        """Serve the modem until stopped, reconnecting after faults, while this daemon
        holds the modem's lease."""
        failures = 0
        while not self.stop.is_set():
            self._beat()
            if not self._own_modem():
                continue
            try:
                self.connect()
                failures = 0
                while not self.stop.is_set() and not self.lease.gone():
                    self._beat()
                    if self.lease.held():
                        self.step()
                    else:  # a renewal is late: no new work until it comes
                        self.sender.write_answers()
                        self._pause(LEASE_LATE_WAIT)
                if not self.stop.is_set():
                    self._let_go()
            except ModemError as error:
                log.warning("modem %s: %s", self.modem.name, error)
                self._after_fault(str(error), failures, permanent=error.permanent)
            except Exception as error:
                # Whatever went wrong, the worker must come back: a dead thread
                # would leave the queue unserved with nobody told.
                log.exception("modem %s: unexpected failure", self.modem.name)
                self._after_fault(str(error), failures, permanent=False)
            failures += 1
        self._give_back_claimed()
        self._record_state_quietly(STOPPED)
        self.lease.release()

    def _own_modem(self) -> bool:
        """Whether this daemon holds the modem's lease, taking it if free; else waits
        before the next try (another daemon serves the modem meanwhile)."""
        if self.lease.held():
            return True
        try:
            if self.lease.acquire():
                return True
        except SQLAlchemyError as error:
            log.warning("modem %s: cannot take its lease: %s", self.modem.name, error)
        self._pause(self.lease.retry_seconds)
        return False

    def _let_go(self) -> None:
        """The lease was taken over, or has expired for all another daemon knows:
        this one leaves the modem at once and writes nothing more of it."""
        log.error("modem %s: lease lost, the modem is left alone", self.modem.name)
        self.driver.close()
        self.sender.forget_claimed()  # the new owner puts them back in the queue
        self._modem_id = None

    def _after_fault(self, reason: str, failures: int, *, permanent: bool) -> None:
        count_modem_fault(self.modem.name)
        try:
            self.driver.close()
        except Exception:
            log.exception("modem %s: closing the port failed", self.modem.name)
        self._record_state_quietly("error", reason)
        try:
            # What the modem answered before the fault is known: only the rest is settled.
            self.sender.write_answers()
            # Now, not at the next connect: a modem gone for hours must not hold the
            # messages it had claimed but not handed over (another modem may send them).
            self._settle_unfinished()
        except Exception:  # the next connect settles them; the worker must go on
            log.exception("modem %s: cannot settle its messages yet", self.modem.name)
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
        # What was claimed before a fault is settled below, from the database.
        self.sender.forget_claimed()
        with self.sessions() as session:
            # Not ready (maybe still so since a daemon was killed): no work is left for it.
            modem_id = ensure_modem(
                session,
                self.modem.name,
                self.modem.device,
                role=self.modem.role,
                rate_limit=self.modem.rate_limit,
                state=CONNECTING,
            )
            session.commit()
            self._modem_id = modem_id
            self.pace.join(modem_id, self.wake)
            self.cap.modem_id = modem_id
            self.driver.pin_refused = bool(self.modem.pin) and pin_was_refused(
                session, modem_id, self.modem.pin
            )
        self._settle_unfinished()
        try:
            self.driver.connect()
        except PinRefused:
            self._write(lambda session: record_refused_pin(session, self.modem_id, self.modem.pin))
            raise
        self._record_state(READY)
        self.upkeep.connected(self.modem_id)

    def _settle_unfinished(self) -> None:
        # Without the lease, what is in flight on the modem may be another daemon's.
        if self._modem_id is None or not self.lease.held():
            return
        with self.sessions() as session:
            interrupted = sending.recover_unfinished(session, self._modem_id)
            events.commit(session)
        for message in interrupted:
            log.warning("modem %s: message %d interrupted", self.modem.name, message.id)

    @property
    def modem_id(self) -> int:
        if self._modem_id is None:
            raise RuntimeError("connect() first")
        return self._modem_id

    def wake(self) -> None:
        """From another thread: something was queued, look at the queue now."""
        self.sender.told_of_work()
        self.driver.wake()  # its current or next wait for events returns at once

    def step(self) -> None:
        """Send at most one message, then take in what the modem announced."""
        held_back = self._held_back()
        sent = self.modem.sends and not held_back and self._send_one()
        events = self.pace.listen(self.driver.events, sent=sent, held_back=held_back)
        if events or not sent:
            # Only the next send may come before what the modem answered is committed
            # (a status report, for one, must find its part sent).
            self.sender.write_answers()
        restart = next((event for event in events if isinstance(event, Restarted)), None)
        if restart is not None:
            log.warning(
                "modem %s restarted (%s): setting it up again", self.modem.name, restart.line
            )
            self.upkeep.set_up_again(self.modem_id)
        for report in (event for event in events if isinstance(event, StatusReport)):
            self.receiver.take_report(self.modem_id, report)
        # Calls before reading messages: a fault while reading reconnects, and a call
        # lives only in these events, where a message stays on the SIM for the sweep.
        for event in events:
            if isinstance(event, IncomingCall | CallRang):
                self.calls.take(self.modem_id, event)
        arrived = [event for event in events if isinstance(event, NewMessage)]
        for event in arrived:
            stored = self.driver.read_message(event.index)
            if stored is not None:
                self.receiver.receive(self.modem_id, stored)
        if arrived:
            self.receiver.assemble(self.modem_id)
        if self.upkeep.due():
            self.sender.write_answers()  # the modem's answers first: a check may fail
            self.upkeep.run(self.modem_id)

    def _send_one(self) -> bool:
        sent = self.sender.send_one(
            self.modem_id,
            ring=self.pace.ring,
            commercial=self.sending_hours.open_now(),
            # A rate limit or a cap counts each message as it goes: none claimed ahead.
            batch=1 if self.pace.rate_limit or self.cap.capped() else CLAIM_BATCH,
        )
        if sent:
            self.pace.took_one()
            self.cap.took_one()
        return sent

    def _held_back(self) -> float:
        """Seconds the rate limit or a cap holds this modem back, told once to the other
        modems so that they leave it no work meanwhile."""
        wait = max(self.pace.held_back(), self.cap.wait())
        if wait > 0 and not self._rate_limited:
            until = utcnow() + timedelta(seconds=wait)
            self._write(lambda session: record_rate_limited(session, self.modem_id, until))
            log.info(
                "modem %s: rate limit or cap reached, next message in %.0f s",
                self.modem.name,
                wait,
            )
        self._rate_limited = wait > 0
        return wait

    # -- the database ----------------------------------------------------------------

    def _write(self, change: Callable[[Connection], None]) -> None:
        with self.sessions() as session:
            change(session)
            session.commit()

    def _record_state(self, state: str, error: str | None = None) -> None:
        self._write(lambda session: record_state(session, self.modem_id, state, error))

    def _give_back_claimed(self) -> None:
        """Best effort: the next start, or the daemon that takes the modem over, puts
        them back in the queue anyway."""
        if self._modem_id is None or not self.lease.held():
            self.sender.forget_claimed()
            return
        try:
            self.sender.give_back()
        except SQLAlchemyError as failure:
            log.warning(
                "modem %s: cannot give back its claimed messages: %s", self.modem.name, failure
            )
            self.sender.forget_claimed()

    def _record_state_quietly(self, state: str, error: str | None = None) -> None:
        """Best effort: the state is written again at the next change anyway."""
        if self._modem_id is None or not self.lease.held():
            return
        try:
            self._record_state(state, error)
        except SQLAlchemyError as failure:
            log.warning("modem %s: cannot record state %s: %s", self.modem.name, state, failure)

    def _record_status(self, status: ModemStatus) -> None:
        self._write(lambda session: record_status(session, self.modem_id, **asdict(status)))
