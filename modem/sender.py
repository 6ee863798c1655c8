"""Sending one modem's queued messages, part by part (`smsbox.sending` names the
states). Every state is committed before the modem command that depends on it,
and what the modem answered is committed whatever it takes.

One commit a part: what the modem answered of a part is committed with the
handover of the next, while the modem answers that one's AT+CMGS with its prompt,
so that the database's work overlaps the line's. Anything else the worker does
first (the last claimed part sent, an event, a fault) commits it before."""

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
from smsbox.models import Status
from smsbox.outgoing import Ledger, OutgoingMessage, OutgoingPart

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
        self._claimed: deque[OutgoingMessage] = deque()
        self._session: Session | None = None
        # What the database holds of them, written through Core at each commit.
        self._ledger = Ledger()
        # The last claim took nothing: the next one first asks whether any message waits.
        self._found_none = False
        # What the modem answered of the last part sent: applied to its message in the
        # session, to be committed with the next handover (`write_answers`). Applied
        # again should the session roll back: the modem said it all the same.
        self._unwritten: Callable[[], None] | None = None
        # The PDUs of the next message claimed, made while the modem took a part.
        self._encoded: tuple[OutgoingMessage, list[str]] | None = None
        # How the message being sent was claimed, to claim the next one the same way
        # while the modem takes it; None: nothing is claimed ahead (`send_one`).
        self._claim_ahead: Callable[[Session], None] | None = None

    def send_one(
        self,
        modem_id: int,
        ring: Callable[[int], bool] | None = None,
        *,
        commercial: bool = True,
        batch: int = 1,
    ) -> bool:
        """Send the next message this modem may send; False when there is none, or
        when another modem's turn came first (`ring` hears whose turn it is now,
        `sending.claim`). Outside
        the sending hours (`commercial` False), only a transactional one. With
        nothing claimed left, claims up to `batch` (`sending.claim`) and sends the
        first: the next calls send the others. When a claim took one message of
        `batch`, claims again the same way while the modem takes that message, so
        that the next goes as soon as the modem answers (not when `batch` is 1: a
        rate limit or a cap counts each message as it goes). Routing's rule still
        decides: this modem's message in flight puts it after every idle modem in
        turn.

        What the modem answered of the message's last part is committed with the
        next message's handover, or before this returns when none was claimed with
        it: until then, `write_answers` commits it.

        Raises ModemError when the modem must be reconnected: reconnecting settles
        the message, and those claimed with it (`sending.recover_unfinished`)."""
        if not self._claimed:
            take = partial(
                self._take, modem_id=modem_id, ring=ring, commercial=commercial, batch=batch
            )
            if not self._claim(take):
                return False
            # A claim of one (modems sharing the queue's tail) is what each message
            # waits for between two sends; a batch's is shared by its messages.
            if batch > 1 and len(self._claimed) == 1:
                self._claim_ahead = take
        assert self._session is not None
        message = self._claimed.popleft()
        try:
            self._send(self._session, message)
        except Exception:
            self.write_answers()
            self.forget_claimed()
            raise
        except BaseException:
            self.forget_claimed()
            raise
        if not self._claimed:
            self.write_answers()
            self.forget_claimed()
        return True

    def told_of_work(self) -> None:
        """From another thread: a message was queued, or the turn passed to this modem;
        the next claim need not first ask whether any message waits (64 workers woken
        at once each asked, a round trip before their claim)."""
        self._found_none = False

    def write_answers(self) -> None:
        """Commit what the modem answered and is not committed yet (applied again:
        a rollback since may have taken it from the session)."""
        if self._unwritten is not None:
            assert self._session is not None
            self._commit_until_done(self._session, self._unwritten)

    def _claim(self, take: Callable[[Session], None]) -> bool:
        self.forget_claimed()
        session = self.sessions()
        try:
            take(session)
        except BaseException:
            session.close()
            raise
        if not self._claimed:
            session.close()
            return False
        self._session = session
        return True

    def _take(
        self,
        session: Session,
        *,
        modem_id: int,
        ring: Callable[[int], bool] | None,
        commercial: bool,
        batch: int,
    ) -> None:
        """Claim in `session` (`sending.claim`), the messages taken joining those claimed."""
        if self._found_none and not sending.anything_queued(session):
            session.rollback()  # the read's transaction, which wrote nothing
            return
        claimed = sending.claim(session, modem_id, ring=ring, commercial=commercial, batch=batch)
        self._found_none = not claimed
        messages = [OutgoingMessage.of(message) for message in claimed]
        self._ledger.track(messages)
        self._claimed.extend(messages)

    def _while_the_modem_takes_a_part(self) -> None:
        if not self._claimed and self._claim_ahead is not None:
            self._take_ahead(self._claim_ahead)
        self._encode_next()

    def _take_ahead(self, take: Callable[[Session], None]) -> None:
        """Claim the next messages in the session of the one being sent, whose handover
        is committed and whose answer is not applied yet: nothing of it is pending."""
        assert self._session is not None
        try:
            take(self._session)
        except SQLAlchemyError as error:
            # The part on its way is not to be disturbed: the next step claims again.
            self._session.rollback()
            log.warning("modem %s: cannot claim the next message yet: %s", self.modem_name, error)
        if not self._claimed:  # none waits for this modem: its next step looks again
            self._claim_ahead = None

    def forget_claimed(self) -> None:
        """Drop the messages claimed and not sent, as they are in the database: whoever
        settles this modem's unfinished messages next puts them back in the queue
        (and a part whose answer was not written, interrupted)."""
        self._unwritten = None
        self._encoded = None
        self._claim_ahead = None
        self._claimed.clear()
        self._ledger.forget()
        if self._session is not None:
            self._session.close()
            self._session = None

    def give_back(self) -> None:
        """Put the messages claimed and not sent back in the queue (the worker stops)."""
        self.write_answers()
        if self._session is not None and self._claimed:
            for message in self._claimed:
                sending.settle(message)
            self._ledger.commit(self._session)
        self.forget_claimed()

    def _send(self, session: Session, message: OutgoingMessage) -> None:
        if not message.parts:
            try:
                parts = self._pdus_of(message)
            except ValueError as error:
                self._commit_until_done(
                    session, partial(sending.record_unsendable, message, str(error))
                )
                return
            sending.prepare_parts(message, parts, part=OutgoingPart)
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

    def _pdus_of(self, message: OutgoingMessage) -> list[str]:
        encoded, self._encoded = self._encoded, None
        if encoded is not None and encoded[0] is message:
            return encoded[1]
        return self.driver.split(message.number, message.body, self._pdu_request())

    def _encode_next(self) -> None:
        """While the modem takes a part: the PDUs of the next message claimed, when its
        parts are known to be none yet. One that cannot be encoded is left to `_send`."""
        if not self._claimed or self._encoded is not None:
            return
        message = self._claimed[0]
        if message.parts:
            return
        try:
            self._encoded = (
                message,
                self.driver.split(message.number, message.body, self._pdu_request()),
            )
        except ValueError:
            return

    def _send_part(self, session: Session, message: OutgoingMessage, part: OutgoingPart) -> bool:
        """Submit one part; False when the message must wait (a refusal to retry later)."""

        def hand_over() -> None:
            sending.record_handover(part)
            try:
                self._ledger.commit(session)
            except SQLAlchemyError:
                session.rollback()
                self.write_answers()  # only the handover failed: the part is not sent
                raise
            self._unwritten = None

        try:
            reference = self.driver.submit(
                part.pdu or "", hand_over, self._while_the_modem_takes_a_part
            )
        except SubmitOutcomeUnknown as error:
            # The port is in doubt: reconnecting settles the message (the parts not
            # handed over go out later; this one is never resent by itself).
            self._commit_until_done(
                session, partial(sending.record_unknown_outcome, part, str(error))
            )
            raise
        except NoAnswer:
            # Nothing of the part was written: reconnecting puts the message back in
            # the queue, once a handover committed while the prompt was awaited is undone.
            self._commit_until_done(session, partial(sending.record_not_handed_over, part))
            raise
        except ModemError as error:
            self._commit_until_done(
                session,
                partial(
                    sending.record_refusal, message, part, str(error), permanent=error.permanent
                ),
            )
            log.warning("modem %s: message %d not sent: %s", self.modem_name, message.id, error)
            return False
        answer = partial(sending.record_part_sent, message, part, reference)
        answer()
        self._unwritten = answer
        return True

    def _commit_until_done(self, session: Session, change: Callable[[], None]) -> None:
        """Apply and commit what the modem just told: that knowledge exists nowhere
        else, so a locked or unreachable database is waited for, not given up on."""
        while True:
            try:
                change()
                self._ledger.commit(session)
                self._unwritten = None
                return
            except SQLAlchemyError as error:
                session.rollback()
                if self._unwritten is not None:
                    self._unwritten()
                if self.stop.is_set():
                    raise
                log.warning(
                    "modem %s: cannot write to the database (%s); retrying", self.modem_name, error
                )
                self._pause(DATABASE_RETRY)
