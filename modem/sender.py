"""Sending one modem's queued messages, part by part (`smsbox.sending` names the
states). Every state is committed before the modem command that depends on it,
and what the modem answered is committed whatever it takes.

One commit a part: what the modem answered of a part is committed with the
handover of the next, while the modem answers that one's AT+CMGS with its prompt,
so that the database's work overlaps the line's. Anything else the worker does
first (the last claimed part sent, an event, a fault) commits it before.

The next claim is made while the modem takes the last part claimed, not once it
answered, when the last claim took a full batch of CLAIM_BATCH (the queue is long:
the claim kept the line idle about 10 ms every batch) or one message of a batch
(modems share the queue's tail and take one each: the claim and the answer's commit
stood between each message and the next)."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from modem.drivers.contract import ModemDriver, PduRequest
from modem.errors import ModemError, NoAnswer, SubmitOutcomeUnknown
from smsbox import outgoing, sending
from smsbox.daemon_metrics import observe_sent
from smsbox.outgoing import Ledger, OutgoingMessage, OutgoingPart
from smsbox.tables import Status

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from modem.connections import Connections

log = logging.getLogger(__name__)

DATABASE_RETRY = 1.0
# Messages a worker may claim at once: one claim's cost shared by this many sends.
# The claim itself takes fewer where modems share the queue's tail (smsbox.claims).
# A STOP that arrives meanwhile holds the messages after these.
CLAIM_BATCH = 16


@dataclass(frozen=True)
class ClaimTerms:
    """What `sending.claim` is asked for a modem, as `send_one` was called."""

    modem_id: int
    ring: Callable[[int], bool] | None
    commercial: bool
    batch: int

    def claim(self, session: Connection) -> list[OutgoingMessage]:
        rows = sending.claim_rows(
            session, self.modem_id, ring=self.ring, commercial=self.commercial, batch=self.batch
        )
        return outgoing.claimed(session, rows)


class MessageSender:
    def __init__(
        self,
        modem_name: str,
        driver: ModemDriver,
        sessions: Connections,
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
        # Messages claimed together and not sent yet, oldest first.
        self._claimed: deque[OutgoingMessage] = deque()
        # What the database holds of those being sent, written through Core at each
        # commit. A message joins it as its sending starts: until then it does not
        # change, and each commit would compare it with itself.
        self._ledger = Ledger()
        # The last claim took nothing: the next one first asks whether any message waits.
        self._found_none = False
        # What the modem answered of the last part sent: applied to its message in
        # memory, to be committed with the next handover (`write_answers`). Applied
        # again should that commit fail: the modem said it all the same.
        self._unwritten: Callable[[], None] | None = None
        # The last message sent, its log line and metric not given yet: given while
        # the modem takes the next part (`_prepare_next`), or before anything else is
        # committed. Given at once, they kept the line idle 0.14 ms (median) between
        # the modem's OK and the next AT+CMGS.
        self._untold: OutgoingMessage | None = None
        # The PDUs of the next message claimed, made while the modem took a part.
        self._encoded: tuple[OutgoingMessage, list[str]] | None = None
        # The terms of the current `send_one`, and whether the next claim is made while
        # the modem takes the last part claimed (`_claim_ahead`).
        self._terms: ClaimTerms | None = None
        self._ahead = False
        # Why that claim failed: raised once the part is answered, as a claim's own.
        self._claim_failure: SQLAlchemyError | None = None

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
        first: the next calls send the others. After a claim that took a full batch
        of CLAIM_BATCH or one message, the next is claimed while the modem takes the
        last part claimed (not when `batch` is 1: a rate limit or a cap counts each
        message as it goes).
        Routing's rule still decides: this modem's message in flight puts it after
        every idle modem in turn.

        What the modem answered of the message's last part is committed with the
        next message's handover, or before this returns when none was claimed with
        it: until then, `write_answers` commits it.

        Raises ModemError when the modem must be reconnected: reconnecting settles
        the message, and those claimed with it (`sending.recover_unfinished`)."""
        self._terms = ClaimTerms(modem_id, ring, commercial, batch)
        if not self._claimed and not self._claim(self._terms):
            return False
        message = self._claimed.popleft()
        self._ledger.track([message])
        try:
            self._send(message)
        except Exception:
            self.write_answers()
            self.forget_claimed()
            raise
        except BaseException:
            self.forget_claimed()
            raise
        if not self._claimed:
            failure = self._claim_failure
            self.write_answers()
            self.forget_claimed()
            if failure is not None:
                raise failure
        return True

    def told_of_work(self) -> None:
        """From another thread: a message was queued, or the turn passed to this modem;
        the next claim need not first ask whether any message waits (64 workers woken
        at once each asked, a round trip before their claim)."""
        self._found_none = False

    def write_answers(self) -> None:
        """Commit what the modem answered and is not committed yet (applied again:
        a failed commit since put the messages back as the database holds them) and
        the messages sent whose rows wait, and tell the last message sent."""
        if self._unwritten is not None or self._ledger.holds_sent:
            self._commit_until_done(self._unwritten or _nothing)
        self._tell_sent()

    def _claim(self, terms: ClaimTerms) -> bool:
        self.forget_claimed()
        with self._connection() as connection:
            if self._found_none and not sending.anything_queued(connection):
                return False
            claimed = terms.claim(connection)
        if not claimed:
            self._found_none = True
            return False
        self._take(claimed, terms)
        return True

    def _commit(self, *, hold_sent: bool = False) -> None:
        """Write what changed of the messages being sent, and commit (`hold_sent`: the
        rows of those sent may wait, `Ledger.commit`)."""
        with self._connection() as connection:
            self._ledger.commit(connection, hold_sent=hold_sent)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A connection for one claim or commit (`modem.connections`: the worker's own,
        or one from the pool when SQLite's keeps fewer than one a modem). Rolled back
        when that failed, as a Session the tests give must be."""
        with self.sessions() as connection:
            try:
                yield connection
            except BaseException:
                connection.rollback()
                raise

    def _take(self, claimed: list[OutgoingMessage], terms: ClaimTerms) -> None:
        self._found_none = False
        self._claimed.extend(claimed)
        # A full batch says the queue is long; one message of a batch, that modems
        # share its tail and take one each: either way the next claim is due soon.
        long_queue = terms.batch >= CLAIM_BATCH and len(claimed) == terms.batch
        self._ahead = long_queue or (terms.batch > 1 and len(claimed) == 1)

    def _claim_ahead(self) -> None:
        """While the modem takes the last part claimed, when the last claim says so and
        the worker still claims batches (no rate limit or cap came meanwhile): the
        next claim (the part's answer is committed with the next handover). A
        database that fails then fails `send_one` once the part is answered: the
        worker settles what the claim may have taken, as after a claim of its own
        that failed."""
        terms = self._terms
        if self._claimed or not self._ahead or terms is None or terms.batch == 1:
            return
        self._ahead = False
        try:
            with self._connection() as connection:
                claimed = terms.claim(connection)
        except SQLAlchemyError as error:
            self._claim_failure = error
            return
        if claimed:
            self._take(claimed, terms)
        else:
            self._found_none = True

    def forget_claimed(self) -> None:
        """Drop the messages claimed and not sent, as they are in the database: whoever
        settles this modem's unfinished messages next puts them back in the queue
        (and a part whose answer was not written, interrupted)."""
        self._tell_sent()
        self._unwritten = None
        self._encoded = None
        self._ahead = False
        self._claim_failure = None
        self._claimed.clear()
        self._ledger.forget()

    def give_back(self) -> None:
        """Put the messages claimed and not sent back in the queue (the worker stops)."""
        self.write_answers()
        if self._claimed:
            self._ledger.track(list(self._claimed))
            for message in self._claimed:
                sending.settle(message)
            self._commit()
        self.forget_claimed()

    def _send(self, message: OutgoingMessage) -> None:
        if not message.parts:
            try:
                parts = self._pdus_of(message)
            except ValueError as error:
                self._commit_until_done(partial(sending.record_unsendable, message, str(error)))
                return
            sending.prepare_parts(message, parts, part=OutgoingPart)
        for part in sending.parts_to_send(message):
            if not self._send_part(message, part):
                return
        if message.status == Status.SENDING:  # no part was left to send
            self._commit_until_done(partial(sending.settle, message))
        self._untold = message

    def _tell_sent(self) -> None:
        """The log line and the metric of the last message sent, if not given yet."""
        message, self._untold = self._untold, None
        if message is None:
            return
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

    def _prepare_next(self) -> None:
        """While the modem takes a part: the next batch when due, and the next
        message's PDUs."""
        self._tell_sent()
        self._claim_ahead()
        self._encode_next()

    def _encode_next(self) -> None:
        """The PDUs of the next message claimed, when its parts are known to be none
        yet. One that cannot be encoded is left to `_send`."""
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

    def _send_part(self, message: OutgoingMessage, part: OutgoingPart) -> bool:
        """Submit one part; False when the message must wait (a refusal to retry later)."""

        def hand_over() -> None:
            sending.record_handover(part)
            try:
                # The messages sent are written later: no one reads them meanwhile,
                # and the worker writes them before it reads any report (`write_answers`).
                self._commit(hold_sent=True)
            except SQLAlchemyError:
                self.write_answers()  # only the handover failed: the part is not sent
                raise
            self._unwritten = None

        try:
            reference = self.driver.submit(part.pdu or "", hand_over, self._prepare_next)
        except SubmitOutcomeUnknown as error:
            # The port is in doubt: reconnecting settles the message (the parts not
            # handed over go out later; this one is never resent by itself).
            self._commit_until_done(partial(sending.record_unknown_outcome, part, str(error)))
            raise
        except NoAnswer:
            # Nothing of the part was written: reconnecting puts the message back in
            # the queue, once a handover committed while the prompt was awaited is undone.
            self._commit_until_done(partial(sending.record_not_handed_over, part))
            raise
        except ModemError as error:
            self._commit_until_done(
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

    def _commit_until_done(self, change: Callable[[], None]) -> None:
        """Apply and commit what the modem just told: that knowledge exists nowhere
        else, so a locked or unreachable database is waited for, not given up on."""
        while True:
            try:
                change()
                # The last message sent is told once `change` applied what it waits for:
                # a failed handover put it back as committed, write_answers applies its
                # answer again.
                self._tell_sent()
                self._commit()
                self._unwritten = None
                return
            except SQLAlchemyError as error:
                if self._unwritten is not None:
                    self._unwritten()
                if self.stop.is_set():
                    raise
                log.warning(
                    "modem %s: cannot write to the database (%s); retrying", self.modem_name, error
                )
                self._pause(DATABASE_RETRY)


def _nothing() -> None:
    """No answer to apply: a commit of what the ledger holds."""
