"""Sending one modem's queued messages, part by part (`smsbox.sending` names the
states). Every state is committed before the modem command that depends on it,
and what the modem answered is committed whatever it takes."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from functools import partial

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from modem.drivers.contract import ModemDriver, PduRequest
from modem.errors import ModemError, NoAnswer, SubmitOutcomeUnknown
from smsbox import sending
from smsbox.daemon_metrics import observe_sent
from smsbox.models import Message, MessagePart, Status

log = logging.getLogger(__name__)

DATABASE_RETRY = 1.0
# Messages a worker may claim at once: one claim's cost shared by this many sends.
# The claim itself takes fewer where modems share the queue's tail (smsbox.claims).
# A STOP that arrives meanwhile holds the messages after these.
CLAIM_BATCH = 16


class MessageSender:
    def __init__(
        self,
        modem_name: str,
        driver: ModemDriver,
        sessions: sessionmaker[Session],
        *,
        stop: threading.Event,
        pause: Callable[[float], None],
        pdu_request: Callable[[], PduRequest],
    ):
        self.modem_name = modem_name
        self.driver = driver
        self.sessions = sessions
        self.stop = stop
        # Waits while showing the worker's progress to the daemon.
        self._pause = pause
        # The account's message settings, as they are now.
        self._pdu_request = pdu_request
        # Messages claimed together and not sent yet, oldest first, in their session.
        self._claimed: deque[Message] = deque()
        self._session: Session | None = None
        # The last claim took nothing: the next one first asks whether any message waits.
        self._found_none = False

    def send_one(
        self,
        modem_id: int,
        deferred_to: Callable[[int], None] | None = None,
        *,
        commercial: bool = True,
        batch: int = 1,
    ) -> bool:
        """Send the next message this modem may send; False when there is none, or
        when another modem's turn came first (`deferred_to` hears which). Outside
        the sending hours (`commercial` False), only a transactional one. With
        nothing claimed left, claims up to `batch` (`sending.claim`) and sends the
        first: the next calls send the others.

        Raises ModemError when the modem must be reconnected: reconnecting settles
        the message, and those claimed with it (`sending.recover_unfinished`)."""
        if not self._claimed and not self._claim(modem_id, deferred_to, commercial, batch):
            return False
        assert self._session is not None
        message = self._claimed.popleft()
        try:
            self._send(self._session, message)
        except BaseException:
            self.forget_claimed()
            raise
        if not self._claimed:
            self.forget_claimed()
        return True

    def _claim(
        self,
        modem_id: int,
        deferred_to: Callable[[int], None] | None,
        commercial: bool,
        batch: int,
    ) -> bool:
        self.forget_claimed()
        session = self.sessions()
        try:
            if self._found_none and not sending.anything_queued(session):
                session.close()
                return False
            claimed = sending.claim(
                session, modem_id, deferred_to=deferred_to, commercial=commercial, batch=batch
            )
        except BaseException:
            session.close()
            raise
        self._found_none = not claimed
        if not claimed:
            session.close()
            return False
        self._session = session
        self._claimed.extend(claimed)
        return True

    def forget_claimed(self) -> None:
        """Drop the messages claimed and not sent, as they are in the database: whoever
        settles this modem's unfinished messages next puts them back in the queue."""
        self._claimed.clear()
        if self._session is not None:
            self._session.close()
            self._session = None

    def give_back(self) -> None:
        """Put the messages claimed and not sent back in the queue (the worker stops)."""
        if self._session is not None and self._claimed:
            for message in self._claimed:
                sending.settle(message)
            self._session.commit()
        self.forget_claimed()

    def _send(self, session: Session, message: Message) -> None:
        if not message.parts:
            try:
                parts = self.driver.split(message.number, message.body, self._pdu_request())
            except ValueError as error:
                sending.record_unsendable(message, str(error))
                session.commit()
                return
            sending.prepare_parts(message, parts)
        for part in sending.parts_to_send(message):
            if not self._send_part(session, message, part):
                return
        if message.status == Status.SENDING:  # no part was left to send
            self._commit_until_done(session, partial(sending.settle, message))
        if message.status == Status.SENT:
            observe_sent(message)
        log.info(
            "modem %s: message %d to %s %s (%d part(s))",
            self.modem_name,
            message.id,
            message.number,
            message.status,
            len(message.parts),
        )

    def _send_part(self, session: Session, message: Message, part: MessagePart) -> bool:
        """Submit one part; False when the message must wait (a refusal to retry later)."""

        def hand_over() -> None:
            sending.record_handover(part)
            session.commit()

        try:
            reference = self.driver.submit(part.pdu or "", hand_over)
        except SubmitOutcomeUnknown as error:
            # The port is in doubt: reconnecting settles the message (the parts not
            # handed over go out later; this one is never resent by itself).
            self._commit_until_done(
                session, partial(sending.record_unknown_outcome, part, str(error))
            )
            raise
        except NoAnswer:
            raise  # nothing was handed over: reconnecting puts the message back in the queue
        except ModemError as error:
            self._commit_until_done(
                session,
                partial(
                    sending.record_refusal, message, part, str(error), permanent=error.permanent
                ),
            )
            log.warning("modem %s: message %d not sent: %s", self.modem_name, message.id, error)
            return False
        self._commit_until_done(
            session, partial(sending.record_part_sent, message, part, reference)
        )
        return True

    def _commit_until_done(self, session: Session, change: Callable[[], None]) -> None:
        """Apply and commit what the modem just told: that knowledge exists nowhere
        else, so a locked or unreachable database is waited for, not given up on."""
        while True:
            try:
                change()
                session.commit()
                return
            except SQLAlchemyError as error:
                session.rollback()
                if self.stop.is_set():
                    raise
                log.warning(
                    "modem %s: cannot write to the database (%s); retrying", self.modem_name, error
                )
                self._pause(DATABASE_RETRY)
