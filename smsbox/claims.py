"""The statements of a claim (`smsbox.sending.claim`), built once and bound to
each claim's modem and time: a worker claims many times a second when the queue is
long, and building a statement costs more CPU than running it.

One statement takes a message: it picks the oldest claimable message that is the
modem's own, or free in its turn (routing's rule, `smsbox.routing.place_in_turn`, in
the statement), or to a number on the STOP list; it marks the first `sending` by the
modem and the last `blocked` with the reason; and it returns the row. A worker may
take up to `batch` messages at once (the oldest, in one round trip): a modem alone
always, a modem among peers (up, or being connected by a live daemon) while the
queue is long; at the queue's tail one at a time, so that the rule still shares the
last messages out. On PostgreSQL it
also records the modem's last claim, in a CTE, and reads its candidate `FOR UPDATE
SKIP LOCKED`, so that workers on many hosts each take a different row without
waiting on each other. SQLite cannot write in a CTE: the last claim is a second
statement there, in the same transaction; its single writer, taken as the first
statement starts, is its lock.

A claim that takes nothing while a message waits for another modem tells the idle
modem in turn (`sending.claim`): on its own daemon directly, on other hosts by a
NOTIFY on `TURN_CHANNEL` naming the modem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import ModuleType
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Integer,
    Select,
    String,
    Update,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    update,
)

from smsbox import routing
from smsbox.keywords import Kind
from smsbox.optouts import blocked_reason
from smsbox.tables import (
    Direction,
    Status,
    UTCDateTime,
    message_parts,
    messages,
    modems,
    opt_outs,
    written,
)

MODEM_ID = bindparam("modem_id", type_=Integer())
DUE = bindparam("due", type_=UTCDateTime())
SEEN_SINCE = bindparam("seen_since", type_=UTCDateTime())
BATCH = bindparam("batch", type_=Integer())

# The queue's order, oldest first, as `messages (status, id)` holds it.
QUEUE_ORDER = (messages.c.status, messages.c.id)

TURN_CHANNEL = "smsbox_turn"
# The turn passed to a modem that another daemon serves (PostgreSQL).
RING_ELSEWHERE = select(func.pg_notify(TURN_CHANNEL, cast(MODEM_ID, String)))

# Returned with each message taken: whether it has parts stored, which its sender reads
# (a message claimed again may have some whatever its attempts say).
HAS_PARTS = "has_parts"

# The answers to a number's own STOP or START go to it even while it is opted out.
ANSWERS_OWN_REQUEST = messages.c.keyword_reply.in_([written(Kind.OPT_OUT), written(Kind.OPT_IN)])


def parameters(modem_id: int, due: datetime, batch: int = 1) -> dict[str, Any]:
    return {
        "modem_id": modem_id,
        "due": due,
        "seen_since": due - routing.SILENT_AFTER,
        "batch": batch,
    }


@dataclass(frozen=True)
class ClaimStatements:
    # Messages taken or blocked (one, or up to `batch` for a modem alone), their rows
    # of `messages` returned in no particular order, each with HAS_PARTS.
    take: Executable
    # The modem's last claim, where `take` cannot write it itself (SQLite).
    last_claim: Update | None
    # The modem in turn when it sends nothing, while a message no modem was asked
    # for waits: the one to tell.
    idle_in_turn: Select[tuple[int]]


def _queued(on_postgresql: bool) -> ColumnElement[bool]:
    """A queued message. On PostgreSQL written `= ANY`, so that only `messages (status,
    id)` gives the queue's order: with `=`, the primary key gave it too, and PostgreSQL,
    taking the queued messages to be spread over the table when they are at its end,
    walked it from the first message ever stored, past every one sent or in flight
    (33 to 48 ms a claim behind 100,000 sent)."""
    if on_postgresql:
        return messages.c.status == any_(_postgresql().array([Status.QUEUED.value]))
    return messages.c.status == Status.QUEUED


def _postgresql() -> ModuleType:
    """PostgreSQL's dialect, loaded when a claim is first built for it: a daemon on
    SQLite never loads it (2 MB, tests/test_daemon_imports.py)."""
    from sqlalchemy.dialects import postgresql

    return postgresql


def _has_parts() -> ColumnElement[bool]:
    """Whether the message taken has parts stored; in the claim's RETURNING, where
    SQLite's statement names columns without their table, and a bare `id` in the
    subquery would be the part's own."""
    taken_id = literal_column(f"{messages.name}.{messages.c.id.name}")
    return select(message_parts.c.id).where(message_parts.c.message_id == taken_id).exists()


