"""The messages a modem's sender claimed, as plain objects written through Core.

The sender commits once a part; through the ORM, each commit's flush (an insert of
the part, two updates) cost about 2 ms of CPU here for 0.25 to 0.8 ms of SQL: the
unit of work, not the database. The functions of `smsbox.sending` apply to these
objects as to the ORM's (the same attributes); before each commit, `Ledger` writes
what changed since the last one with statements compiled once, and queues the
webhook events of the messages whose state changed (`smsbox.webhooks.events`: the
same events the ORM's flush would queue, in the same transaction). A failed commit
puts the objects back as the database holds them, as the ORM's expiry would.

A commit may hold back the row of a message it finds sent (`commit(hold_sent=True)`:
the sender's handover of the next part), its parts written: the next commit without it
writes the rows held, up to HELD_AT_MOST. Updating a message's status touches seven
of its indexes and the hourly counts, 60 of the 110 µs SQLite took for each such
commit; once for a batch of rows, each costs a fraction of that. A message held is
`sending` in the database with every part sent, which `sending.recover_unfinished`
settles as sent should the sender stop before writing it.

The parts that changed are written by one statement, whether new or not (an insert
that updates the part already there, by its message and number): a commit that
records the modem's answer to a part and hands over the next, the send's usual one,
ran an update and an insert, and each statement through SQLAlchemy cost more CPU
than SQLite took to run it. Only a part the ledger read or wrote is updated so: a
part made anew whose number its message has stored already is a sender's mistake
(it would hand over again what may be on the network), refused as the insert it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Connection,
    Insert,
    Row,
    RowMapping,
    Table,
    Update,
    bindparam,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from smsbox import claims
from smsbox.dialect_sql import upsert_insert
from smsbox.tables import Direction, Status, message_parts, messages
from smsbox.webhooks import events

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Messages a commit may hold back sent (`Ledger.commit`): the next commits write them.
HELD_AT_MOST = 16

# What sending changes of a message and of a part, written when changed.
MESSAGE_CHANGES = ("status", "error", "sent_at", "next_attempt_at", "modem_id")
PART_CHANGES = ("status", "attempts", "reference", "error", "sent_at")


@dataclass(eq=False)
class OutgoingPart:
    part_number: int
    pdu: str | None
    status: Status
    attempts: int = 0
    reference: int | None = None
    error: str | None = None
    sent_at: datetime | None = None
    # None for a part made by this sender (its row is found by message and number).
    id: int | None = None


@dataclass(eq=False)
class OutgoingMessage:
    id: int
    direction: Direction
    number: str
    body: str
    status: Status
    error: str | None
    attempts: int
    created_at: datetime
    scheduled_at: datetime | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    modem_id: int | None
    callback_data: str | None
    parts: list[OutgoingPart] = field(default_factory=list)


_MESSAGE_FIELDS = [entry.name for entry in fields(OutgoingMessage) if entry.name != "parts"]
_PART_FIELDS = [entry.name for entry in fields(OutgoingPart)]
_PARTS_OF = (
    select(message_parts.c.message_id, *(message_parts.c[name] for name in _PART_FIELDS))
    .where(message_parts.c.message_id.in_(bindparam("ids", expanding=True)))
    .order_by(message_parts.c.message_id, message_parts.c.part_number)
)


def claimed(session: Session, rows: Sequence[Row[Any]]) -> list[OutgoingMessage]:
    """The messages claimed (`smsbox.sending.claim_rows`), with their parts: read, in
    one statement, only for those the claim says have some stored. Not by their
    attempts: a message claimed before may have none, and one claimed again parts
    handed over already (the sender must never make them anew)."""
    return _with_parts(session, rows, [row._mapping[claims.HAS_PARTS] for row in rows])


def in_flight(session: Session, rows: Sequence[Row[Any]]) -> list[OutgoingMessage]:
    """Messages found `sending` (`smsbox.sending.recover_unfinished`), with their parts."""
    return _with_parts(session, rows, [True] * len(rows))


def _with_parts(
    session: Session, rows: Sequence[Row[Any]], have_parts: Sequence[bool]
) -> list[OutgoingMessage]:
    taken = [_message_of(row._mapping) for row in rows]
    stored = {message.id: message for message, has in zip(taken, have_parts, strict=True) if has}
    if stored:
        for message_id, *values in session.execute(_PARTS_OF, {"ids": list(stored)}):
            stored[message_id].parts.append(OutgoingPart(*values))
    return taken


def _message_of(row: RowMapping) -> OutgoingMessage:
    # A row's mapping is made anew at each `Row._mapping`: once a row, not once a field
    # (13 µs a message against 3).
    return OutgoingMessage(**{name: row[name] for name in _MESSAGE_FIELDS})


class Ledger:
    """What the database holds of the messages a sender is sending, as of the last commit."""

    def __init__(self) -> None:
        self._messages: list[OutgoingMessage] = []
        # Sent, their parts written, their own rows not yet (`commit(hold_sent=True)`).
        self._held: list[OutgoingMessage] = []
        # By id() of the message or part (in `_messages` or `_held`): the values committed
        # (none for a part not written yet), a message's parts.
        self._committed: dict[int, tuple[object, ...]] = {}
        self._committed_parts: dict[int, list[OutgoingPart]] = {}

    def track(self, messages: list[OutgoingMessage]) -> None:
        """Messages just claimed, as committed."""
        self._messages.extend(messages)
        for message in messages:
            self._remember(message)

    @property
    def holds_sent(self) -> bool:
        """Whether a message sent waits for its row to be written."""
        return bool(self._held)

    def forget(self) -> None:
        self._messages.clear()
        self._held.clear()
        self._committed.clear()
        self._committed_parts.clear()

    def commit(self, session: Session, *, hold_sent: bool = False) -> None:
        """Write what changed since the last commit, with its events, and commit. When
        that fails, the objects are put back as committed (the caller rolls back); a
        message held stays as it is, to be written by the next commit.

        `hold_sent`: the row of a message found sent is held back, its parts written,
        while fewer than HELD_AT_MOST are; without it, the rows held are written."""
        hold = hold_sent and len(self._held) < HELD_AT_MOST
        flushed = [] if hold else self._held
        try:
            written, held = self._write(session, flushed, hold=hold)
            events.commit(session)
        except BaseException:
            self._restore()
            raise
        for message in written:
            self._remember(message, parts_only=message in held)
        for message in flushed:
            self._drop(message)
        if not hold:
            self._held = []
        # A message no longer `sending` is settled: the sender changes it no more, so
        # the next commits need not look at it (a batch's first would at each).
        settled = [message for message in self._messages if message.status != Status.SENDING]
        for message in settled:
            self._messages.remove(message)
            if message in held:
                self._held.append(message)
            else:
                self._drop(message)

    def write(self, session: Session) -> None:
        """Write what changed since the messages were tracked, with its events, for the
        caller to commit with what else it writes (`smsbox.sending.recover_unfinished`);
        the ledger is not used after."""
        self._write(session, [], hold=False)

    def _remember(self, message: OutgoingMessage, *, parts_only: bool = False) -> None:
        if not parts_only:
            self._committed[id(message)] = _message_changes(message)
        self._committed_parts[id(message)] = list(message.parts)
        for part in message.parts:
            self._committed[id(part)] = _part_changes(part)

    def _drop(self, message: OutgoingMessage) -> None:
        del self._committed[id(message)], self._committed_parts[id(message)]
        for part in message.parts:
            del self._committed[id(part)]

    def _restore(self) -> None:
        for message in self._messages:
            _assign(message, MESSAGE_CHANGES, self._committed[id(message)])
            message.parts[:] = self._committed_parts[id(message)]
            for part in message.parts:
                _assign(part, PART_CHANGES, self._committed[id(part)])

    def _write(
        self, session: Session, flushed: list[OutgoingMessage], *, hold: bool
    ) -> tuple[list[OutgoingMessage], list[OutgoingMessage]]:
        """The messages written (a part or the message itself changed), and those of
        them whose own row was held back (`hold`: the sent)."""
        connection = events.connection_of(session)
        told: list[OutgoingMessage] = []
        written = []
        held = []
        part_rows = []
        # By the columns they change: one statement each (the rows held, 16 at once).
        updates: dict[tuple[str, ...], list[dict[str, object]]] = defaultdict(list)
        for message in [*flushed, *self._messages]:
            parts_changed = [
                part
                for part in message.parts
                if self._committed.get(id(part)) != _part_changes(part)
            ]
            part_rows.extend(
                _part_row(message, part, stored=id(part) in self._committed)
                for part in parts_changed
            )
            changed: tuple[str, ...] = ()
            if hold and message.status == Status.SENT:
                held.append(message)
            elif (update_ := self._message_update(message)) is not None:
                changed, values = update_
                updates[changed].append(values)
            if changed or parts_changed:
                written.append(message)
            if "status" in changed and message.status in events.OUTBOUND_EVENTS:
                told.append(message)
        for columns, rows in updates.items():
            connection.execute(_update(messages, columns), rows)
        if part_rows:
            _write_parts(connection, part_rows)
        # An event's data is made only when an endpoint may want it (3 µs a message).
        if told and events.subscriptions.of(session):
            events.queue_events(
                session,
                [(events.OUTBOUND_EVENTS[m.status], events.message_data(m)) for m in told],
            )
        return written, held

    def _message_update(
        self, message: OutgoingMessage
    ) -> tuple[tuple[str, ...], dict[str, object]] | None:
        """The columns of `message` that changed since the last commit, and the values
        of its update; None when none did."""
        now, committed = _message_changes(message), self._committed[id(message)]
        if now == committed:
            return None
        changed = {
            name: value
            for name, value, before in zip(MESSAGE_CHANGES, now, committed, strict=True)
            if value != before
        }
        return tuple(changed), {"row_id": message.id, **changed}


_message_changes = attrgetter(*MESSAGE_CHANGES)
_part_changes = attrgetter(*PART_CHANGES)


def _assign(item: object, names: tuple[str, ...], values: tuple[object, ...]) -> None:
    for name, value in zip(names, values, strict=True):
        setattr(item, name, value)


def _part_row(message: OutgoingMessage, part: OutgoingPart, *, stored: bool) -> dict[str, object]:
    row = {name: getattr(part, name) for name in PART_CHANGES}
    return {
        **row,
        "message_id": message.id,
        "part_number": part.part_number,
        "pdu": part.pdu,
        "stored": stored,
    }


def _write_parts(connection: Connection, rows: list[dict[str, object]]) -> None:
    """Each part inserted or updated (`_parts_written`); raises IntegrityError, as a
    plain insert would, when one made anew has its number stored for its message."""
    statement = _parts_written(connection.dialect.name)
    written = connection.execute(statement, rows).rowcount
    if written != len(rows):
        raise IntegrityError(
            str(statement.compile(connection)),
            rows,
            PartAlreadyStored(f"{len(rows) - written} part(s) made anew are stored already"),
        )


class PartAlreadyStored(Exception):
    """A part made anew whose message has one of that number stored."""


@cache
def _parts_written(dialect: str) -> Insert:
    """Parts inserted, or, for a part `stored` (read or written by the ledger), what
    sending changes of it updated, found by its message and number; built once a
    dialect. A part not `stored` whose number its message has is left as it is."""
    statement = upsert_insert(dialect)(message_parts)
    upsert = statement.on_conflict_do_update(
        index_elements=[message_parts.c.message_id, message_parts.c.part_number],
        set_={name: statement.excluded[name] for name in PART_CHANGES},
        where=bindparam("stored", type_=Boolean()),
    )
    # The rows written, counted for an insert too (SQLAlchemy keeps it for updates).
    return upsert.execution_options(preserve_rowcount=True)


@cache
def _update(table: Table, columns: tuple[str, ...]) -> Update:
    """One row's update of these columns, built and compiled once."""
    given = {name: bindparam(name, type_=table.c[name].type) for name in columns}
    return update(table).where(table.c.id == bindparam("row_id")).values(given)
