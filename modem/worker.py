"""One modem's worker: small steps, each committing before the next AT command."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from modem import pdu as pdus
from modem.at import ModemError, StoredSms
from modem.driver import ModemDriver
from smsbox import inbox, outbox
from smsbox.config import ModemConfig
from smsbox.models import InboundPart, Message
from smsbox.modems import ensure_modem, record_signal, record_state

log = logging.getLogger(__name__)

IDLE_WAIT = 0.5
SIGNAL_POLL_INTERVAL = 60.0
RECONNECT_DELAYS = (1, 2, 5, 10, 30)


class ModemWorker:
    def __init__(
        self,
        modem: ModemConfig,
        driver: ModemDriver,
        sessions: sessionmaker[Session],
        *,
        default_region: str,
        stop: threading.Event,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.modem = modem
        self.driver = driver
        self.sessions = sessions
        self.default_region = default_region
        self.stop = stop
        self._monotonic = monotonic
        self._modem_id: int | None = None
        self._next_signal_poll = 0.0

    # -- life cycle -------------------------------------------------------------

    def run(self) -> None:
        """Serve the modem until stopped, reconnecting after faults."""
        failures = 0
        while not self.stop.is_set():
            try:
                self.connect()
                failures = 0
                while not self.stop.is_set():
                    self.step()
            except Exception as error:
                # Whatever went wrong, the worker must come back: a dead thread
                # would leave the queue unserved with nobody told.
                if isinstance(error, ModemError):
                    log.warning("modem %s: %s", self.modem.name, error)
                else:
                    log.exception("modem %s: unexpected failure", self.modem.name)
                self._record_state("error", str(error))
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                failures += 1
                self.stop.wait(delay)
            finally:
                self.driver.close()
        self._record_state("stopped")

    def connect(self) -> None:
        with self.sessions() as session:
            modem = ensure_modem(session, self.modem.name, self.modem.device)
            session.commit()
            self._modem_id = modem.id
        self.driver.connect()
        with self.sessions() as session:
            interrupted = outbox.interrupt_unfinished(session, self.modem_id)
            session.commit()
        if interrupted:
            log.warning("modem %s: %d message(s) interrupted", self.modem.name, interrupted)
        self._record_state("ready")
        self._receive_stored()

    @property
    def modem_id(self) -> int:
        if self._modem_id is None:
            raise RuntimeError("connect() first")
        return self._modem_id

    def step(self) -> None:
        """Take in what the modem announced, then send at most one message."""
        sent = self.send_one()
        events = self.driver.events(0 if sent else IDLE_WAIT)
        for event in events:
            stored = self.driver.read_message(event.index)
            if stored is not None:
                self._receive(stored)
        if events:
            self._assemble()
        if self._monotonic() >= self._next_signal_poll:
            self._next_signal_poll = self._monotonic() + SIGNAL_POLL_INTERVAL
            self._record_signal(self.driver.signal_quality())

    # -- receiving -------------------------------------------------------------------

    def _receive_stored(self) -> None:
        """What arrived while nobody read: first release the slots emptied just before
        a crash, so that the same octets now in one are taken for a new message."""
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
            for parts in inbox.ready_groups(session, self.modem_id):
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

    # -- sending ------------------------------------------------------------------------

    def send_one(self) -> bool:
        with self.sessions() as session:
            message = outbox.claim_next(session, self.modem_id)
            if message is None:
                return False
            try:
                self._send(session, message)
            except ModemError as error:
                outbox.record_failure(session, message, str(error), permanent=error.permanent)
                session.commit()
                log.warning("modem %s: message %d not sent: %s", self.modem.name, message.id, error)
                if error.code is None:
                    raise  # a timeout or a lost port, not an answer: reconnect
            return True

    def _send(self, session: Session, message: Message) -> None:
        try:
            parts = pdus.encode_submit(message.number, message.body)
        except ValueError as error:
            raise ModemError(str(error), permanent=True) from error
        for number, part in enumerate(parts, start=1):
            reference = self.driver.submit(part)
            outbox.record_part_sent(session, message, number, reference)
            session.commit()
        outbox.record_sent(session, message)
        session.commit()
        log.info(
            "modem %s: sent message %d to %s (%d part(s))",
            self.modem.name,
            message.id,
            message.number,
            len(parts),
        )

    # -- status ------------------------------------------------------------------------------

    def _record_state(self, state: str, error: str | None = None) -> None:
        if self._modem_id is None:
            return
        with self.sessions() as session:
            record_state(session, self._modem_id, state, error)
            session.commit()

    def _record_signal(self, quality: int | None) -> None:
        with self.sessions() as session:
            record_signal(session, self.modem_id, quality)
            session.commit()