def _batch_size(claimable: list[ColumnElement[bool]]) -> ColumnElement[int]:
    """How many messages a claim takes: `batch` for a modem alone, and for one among
    peers while the queue still holds two batches for each modem; one at a time at
    the queue's tail, so that routing shares the last messages out."""
    peers = select(modems.c.id).where(modems.c.id != MODEM_ID, routing.serving(DUE, SEEN_SINCE))
    serving = select(func.count() + 1).select_from(peers.subquery()).scalar_subquery()
    long_queue = (
        select(messages.c.id)
        .where(*claimable)
        .order_by(*QUEUE_ORDER)
        .offset(serving * BATCH * 2 - 1)
        .limit(1)
        .exists()
    )
    return case((or_(~peers.exists(), long_queue), BATCH), else_=1)


@cache
def statements(*, commercial: bool, writes_in_ctes: bool, batched: bool) -> ClaimStatements:
    """The claim's statements outside (`commercial` False) or inside the sending hours,
    for a database that can (PostgreSQL) or cannot write in a CTE, taking one message
    or (`batched`) up to `batch` when no peer is up."""
    message = messages.c
    claimable = [
        message.direction == written(Direction.OUTBOUND),
        _queued(writes_in_ctes),
        or_(message.requested_modem_id.is_(None), message.requested_modem_id == MODEM_ID),
        or_(message.modem_id.is_(None), message.modem_id == MODEM_ID),
        or_(message.next_attempt_at.is_(None), message.next_attempt_at <= DUE),
    ]
    if not commercial:
        claimable.append(message.transactional.is_(True))
    free = (message.requested_modem_id.is_(None), message.modem_id.is_(None))
    # More messages for any modem wait than modems come before this one in turn.
    its_turn = (
        select(message.id)
        .where(*claimable, *free)
        .order_by(*QUEUE_ORDER)
        .offset(routing.place_in_turn(MODEM_ID, DUE, SEEN_SINCE))
        .limit(1)
        .exists()
    )
    how_many = _batch_size(claimable) if batched else 1
    blocked_because = case(
        (ANSWERS_OWN_REQUEST, None),
        else_=select(blocked_reason()).where(opt_outs.c.number == message.number).scalar_subquery(),
    )
    candidate = (
        select(message.id, blocked_because.label("blocked_because"))
        .where(
            *claimable,
            or_(
                blocked_because.is_not(None),
                message.requested_modem_id == MODEM_ID,
                message.modem_id == MODEM_ID,
                its_turn,
            ),
        )
        .order_by(*QUEUE_ORDER)
        .limit(how_many)
        .with_for_update(of=messages, skip_locked=True)
        .cte("candidate")
    )
    blocking = candidate.c.blocked_because.is_not(None)
    taken_rows = [message.id == candidate.c.id]
    if writes_in_ctes:
        # The rows by their keys: PostgreSQL cannot tell how many a batch's LIMIT
        # takes, guesses a tenth of the queue, and joined them to every message by a
        # walk of the primary key (26 ms a claim of 16 behind 100,000 sent).
        taken_rows.append(
            message.id
            == any_(
                cast(
                    select(func.array_agg(candidate.c.id)).scalar_subquery(),
                    _postgresql().ARRAY(Integer),
                )
            )
        )
    take: Executable = (
        update(messages)
        .where(*taken_rows)
        .values(
            status=case((blocking, Status.BLOCKED.value), else_=Status.SENDING.value),
            error=case((blocking, candidate.c.blocked_because), else_=message.error),
            modem_id=case((blocking, message.modem_id), else_=MODEM_ID),
            attempts=case((blocking, message.attempts), else_=message.attempts + 1),
        )
        .returning(*message, _has_parts().label(HAS_PARTS))
    )
    last_claim: Update | None = (
        update(modems).where(modems.c.id == MODEM_ID).values(last_claimed_at=DUE)
    )
    if writes_in_ctes:
        taken = take.cte("taken")
        took = select(taken.c.id).where(taken.c.status == Status.SENDING).exists()
        take = select(taken).add_cte(last_claim.where(took).cte("last_claim"))
        last_claim = None
    waiting = select(message.id).where(*claimable, *free).exists()
    return ClaimStatements(
        take=take,
        last_claim=last_claim,
        idle_in_turn=routing.idle_in_turn(MODEM_ID, DUE, SEEN_SINCE).where(waiting),
    )
