"""The daemon's record of each outbound message, part by part, as it goes to a modem.

A part is `queued` until its PDU is handed to the modem, `sending` from the
moment before the first byte of it is written until the modem answers, then
`sent` or back to `queued` (a refusal that a retry may cure) or `failed`. A
part whose answer never came is `interrupted`: it may be on the network, so
it is never resent automatically. The caller commits after each function, and
before the next modem command.

The functions of a part's life apply to the ORM's mapped messages and to the daemon's
plain ones (`smsbox.outgoing`) alike; the claims and the recovery run Core statements
on a `Session` or a `Connection`. Only `claim` and `claim_next`, which give mapped
messages to the web, the CLI and the tests, load the ORM, when called: the daemon's
sender claims rows (`claim_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Executable, Row, exists, select

from smsbox import claims, outgoing
from smsbox.dialect_sql import dialect_name
from smsbox.tables import Status, messages, utcnow
from smsbox.webhooks.events import connection_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smsbox.models import Message, MessagePart
    from smsbox.webhooks.events import Executor

    # The ORM's mapped messages or the daemon's plain ones: the same attributes.
    AnyMessage = Message | outgoing.OutgoingMessage
    AnyPart = MessagePart | outgoing.OutgoingPart

# A part the modem refused this many times fails the message.
MAX_PART_ATTEMPTS = 3
# Waits before the second and third tries: a congested network needs time.
RETRY_DELAYS = (timedelta(seconds=2), timedelta(seconds=15))
ANY_QUEUED = select(exists().where(messages.c.status == Status.QUEUED))


def claim_next(
    session: Session,
    modem_id: int,
    now: datetime | None = None,
    *,
    ring: Callable[[int], bool] | None = None,
    commercial: bool = True,
) -> Message | None:
    """The oldest queued message this modem may send, taken, or None (`claim`)."""
    taken = claim(session, modem_id, now, ring=ring, commercial=commercial)
    return taken[0] if taken else None


def claim(
    session: Session,
    modem_id: int,
    now: datetime | None = None,
    *,
    batch: int = 1,
    ring: Callable[[int], bool] | None = None,
    commercial: bool = True,
) -> list[Message]:
    """Atomically take the oldest queued messages this modem may send, oldest first:
    up to `batch` while no other sending modem shares the queue or while it is long,
    one at its tail (`smsbox.claims`); none when none is there. Commits the claim.

    A message asked of another modem is never taken; one no modem was asked for is
    taken only in this modem's turn (`smsbox.routing`). A claim that took none while
    such a message waits tells the idle modem whose turn it is: `ring` hears which, and
    says whether that modem is one of the caller's (whom it woke); the daemons of the
    others hear it from the database (PostgreSQL). A message with a part already on
    the network stays with its modem: parts from two SIMs would reach the phone from
    two numbers and never be joined. A message to a number on the STOP list ends
    `blocked` instead, whoever's turn it is: the list is checked now rather than when
    queued, so a STOP also holds what was queued before it; only the answers to the
    number's own STOP or START go. Outside the sending hours (`commercial` False)
    only transactional messages are taken.

    A message taken stays `sending`, with no part handed over, until the caller
    sends it: if the daemon dies first, `recover_unfinished` puts it back in the
    queue, neither lost nor sent twice.

    The messages are taken, or blocked, by one statement (`smsbox.claims`). On
    PostgreSQL, unless the caller has a transaction open, that statement runs outside
    any, committed as it ends: a claim is one round trip to the server.

    The messages come as mapped objects, for the web, the CLI and the tests: the ORM
    is loaded at the first call (the daemon claims rows, `claim_rows`).
    """
    from sqlalchemy.orm.attributes import set_committed_value

    claimed = _claim(session, modem_id, now, batch, ring, commercial, _as_messages)
    for message in claimed:
        if message.attempts == 1:
            # Parts are made once a message is claimed: at its first claim it has
            # none, and the database need not be asked.
            set_committed_value(message, "parts", [])
    return claimed


def claim_rows(
    executor: Executor,
    modem_id: int,
    now: datetime | None = None,
    *,
    batch: int = 1,
    ring: Callable[[int], bool] | None = None,
    commercial: bool = True,
) -> list[Row[Any]]:
    """As `claim`, the messages taken as rows of `messages`, not as mapped objects:
    for the sender, which sends them as `smsbox.outgoing.OutgoingMessage` (loading a
    mapped message it then copied cost about as much CPU as the claim's SQL)."""
    return _claim(executor, modem_id, now, batch, ring, commercial, _as_rows)


def _as_messages(session: Session, take: Executable, parameters: dict[str, Any]) -> Sequence[Any]:
    return session.scalars(_entities(take), parameters).all()


def _as_rows(executor: Executor, take: Executable, parameters: dict[str, Any]) -> Sequence[Any]:
    return executor.execute(take, parameters).all()


@cache
def _entities(take: Executable) -> Executable:
    """The claim's statement, its rows loaded as mapped messages; built once a claim's."""
    from smsbox.models import Message

    return select(Message).from_statement(take).execution_options(populate_existing=True)


def _claim(
    executor: Executor,
    modem_id: int,
    now: datetime | None,
    batch: int,
    ring: Callable[[int], bool] | None,
    commercial: bool,
    read: Callable[[Executor, Executable, dict[str, Any]], Sequence[Any]],
) -> list[Any]:
    due = now or utcnow()
    statements = claims.statements(
        commercial=commercial,
        writes_in_ctes=dialect_name(executor) == "postgresql",
        batched=batch > 1,
    )
    parameters = claims.parameters(modem_id, due, batch)
    with _outside_a_transaction(executor):
        while taken := read(executor, statements.take, parameters):
            claimed = sorted(
                (message for message in taken if message.status == Status.SENDING),
                key=attrgetter("id"),
            )
            if not claimed:  # all blocked: look again
                continue
            if statements.last_claim is not None:
                connection_of(executor).execute(statements.last_claim, parameters)
            executor.commit()
            return claimed
        if ring is not None:
            _ring_in_turn(executor, statements, parameters, ring)
        executor.commit()
    return []


def _ring_in_turn(
    executor: Executor,
    statements: claims.ClaimStatements,
    parameters: dict[str, Any],
    ring: Callable[[int], bool],
) -> None:
    """Tell the idle modem in turn, if another, that a message waits for it: it may
    have missed the news (each idle worker looks again by itself only now and then)."""
    in_turn = executor.scalar(statements.idle_in_turn, parameters)
    if in_turn is None or in_turn == parameters["modem_id"] or ring(in_turn):
        return
    if dialect_name(executor) == "postgresql":
        executor.execute(claims.RING_ELSEWHERE, {"modem_id": in_turn})


def anything_queued(executor: Executor) -> bool:
    """Whether any message waits in the queue, whoever may send it: one read of an
    index, for a worker that found nothing at its last claim. A claim costs several
    times more and, on SQLite, takes the writers' lock even when it takes nothing:
    the idle workers of a daemon serving 8 modems spent 9 % of a core claiming
    nothing twice a second each. On PostgreSQL, unless the caller has a transaction
    open, outside any, as the claim that may follow: one round trip each, where a
    BEGIN before the read and a COMMIT after the claim made it four."""
    with _outside_a_transaction(executor) as outside:
        found = bool(executor.scalar(ANY_QUEUED))
        if outside:
            executor.commit()  # nothing to commit: the claim starts afresh
    return found


@contextmanager
def _outside_a_transaction(executor: Executor) -> Iterator[bool]:
    """On PostgreSQL, unless `executor` has a transaction open already, its statements
    in the block commit as each ends; whether they do. A Session's connection is
    given back, as it was, at the block's commit; a Connection, kept by its caller
    across its commits (the daemon's), is itself again after the block."""
    if dialect_name(executor) != "postgresql" or executor.in_transaction():
        yield False
        return
    if not isinstance(executor, Connection):
        executor.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield True
        return
    # Through the dialect, not the Connection's execution options: each change of
    # those queues its undoing until the connection goes back to its pool, and a
    # sender's connection claims thousands of times before it does.
    driver_connection = executor.connection.dbapi_connection
    executor.dialect.set_isolation_level(driver_connection, "AUTOCOMMIT")
    try:
        yield True
    finally:
        if not executor.invalidated:  # a connection lost is not given back to its pool
            executor.dialect.reset_isolation_level(driver_connection)


def prepare_parts(
    message: AnyMessage,
    pdus: list[str],
    *,
    part: Callable[..., Any] | None = None,
) -> None:
    """Give the message its parts' PDUs, once: the commit of the first part's
    handover writes them all (a resumed message keeps its concatenation reference;
    a message put back before anything went out is encoded again). `part` makes
    them: the sender's own (`smsbox.outgoing`), or by default the ORM's."""
    if message.parts:
        return
    if part is None:
        from smsbox.models import MessagePart as part
    for number, pdu in enumerate(pdus, start=1):
        message.parts.append(part(part_number=number, pdu=pdu, status=Status.QUEUED, attempts=0))


def record_unsendable(message: AnyMessage, reason: str) -> None:
    """No SMS can carry this message (python-gammu could not encode it)."""
    message.status = Status.FAILED
    message.error = reason


def parts_to_send(message: AnyMessage) -> list[AnyPart]:
    return [part for part in message.parts if part.status == Status.QUEUED]


def record_handover(part: AnyPart) -> None:
    """The PDU is about to be written: from here on its outcome may become unknown."""
    part.status = Status.SENDING
    part.attempts += 1


def record_not_handed_over(part: AnyPart) -> None:
    """The modem never asked for the part's PDU, after its handover was recorded:
    nothing of it was written, and this try counts for nothing."""
    if part.status == Status.SENDING:
        part.status = Status.QUEUED
        part.attempts -= 1


def record_part_sent(message: AnyMessage, part: AnyPart, reference: int | None) -> None:
    """The modem answered with the part's reference; after the last part waiting,
    the message is settled in the same transaction."""
    part.status = Status.SENT
    part.reference = reference
    part.sent_at = utcnow()
    part.error = None
    if all(other.status not in (Status.QUEUED, Status.SENDING) for other in message.parts):
        settle(message)


def record_refusal(
    message: AnyMessage,
    part: AnyPart,
    error: str,
    *,
    permanent: bool,
    now: datetime | None = None,
) -> None:
    """The modem answered the submission of `part` with an error: nothing went out."""
    if part.status != Status.SENDING:  # refused at the prompt, before the handover
        part.attempts += 1
    part.error = error
    where = f"part {part.part_number} of {len(message.parts)}: " if len(message.parts) > 1 else ""
    if permanent or part.attempts >= MAX_PART_ATTEMPTS:
        part.status = Status.FAILED
        message.status = Status.FAILED
        message.error = where + error + _fragment_note(message)
        return
    part.status = Status.QUEUED
    message.status = Status.QUEUED
    message.error = where + error
    message.next_attempt_at = (now or utcnow()) + RETRY_DELAYS[part.attempts - 1]


def record_unknown_outcome(part: AnyPart, error: str) -> None:
    part.status = Status.INTERRUPTED
    part.error = error


def settle(message: AnyMessage) -> None:
    """Give a message that is not being sent right now the state its parts make:
    queued while some part waits, else sent, or interrupted when some part's
    outcome is unknown."""
    if any(part.status == Status.SENDING for part in message.parts):
        raise ValueError(f"message {message.id} has a part in the modem's hands")
    if message.status == Status.FAILED:
        return
    if not message.parts or parts_to_send(message):
        message.status = Status.QUEUED
        if not any(part.status != Status.QUEUED for part in message.parts):
            message.modem_id = None  # nothing left the box: any modem may send it
        return
    uncertain = [part for part in message.parts if part.status == Status.INTERRUPTED]
    if uncertain:
        message.status = Status.INTERRUPTED
        message.error = _uncertain_note(message, uncertain)
        return
    message.status = Status.SENT
    # When its last part went: settled later (a sender's row held, `smsbox.outgoing`,
    # or after a crash), it was sent all the same.
    message.sent_at = max(part.sent_at or utcnow() for part in message.parts)
    message.error = None
    message.next_attempt_at = None


def recover_unfinished(executor: Executor, modem_id: int) -> list[outgoing.OutgoingMessage]:
    """After a crash or a lost modem: what was mid-send on `modem_id` is settled, with
    the webhook events of the messages it settles.

    A part that was in the modem's hands becomes interrupted; parts never handed
    over are sent later. Returns the messages that ended interrupted.
    """
    rows = executor.execute(
        select(messages)
        .where(messages.c.modem_id == modem_id, messages.c.status == Status.SENDING)
        .order_by(messages.c.id)
    ).all()
    unfinished = outgoing.in_flight(executor, rows)
    ledger = outgoing.Ledger()
    ledger.track(unfinished)
    for message in unfinished:
        for part in message.parts:
            if part.status == Status.SENDING:
                record_unknown_outcome(part, "the modem took this part and never answered")
        settle(message)
    ledger.write(executor)
    return [message for message in unfinished if message.status == Status.INTERRUPTED]


class ResendRefused(ValueError):
    """Only an interrupted message can be resent by hand."""


def uncertain_parts(message: AnyMessage) -> list[int]:
    """Numbers of the parts that may have reached the recipient though no answer said so."""
    return [part.part_number for part in message.parts if part.status == Status.INTERRUPTED]


def resend_interrupted(message: AnyMessage) -> None:
    """A person decided: the parts whose outcome is unknown go out again."""
    if message.status != Status.INTERRUPTED:
        raise ResendRefused(f"message {message.id} is {message.status}, not interrupted")
    for part in message.parts:
        if part.status == Status.INTERRUPTED:
            part.status = Status.QUEUED
    message.status = Status.QUEUED
    message.error = None
    message.next_attempt_at = None


def _uncertain_note(message: AnyMessage, uncertain: list[AnyPart]) -> str:
    numbers = ", ".join(str(part.part_number) for part in uncertain)
    which = f"part(s) {numbers} of {len(message.parts)}" if len(message.parts) > 1 else "it"
    return (
        f"the modem took {which} and never answered: the recipient may have it. "
        f"Resend only if they did not (smsbox resend {message.id})"
    )


def _fragment_note(message: AnyMessage) -> str:
    sent = [part.part_number for part in message.parts if part.status == Status.SENT]
    if not sent:
        return ""
    return f" (part(s) {', '.join(map(str, sent))} already sent: the recipient has a fragment)"
